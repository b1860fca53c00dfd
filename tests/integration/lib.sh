# Shared by the integration scripts: assertions, a scratch dir, the binary under test.
# Every script prints "N passed, N failed" and exits non-zero when anything failed.
set -u
: "${HOSTDOCTOR:?set HOSTDOCTOR to the binary under test}"
: "${HD_SRC:?}" "${HD_HELPERS:?}" "${HD_FIXTURES:?}"
HD_PASS=0
HD_FAIL=0
HD_TMP=$(mktemp -d /tmp/hostdoctor-test.XXXXXX)
trap 'hd_cleanup' EXIT
HD_CLEANUPS=()

hd_cleanup() {
	local c
	for c in "${HD_CLEANUPS[@]}"; do eval "$c" >/dev/null 2>&1 || true; done
	rm -rf "$HD_TMP"
}
# on_exit 'COMMAND': run at exit (kill servers, unmount)
on_exit() { HD_CLEANUPS+=("$1"); }

ok() { HD_PASS=$((HD_PASS + 1)); printf 'ok   %s\n' "$1"; }
not_ok() { HD_FAIL=$((HD_FAIL + 1)); printf 'FAIL %s\n' "$1"; [ $# -gt 1 ] && printf '%s\n' "$2" | sed 's/^/     /'; return 0; }

# run CMD...: sets OUT (stdout), ERR (stderr), RC
run() {
	local o e
	o=$(mktemp -p "$HD_TMP") e=$(mktemp -p "$HD_TMP")
	"$@" >"$o" 2>"$e"
	RC=$?
	OUT=$(cat "$o") ERR=$(cat "$e")
}

# expect_rc NAME WANT
expect_rc() { if [ "$RC" -eq "$2" ]; then ok "$1 (exit $2)"; else not_ok "$1: exit $RC, wanted $2" "$OUT
$ERR"; fi; }
# expect_out NAME EXTENDED-REGEX  (matches stdout)
expect_out() { if grep -Eq -- "$2" <<<"$OUT"; then ok "$1"; else not_ok "$1: stdout lacks /$2/" "$OUT"; fi; }
expect_no_out() { if grep -Eq -- "$2" <<<"$OUT"; then not_ok "$1: stdout has /$2/" "$OUT"; else ok "$1"; fi; }
expect_err() { if grep -Eq -- "$2" <<<"$ERR"; then ok "$1"; else not_ok "$1: stderr lacks /$2/" "$ERR"; fi; }
# json_get EXPR: evaluate a python expression on the JSON in $OUT (j is the document)
json_get() { python3 -c "import json,sys; j=json.load(sys.stdin); print($1)" <<<"$OUT"; }
expect_json() {
	local got
	got=$(json_get "$2" 2>&1)
	if [ "$got" = "$3" ]; then ok "$1"; else not_ok "$1: $2 = '$got', wanted '$3'" "$OUT"; fi
}

# sockets ARGS...: start the hdt_sockets helper in the background (listeners, bound sockets,
# connections), wait until it is ready; its PID in $SP, killed at exit. stop PID ends one.
sockets() {
	local ready="$HD_TMP/ready.$RANDOM$RANDOM" i
	"$HD_HELPERS/hdt_sockets" --ready "$ready" "$@" &
	SP=$!
	on_exit "kill $SP"
	for i in $(seq 600); do [ -e "$ready" ] && return 0; kill -0 "$SP" 2>/dev/null || break; sleep 0.05; done
	echo "hdt_sockets $* did not start"; exit 1
}
stop() { kill "$1"; wait "$1" 2>/dev/null; }

# j CHECK-ID EXPR: EXPR on that check of the JSON in $OUT (e.g. "['status']")
j() { json_get "[c for c in j['checks'] if c['id']=='$1'][0]$2"; }
# expect_check NAME CHECK-ID FIELD WANT; expect_check_re NAME CHECK-ID FIELD REGEX
expect_check() {
	local got
	got=$(j "$2" "$3" 2>&1)
	if [ "$got" = "$4" ]; then ok "$1"; else not_ok "$1: $2$3 = '$got', wanted '$4'" "$OUT"; fi
}
expect_check_re() {
	local got
	got=$(j "$2" "$3" 2>&1)
	if grep -Eq -- "$4" <<<"$got"; then ok "$1"; else not_ok "$1: $2$3 = '$got' lacks /$4/" "$OUT"; fi
}

# conf NAME <<EOF ... : write a checks.d file into $HD_TMP/checks.d
conf() { mkdir -p "$HD_TMP/checks.d"; cat >"$HD_TMP/checks.d/$1"; }

# in_private_netns "$@": run the rest of this script again inside a new network namespace
# (call it right after sourcing this file; loopback is brought up there)
in_private_netns() {
	if [ -z "${HD_NETNS:-}" ]; then
		need_root
		rm -rf "$HD_TMP"
		exec unshare -n env HD_NETNS=1 bash "$0" "$@"
	fi
	ip link set lo up
}

# private_mount_ns: a mount namespace held open by a sleeping process ($NS); inns CMD... runs
# a command in it, so mounts made there never reach the host
private_mount_ns() {
	unshare -m --propagation private sleep 600 &
	NS=$!
	on_exit "kill $NS"
	for _ in $(seq 100); do
		[ "$(readlink /proc/$NS/ns/mnt)" != "$(readlink /proc/self/ns/mnt)" ] && break
		sleep 0.05
	done
}
inns() { nsenter -t "$NS" -m "$@"; }

need_root() { if [ "$(id -u)" != 0 ]; then echo "SKIP: needs root"; finish; fi; }

finish() {
	echo "$HD_PASS passed, $HD_FAIL failed"
	[ "$HD_FAIL" -eq 0 ]
	exit $?
}

# daemon NAME CMD...: start a server in a session of its own, output in $HD_TMP/NAME.log; its
# PID (= session and process group) in $DP. At exit the whole session gets SIGTERM, then
# SIGKILL: servers that fork workers (icinga2) or drop privileges go with it.
daemon() {
	local name=$1
	shift
	setsid "$@" >"$HD_TMP/$name.log" 2>&1 </dev/null &
	DP=$!
	on_exit "stop_session $DP"
}
stop_session() {
	local i
	kill -TERM -- "-$1" 2>/dev/null || return 0
	for i in $(seq 100); do
		kill -0 -- "-$1" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL -- "-$1" 2>/dev/null
}
# wait_until SECONDS COMMAND...: poll COMMAND every 0.2 s until it succeeds; 1 on timeout
wait_until() {
	local end=$((SECONDS + $1))
	shift
	while [ "$SECONDS" -lt "$end" ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	"$@" >/dev/null 2>&1
}
# installed_copy SRC DEST: a shipped file as a test installs it, the binary's path in place of
# /usr/bin/hostdoctor (the test runs the binary of this build)
installed_copy() { sed "s#/usr/bin/hostdoctor#$HOSTDOCTOR#g" "$1" >"$2"; }
# sudoers_install: the shipped drop-in in /etc/sudoers.d (removed at exit). An ASan binary
# cannot run under sudo's NOEXEC (sudo_noexec.so would be preloaded before libasan), so for it
# alone the tag is dropped.
sudoers_install() {
	local f="$HD_TMP/sudoers" name="hostdoctor-test-$$"
	installed_copy "$HD_SRC/dist/sudoers/hostdoctor" "$f"
	if ldd "$HOSTDOCTOR" 2>/dev/null | grep -q libasan; then
		sed -i 's/NOEXEC: //' "$f"
		echo "note: ASan build: NOEXEC left out of the test's sudoers copy"
	fi
	visudo -cf "$f" >/dev/null || { not_ok "visudo -cf sudoers/hostdoctor" "$(visudo -cf "$f" 2>&1)"; return 1; }
	install -o root -g root -m 0440 "$f" "/etc/sudoers.d/$name"
	on_exit "rm -f /etc/sudoers.d/$name"
}
