#!/usr/bin/env bash
# The shipped systemd units and what they run: systemd-analyze verify; the service's ExecStart
# run as systemd would run it (JSON report and Prometheus textfile from one run, exit 0 on a
# CRITICAL host, 3 only when hostdoctor fails); the capability set of the unit is enough to
# name the holder of a port owned by another user, and less is not; list --probes.
. "$HD_SRC/tests/integration/lib.sh"
in_private_netns "$@"
UNIT=$HD_BUILD/dist/systemd/hostdoctor.service
TIMER=$HD_BUILD/dist/systemd/hostdoctor.timer
U=$HD_TMP/units
mkdir -p "$U"

# --- systemd-analyze verify, with ExecStart pointing at the binary under test ---
exe=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$UNIT")
sed "s#^ExecStart=$exe#ExecStart=$HOSTDOCTOR#" "$UNIT" >"$U/hostdoctor.service"
cp "$TIMER" "$U/hostdoctor.timer"
run systemd-analyze verify --man=no "$U/hostdoctor.service" "$U/hostdoctor.timer"
expect_rc "systemd-analyze verify on the units" 0
[ -z "$ERR$OUT" ] && ok "verify says nothing" || not_ok "verify complains" "$OUT$ERR"
grep -q '^\[Install\]' "$TIMER" && grep -q '^WantedBy=timers.target' "$TIMER" &&
	ok "the timer installs into timers.target" || not_ok "timer has no WantedBy=timers.target"
# a broken unit fails verify: the check can fail
sed 's/^Type=oneshot/Type=nonsense/' "$U/hostdoctor.service" >"$U/broken.service"
run systemd-analyze verify --man=no "$U/broken.service"
[ "$RC" -ne 0 ] || grep -q "nonsense" <<<"$ERR" && ok "verify rejects a broken unit" ||
	not_ok "verify accepted Type=nonsense" "$ERR"

# --- ExecStart as systemd runs it: the unit's Environment= defaults, $VAR split on blanks,
# ${VAR} one word; the mode arguments pointed at a fixture host that is CRITICAL ---
envdef() { sed -n "s/^Environment=\"\?$1=\(.*\)/\1/p" "$UNIT" | sed 's/"$//'; }
ARGS=$(envdef HOSTDOCTOR_ARGS)
[ "$ARGS" = "doctor -t 240" ] && ok "default mode: doctor -t 240" || not_ok "HOSTDOCTOR_ARGS='$ARGS'"
[ "$(envdef HOSTDOCTOR_REPORT)" = /var/lib/hostdoctor/report.json ] && ok "report in the state dir" ||
	not_ok "HOSTDOCTOR_REPORT=$(envdef HOSTDOCTOR_REPORT)"
[ "$(envdef HOSTDOCTOR_TEXTFILE)" = /var/lib/prometheus/node-exporter/hostdoctor.prom ] &&
	ok "textfile in node_exporter's directory" || not_ok "HOSTDOCTOR_TEXTFILE=$(envdef HOSTDOCTOR_TEXTFILE)"
execstart() { # execstart ARGS REPORT TEXTFILE: the unit's command line, expanded
	local line
	line=$(sed -n 's/^ExecStart=[^ ]* //p' "$UNIT")
	line=${line//'${HOSTDOCTOR_REPORT}'/$2}
	line=${line//'${HOSTDOCTOR_TEXTFILE}'/$3}
	line=${line//'$HOSTDOCTOR_ARGS'/$1}
	# shellcheck disable=SC2086 # split as systemd splits $VAR
	run "$HOSTDOCTOR" $line
}
conf base.conf <<'CONF'
[file-handles]
probe = file-handles
tags  = base
[file-max]
probe = sysctl
key   = fs.file-max
min   = 65535
tags  = base
CONF
mkdir -p "$HD_TMP/state" "$HD_TMP/textfile"
R=$HD_TMP/state/report.json P=$HD_TMP/textfile/hostdoctor.prom
execstart "$ARGS -d $HD_TMP/checks.d -r $HD_FIXTURES/engine/busy" "$R" "$P"
expect_rc "a CRITICAL host is a successful run" 0
OUT=$(cat "$R" 2>/dev/null)
expect_json "the JSON report says CRITICAL" "j['status']" CRITICAL
expect_check "file-handles in the report" file-handles "['status']" CRITICAL
grep -q '^hostdoctor_check_status{check="file-handles",probe="file-handles",report="doctor"} 2$' "$P" &&
	ok "the textfile says CRITICAL from the same run" || not_ok "textfile" "$(cat "$P" 2>&1)"
[ "$(stat -c %a "$R" "$P" | sort -u)" = 644 ] && ok "both files 0644 (node_exporter reads as another user)" ||
	not_ok "modes: $(stat -c '%n %a' "$R" "$P")"
ls "$HD_TMP/state" "$HD_TMP/textfile" | grep -q '\.tmp\.' && not_ok "temp files left" || ok "no temp files left"

# a real failure of hostdoctor fails the unit, and the last good files stay as they were
cp "$R" "$HD_TMP/good.json"
conf zz-bad.conf <<<$'[oops]\nprobe = file-handles\nbogus = 1'
execstart "$ARGS -d $HD_TMP/checks.d" "$R" "$P"
expect_rc "a bad configuration fails the unit" 3
expect_err "names the file and line" "zz-bad.conf:3: unknown key 'bogus'"
rm "$HD_TMP/checks.d/zz-bad.conf"
execstart "$ARGS -d $HD_TMP/checks.d" "$R" "$HD_TMP/no/such/dir/hostdoctor.prom"
expect_rc "an unwritable textfile fails the unit" 3
expect_err "names the file" "no/such/dir/hostdoctor.prom: cannot write"
cmp -s "$R" "$HD_TMP/good.json" && ok "the report is not replaced when another output fails" ||
	not_ok "report replaced although the run failed"
ls "$HD_TMP/state" | grep -q '\.tmp\.' && not_ok "temp report left behind" || ok "no temp report left"
execstart "$ARGS -d $HD_TMP/checks.d --exit-zero" "$R" "$R"
expect_rc "the same file twice is refused" 3

# -o takes the -f before it; a lone -o after -f keeps the old meaning
run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" -r "$HD_FIXTURES/engine/busy" -o "$HD_TMP/a.prom" -f prometheus
expect_rc "-o before -f: exit is the worst state" 2
grep -q '^# TYPE hostdoctor_check_status' "$HD_TMP/a.prom" && ok "-o FILE -f prometheus writes Prometheus text" ||
	not_ok "a.prom" "$(head -3 "$HD_TMP/a.prom")"
run "$HOSTDOCTOR" nagios -d "$HD_TMP/checks.d" -r "$HD_FIXTURES/engine/busy" -f nagios -o "$HD_TMP/n.txt" -f json -o "$HD_TMP/n.json" file-handles
expect_rc "nagios with two outputs" 2
grep -q '^HOSTDOCTOR CRITICAL' "$HD_TMP/n.txt" && ok "first -o in the -f before it (nagios)" || not_ok "n.txt" "$(cat "$HD_TMP/n.txt")"
OUT=$(cat "$HD_TMP/n.json")
expect_json "second -o in json" "j['mode']" nagios

# --- the unit's capabilities: a port held by another user's process ---
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT" | tr 'A-Z' 'a-z' | sed 's/cap_/+/g; s/ /,/g')
amb=$(sed -n 's/^AmbientCapabilities=//p' "$UNIT")
[ "$amb" = "$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT")" ] && ok "ambient set = bounding set" ||
	not_ok "AmbientCapabilities differs from CapabilityBoundingSet"
grep -q '^NoNewPrivileges=yes' "$UNIT" && grep -q '^ProtectSystem=strict' "$UNIT" &&
	grep -q '^PrivateTmp=no' "$UNIT" && ok "sandbox: NoNewPrivileges, ProtectSystem=strict, host /tmp" ||
	not_ok "sandbox settings missing"
conf base.conf <<'CONF'
[p]
probe  = port
port   = 9655
expect = free
CONF
setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all --bounding-set=-all \
	/usr/bin/python3 -c 'import socket,time; s=socket.socket(); s.bind(("127.0.0.1",9655)); s.listen(); time.sleep(300)' &
L=$!
on_exit "kill $L"
for _ in $(seq 100); do ss -Hltn 'sport = :9655' | grep -q . && break; sleep 0.05; done
asunit() { run setpriv --no-new-privs --inh-caps=-all --bounding-set="-all,$1" "$HOSTDOCTOR" nagios -d "$HD_TMP/checks.d" p; }
asunit "$caps"
expect_rc "the port is held: CRITICAL" 2
expect_out "with the unit's capabilities the holder is named" "held by python3 \(pid $L\)"
asunit "+net_bind_service"
expect_rc "without them: still CRITICAL" 2
expect_out "without them the holder is unknown, and why" "owner unknown \(uid 65534; [0-9]+ processes' /proc/PID/fd not readable: needs CAP_DAC_READ_SEARCH and CAP_SYS_PTRACE\)"

# --- hostdoctor-watch.service: verify; its privileges those of the timer's service; its
# ExecStart run as systemd runs it (the unit's capabilities, NOTIFY_SOCKET): READY=1 once it
# follows its logs, ExecReload's SIGHUP (RELOADING=1, READY=1), SIGTERM (STOPPING=1, exit 0) ---
WUNIT=$HD_BUILD/dist/systemd/hostdoctor-watch.service
sed "s#^ExecStart=$exe#ExecStart=$HOSTDOCTOR#" "$WUNIT" >"$U/hostdoctor-watch.service"
run systemd-analyze verify --man=no "$U/hostdoctor-watch.service"
expect_rc "systemd-analyze verify on the watch's unit" 0
[ -z "$ERR$OUT" ] && ok "verify says nothing" || not_ok "verify complains" "$OUT$ERR"
grep -q '^Type=notify' "$WUNIT" && grep -q '^ExecReload=/bin/kill -HUP $MAINPID' "$WUNIT" &&
	grep -q '^WantedBy=multi-user.target' "$WUNIT" && ok "watch: Type=notify, reload by SIGHUP, multi-user" ||
	not_ok "watch unit settings"
privs() { grep -E '^(CapabilityBoundingSet|AmbientCapabilities|NoNewPrivileges|ProtectSystem|ReadWritePaths|PrivateTmp|ProtectHome|PrivateDevices|Protect[A-Za-z]+|Restrict[A-Za-z]+|LockPersonality|MemoryDenyWriteExecute|SystemCall[A-Za-z]+)=' "$1"; }
[ "$(privs "$WUNIT")" = "$(privs "$UNIT")" ] && ok "watch: the same least privilege as the timer's service" ||
	not_ok "the units' privileges differ" "$(diff <(privs "$UNIT") <(privs "$WUNIT"))"
mkdir -p "$HD_TMP/w/checks.d" "$HD_TMP/w/state" "$HD_TMP/w/tf"
printf 'a line before\n' >"$HD_TMP/w/app.log"
cat >"$HD_TMP/w/checks.d/10-app.conf" <<CONF
[app-log]
probe     = log-scan
path      = $HD_TMP/w/app.log
state_dir = $HD_TMP/w/state
CONF
wdef() { sed -n "s/^Environment=$1=//p" "$WUNIT"; }
[ -z "$(wdef HOSTDOCTOR_WATCH_ARGS)" ] && ok "watch: no options by default" || not_ok "HOSTDOCTOR_WATCH_ARGS=$(wdef HOSTDOCTOR_WATCH_ARGS)"
[ "$(wdef HOSTDOCTOR_WATCH_TEXTFILE)" = /var/lib/prometheus/node-exporter/hostdoctor-watch.prom ] &&
	ok "watch: its own textfile beside the timer's" || not_ok "HOSTDOCTOR_WATCH_TEXTFILE=$(wdef HOSTDOCTOR_WATCH_TEXTFILE)"
wline=$(sed -n 's/^ExecStart=[^ ]* //p' "$WUNIT")
wline=${wline//'${HOSTDOCTOR_WATCH_TEXTFILE}'/$HD_TMP/w/tf/hostdoctor-watch.prom}
wline=${wline//'$HOSTDOCTOR_WATCH_ARGS'/-d $HD_TMP/w/checks.d --state-dir $HD_TMP/w/state}
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[1] + ".ready", "w").close()
with open(sys.argv[2], "a") as out:
    while True:
        m = s.recv(4096).decode()
        out.write(m.replace("\n", " ") + "\n")
        out.flush()
' "$HD_TMP/w/notify" "$HD_TMP/w/notified" &
NP=$!
on_exit "kill $NP"
for _ in $(seq 100); do [ -e "$HD_TMP/w/notify.ready" ] && break; sleep 0.05; done
# shellcheck disable=SC2086 # split as systemd splits $VAR
NOTIFY_SOCKET=$HD_TMP/w/notify setpriv --no-new-privs --inh-caps=-all --bounding-set="-all,$caps" \
	"$HOSTDOCTOR" $wline 2>"$HD_TMP/w/watch.log" &
WP=$!
on_exit "kill $WP"
notified() { grep -q "^$1\$" "$HD_TMP/w/notified" 2>/dev/null; }
for _ in $(seq 200); do notified READY=1 && break; sleep 0.05; done
notified READY=1 && ok "watch: READY=1 to systemd once it follows its logs" || not_ok "no READY=1" "$(cat "$HD_TMP/w/watch.log")"
grep -q "ready: following 1 file for 1 check" "$HD_TMP/w/watch.log" && ok "watch: follows the check's file" ||
	not_ok "watch log" "$(cat "$HD_TMP/w/watch.log")"
grep -q '^hostdoctor_watch_config_ok 1$' "$HD_TMP/w/tf/hostdoctor-watch.prom" && ok "watch: its textfile" ||
	not_ok "watch textfile" "$(cat "$HD_TMP/w/tf/hostdoctor-watch.prom" 2>&1)"
reload=$(sed -n 's/^ExecReload=//p' "$WUNIT")
reload=${reload//'$MAINPID'/$WP}
$reload
for _ in $(seq 200); do grep -q "reloaded: " "$HD_TMP/w/watch.log" && break; sleep 0.05; done
grep -q "reloaded: " "$HD_TMP/w/watch.log" && notified RELOADING=1 && ok "ExecReload: reloaded, RELOADING=1 told" ||
	not_ok "reload" "$(cat "$HD_TMP/w/watch.log" "$HD_TMP/w/notified")"
kill -TERM "$WP"
wait "$WP"
RC=$?
expect_rc "watch: SIGTERM, a clean end" 0
notified STOPPING=1 && ok "STOPPING=1 told" || not_ok "no STOPPING=1" "$(cat "$HD_TMP/w/notified")"

# --- list --probes: the probe table as text and JSON ---
run "$HOSTDOCTOR" list --probes
expect_rc "list --probes" 0
expect_out "every probe listed" "^semaphores: "
expect_out "a parameter with type and default" "need_sems +integer 0\.\.[0-9]+; default 0"
run "$HOSTDOCTOR" list --probes -f json
expect_json "JSON: a metric marked primary" "[m['name'] for p in j['probes'] if p['name']=='file-handles' for m in p['metrics'] if m['primary']]" "['used']"
run "$HOSTDOCTOR" doctor --probes
expect_rc "--probes outside list is a usage error" 3
finish
