#!/usr/bin/env bash
# The real binary: modes and exit codes, nagios output, config errors, deadlines on a FIFO,
# atomic output, fixture roots and one live run.
. "$(dirname "$0")/lib.sh"
F=$HD_FIXTURES/engine

conf base.conf <<'CONF'
[file-handles]
probe    = file-handles
tags     = base
[file-max]
probe    = sysctl
key      = fs.file-max
min      = 65535
tags     = base, fsigk
inhibitor = yes
CONF
D=(-d "$HD_TMP/checks.d")

# --- live host ---
run "$HOSTDOCTOR" doctor "${D[@]}"
expect_out "live doctor report lists file-handles" '\[ OK \] file-handles: [0-9.]+% of fs.file-max in use'
[ "$RC" -le 3 ] && ok "live doctor exit status is a state ($RC)" || not_ok "live doctor exit $RC"
run "$HOSTDOCTOR" nagios "${D[@]}" file-handles
expect_rc "nagios file-handles on the live host" 0
expect_out "status line with perfdata" "^HOSTDOCTOR OK: .* \| 'used'=[0-9.]+%;80;95;0;100 'allocated'=[0-9]+;;;0; 'max'=[0-9]+;;;;$"
# perfdata parses: every item label=value[UOM];warn;crit;min;max with plain numbers
perf=$(head -1 <<<"$OUT" | sed 's/.*| //')
bad=$(tr ' ' '\n' <<<"$perf" | grep -Ev "^'[^']+'=-?[0-9.]+(%|B|KB|MB|TB|s|ms|us|c)?(;-?[0-9.]*){0,4}$" || true)
[ -z "$bad" ] && ok "perfdata items are well-formed" || not_ok "malformed perfdata" "$bad"

# --- fixture roots, exit codes per mode ---
run "$HOSTDOCTOR" nagios "${D[@]}" -r "$F/busy" file-handles
expect_rc "95.4% in use is CRITICAL" 2
expect_out "names the figures" 'HOSTDOCTOR CRITICAL: 95.4% of fs.file-max in use \(250000 of 262144\)'
run "$HOSTDOCTOR" nagios "${D[@]}" -r "$F/busy" -w 99 -c 99.5 file-handles
expect_rc "-w/-c override the thresholds" 0
expect_out "perfdata carries the override" "'used'=95.367432%;99;99.5;0;100"
run "$HOSTDOCTOR" nagios "${D[@]}" -r "$F/busy" -w 90 -c 99 file-handles
expect_rc "-w 90 gives WARNING" 1
run "$HOSTDOCTOR" nagios "${D[@]}" -r "$F/busy" -w 20:10 file-handles
expect_rc "a bad range is a usage error" 3
expect_out "in nagios mode on stdout" '^HOSTDOCTOR UNKNOWN: --warning .20:10. is not a valid range'
run "$HOSTDOCTOR" nagios "${D[@]}" -r "$F/tiny-max" file-max
expect_rc "fs.file-max 8192 below 65535" 2
expect_out "remedy gives the sysctl.d line" "echo 'fs.file-max = 65535' > /etc/sysctl.d/"
run "$HOSTDOCTOR" nagios "${D[@]}" -r "$F/malformed" file-handles file-max
expect_rc "malformed /proc files are UNKNOWN" 3
expect_out "file-nr reason" "file-nr is malformed: expected 'allocated 0 max', got 'garbage here'"
expect_out "file-max reason" "'unlimited' is not a number"
run "$HOSTDOCTOR" nagios "${D[@]}" -r "$HD_TMP/nonexistent" file-handles
expect_rc "missing root: UNKNOWN" 3
expect_out "a missing root is refused, not reported on" "^HOSTDOCTOR UNKNOWN: --root $HD_TMP/nonexistent: No such file or directory"
run "$HOSTDOCTOR" doctor "${D[@]}" -r "$F/busy/proc/sys/fs/file-nr"
expect_rc "a root that is a file" 3
expect_err "says so" "not a directory"
run "$HOSTDOCTOR" nagios "${D[@]}" nosuch
expect_rc "unknown check id" 3
expect_out "says so on stdout" "^HOSTDOCTOR UNKNOWN: no check named 'nosuch'"
run "$HOSTDOCTOR" doctor "${D[@]}" -r "$F/busy"
expect_rc "doctor returns the worst state" 2
expect_out "doctor names the host of the root" 'on gw01,'
expect_out "remedy under the problem" '^ +-> Find what holds the handles'
expect_out "closing line counts problems" '^1 problem found: 1 critical'
run "$HOSTDOCTOR" preflight "${D[@]}" -r "$F/busy" --profile fsigk
expect_rc "preflight ready (fs.file-max ok)" 0
expect_out "says READY" '^READY: no blockers'
run "$HOSTDOCTOR" preflight "${D[@]}" -r "$F/tiny-max" --profile fsigk
expect_rc "preflight blocked" 1
expect_out "lists the blocker first" 'Blockers'
run "$HOSTDOCTOR" preflight "${D[@]}" -r "$F/tiny-max" --profile fsigk -f json
expect_rc "preflight json blocked" 1
expect_json "json ready=false" 'j["ready"]' False
expect_json "json blockers" 'j["blockers"]' "['file-max']"
run "$HOSTDOCTOR" preflight "${D[@]}" --profile nosuchproduct
expect_rc "preflight of an unknown profile is a usage error" 3
run "$HOSTDOCTOR" preflight "${D[@]}"
expect_rc "preflight without --profile" 3

# --- selection ---
run "$HOSTDOCTOR" list "${D[@]}"
expect_out "list shows id, probe, tags" '^file-max +sysctl +base,fsigk'
run "$HOSTDOCTOR" doctor "${D[@]}" -r "$F/busy" --skip file-handles
expect_rc "--skip leaves the critical check out" 0
run "$HOSTDOCTOR" doctor "${D[@]}" -r "$F/busy" --only fsigk -f json
expect_json "--only TAG" '[c["id"] for c in j["checks"]]' "['file-max']"

# --- checks that apply only with or without a product installed ---
conf exists.conf <<'CONF'
[installed-only]
probe = sysctl
key = fs.file-max
only_if_exists = /opt/product
tags = prod
[preinstall-only]
probe = sysctl
key = fs.file-max
unless_exists = /opt/product
tags = prod
CONF
run "$HOSTDOCTOR" doctor "${D[@]}" -r "$F/busy" --only prod -f json
expect_json "only_if_exists: SKIPPED when absent" '{c["id"]: c["status"] for c in j["checks"]}' "{'installed-only': 'SKIPPED', 'preinstall-only': 'OK'}"
expect_json "the reason names the path" 'j["checks"][0]["summary"]' "does not apply: $F/busy/opt/product is not present"
mkdir -p "$HD_TMP/root2/opt/product" "$HD_TMP/root2/proc/sys/fs"
cp "$F/busy/proc/sys/fs/file-max" "$HD_TMP/root2/proc/sys/fs/"
run "$HOSTDOCTOR" doctor "${D[@]}" -r "$HD_TMP/root2" --only prod -f json
expect_json "unless_exists: SKIPPED when present" '{c["id"]: c["status"] for c in j["checks"]}' "{'installed-only': 'OK', 'preinstall-only': 'SKIPPED'}"
run "$HOSTDOCTOR" doctor "${D[@]}" -r "$HD_TMP/root2" --only prod
expect_no_out "doctor lists what does not apply only with -v" 'preinstall-only'
expect_out "but counts it" '1 not applicable'
rm -f "$HD_TMP/checks.d/exists.conf"

# --- json and prometheus ---
run "$HOSTDOCTOR" doctor "${D[@]}" -r "$F/busy" -f json
expect_json "json schema version" 'j["schema"]' 2
expect_json "json per-check status" '{c["id"]: c["status"] for c in j["checks"]}' "{'file-handles': 'CRITICAL', 'file-max': 'OK'}"
expect_json "json metrics carry units and thresholds" '[(m["name"], m["unit"], m["warn"], m["crit"]) for m in j["checks"][0]["metrics"]][0]' "('used', '%', '80', '95')"
run "$HOSTDOCTOR" doctor "${D[@]}" -r "$F/busy" -f prometheus -o "$HD_TMP/out.prom"
expect_rc "prometheus to a file" 2
if grep -q '^hostdoctor_check_status{check="file-handles",probe="file-handles",report="doctor"} 2$' "$HD_TMP/out.prom" &&
	grep -q '^hostdoctor_file_handles_used_ratio{check="file-handles",report="doctor"} 0.95367431640625$' "$HD_TMP/out.prom" &&
	[ "$(grep -c '^# TYPE hostdoctor_check_status ' "$HD_TMP/out.prom")" = 1 ] &&
	[ -z "$(ls "$HD_TMP" | grep 'out.prom.tmp')" ]; then
	ok "prometheus textfile written atomically, base units, TYPE once"
else
	not_ok "prometheus textfile" "$(cat "$HD_TMP/out.prom")"
fi
# the parent never blocks on a FIFO where a configuration file or ROOT/etc/hostname should be
mkdir -p "$HD_TMP/fifodir" "$HD_TMP/fifohost/etc"
mkfifo "$HD_TMP/fifodir/50-x.conf" "$HD_TMP/fifohost/etc/hostname"
run timeout 20 "$HOSTDOCTOR" doctor -d "$HD_TMP/fifodir"
expect_rc "a FIFO in checks.d: a clear error, no hang" 3
expect_err "names it" "fifodir/50-x.conf: cannot read: not a regular file"
run timeout 20 "$HOSTDOCTOR" doctor "${D[@]}" -r "$HD_TMP/fifohost" --only nosuchtag
expect_rc "a FIFO as ROOT/etc/hostname: the run goes on" 0

# -o replaces a regular file only: never a device node, a FIFO or what a symlink points at
mkfifo "$HD_TMP/fifo.prom"
ln -s "$HD_TMP/target.prom" "$HD_TMP/link.prom"
echo keep >"$HD_TMP/target.prom"
for o in /dev/null "$HD_TMP/fifo.prom" "$HD_TMP/link.prom"; do
	run "$HOSTDOCTOR" doctor "${D[@]}" -r "$F/busy" -f prometheus -o "$o"
	expect_rc "-o $o refused" 3
	expect_err "-o $o: says why" "not a regular file"
done
if [ -c /dev/null ] && [ -p "$HD_TMP/fifo.prom" ] && [ -L "$HD_TMP/link.prom" ] &&
	[ "$(cat "$HD_TMP/target.prom")" = keep ]; then
	ok "the device, the FIFO and the symlink and its target are untouched"
else
	not_ok "-o replaced something it must not" "$(ls -la /dev/null "$HD_TMP")"
fi
run "$HOSTDOCTOR" doctor "${D[@]}" -o "$HD_TMP/no/such/dir/x.prom"
expect_rc "unwritable output" 3
expect_err "names the file" 'no/such/dir/x.prom: cannot write'

# --- config errors name file and line ---
mkdir -p "$HD_TMP/bad.d"
printf '[a]\nprobe = file-handles\nwarning = 80\ncritical = 9O\n' >"$HD_TMP/bad.d/10-x.conf"
run "$HOSTDOCTOR" doctor -d "$HD_TMP/bad.d"
expect_rc "bad config exits 3" 3
expect_err "stderr names file:line" "bad.d/10-x.conf:4: critical = '9O' is not a valid range"
run "$HOSTDOCTOR" nagios -d "$HD_TMP/bad.d" a
expect_out "nagios mode: UNKNOWN on stdout" "^HOSTDOCTOR UNKNOWN: .*10-x.conf:4: critical"
run "$HOSTDOCTOR" doctor -d "$HD_TMP/nonexistent.d"
expect_err "missing checks dir is named" 'nonexistent.d: cannot read checks directory'
run "$HOSTDOCTOR" doctor --bogus
expect_rc "unknown option" 3
run "$HOSTDOCTOR" frobnicate
expect_rc "unknown mode" 3
run "$HOSTDOCTOR" --version
expect_rc "--version" 0
expect_out "prints the version" '^hostdoctor [0-9]+\.[0-9]+'

# --- a probe blocked forever on a FIFO is cut off at the deadline ---
root="$HD_TMP/fiforoot"
mkdir -p "$root/proc/sys/fs"
cp "$F/fifo/proc/sys/fs/file-nr" "$root/proc/sys/fs/"
mkfifo "$root/proc/sys/fs/file-max"
conf fifo.conf <<'CONF'
[reads-fifo]
probe = sysctl
key   = fs.file-max
tags  = base
CONF
start=$(date +%s.%N)
run "$HOSTDOCTOR" nagios "${D[@]}" -r "$root" -t 2 reads-fifo file-handles
took=$(echo "$(date +%s.%N) - $start" | bc 2>/dev/null || python3 -c "print($(date +%s.%N) - $start)")
expect_rc "FIFO check UNKNOWN, run exit 3" 3
expect_out "the FIFO check timed out" "^\[UNKNOWN\] reads-fifo: timed out: the run's deadline of 2 s was reached"
expect_out "the other check still reported" '^\[OK\] file-handles:'
if python3 -c "import sys; sys.exit(0 if $took < 3 else 1)"; then ok "returned in ${took}s (< 3 s)"; else not_ok "took ${took}s"; fi
run "$HOSTDOCTOR" nagios "${D[@]}" -r "$root" -t 1:CRITICAL reads-fifo
expect_rc "-t SECONDS:STATE" 2
run "$HOSTDOCTOR" nagios "${D[@]}" -t 0 file-handles
expect_rc "-t 0 rejected" 3

# --- colour only on a terminal and never with NO_COLOR ---
run "$HOSTDOCTOR" doctor "${D[@]}"
if grep -q $'\033\\[' <<<"$OUT"; then not_ok "no colour when stdout is not a terminal"; else ok "no colour when stdout is not a terminal"; fi
if command -v script >/dev/null; then
	colored=$(TERM=xterm script -qec "$HOSTDOCTOR doctor -d $HD_TMP/checks.d" /dev/null)
	grep -q $'\033\\[' <<<"$colored" && ok "colour on a terminal" || not_ok "colour on a terminal" "$colored"
	plain=$(NO_COLOR=1 TERM=xterm script -qec "$HOSTDOCTOR doctor -d $HD_TMP/checks.d" /dev/null)
	grep -q $'\033\\[' <<<"$plain" && not_ok "NO_COLOR honoured" || ok "NO_COLOR honoured"
fi

# --- start-up: libcurl, libproc2 and libcrypto are opened by their probes, not by every run ---
needed=$(readelf -d "$HOSTDOCTOR" | awk '/NEEDED/ {print $NF}')
if grep -Eq 'libcurl|libproc2|libcrypto' <<<"$needed"; then
	not_ok "libcurl, libproc2 and libcrypto are not linked in" "$needed"
else
	ok "libcurl, libproc2 and libcrypto are not linked in"
fi
finish
