# watch: the moment of failure, kept. A fake gateway (tests/helpers/hdt_fakegw.py) does what the
# gateway does at start-up and logs what it logs when that fails, in the words of its document
# (vendor document 000), to a log file and to the journal, while this test creates the cause for
# 2 s and removes it: another program on the proxy port (a private network namespace), all the
# semaphore arrays taken (a private IPC namespace with kernel.sem's SEMMNI at 8). The evidence
# names the holder and its pid, or the exhausted arrays; a doctor run a few seconds later finds
# nothing wrong, and shows the evidence under its checks; explain shows it under the message; the
# textfile counts per entry; the on-event command gets the report. The journal is a journal file
# written by systemd-journal-remote into /var/log/journal of a private mount namespace, read by
# the shipped system-log check (journal = auto) as on a host with journald.
. "$(dirname "$0")/lib.sh"
need_root
if [ -z "${HD_WATCH_NS:-}" ]; then
	rm -rf "$HD_TMP"
	exec unshare -n -i -m --propagation private env HD_WATCH_NS=1 bash "$0" "$@"
fi
ip link set lo up
JR=/lib/systemd/systemd-journal-remote
[ -x "$JR" ] || JR=/usr/lib/systemd/systemd-journal-remote
if [ ! -x "$JR" ]; then
	not_ok "systemd-journal-remote is needed (make deps installs it)"
	finish
fi
T=$HD_TMP
FAKE="python3 $HD_SRC/tests/helpers/hdt_fakegw.py"
# the host's logs and /opt stay out of sight: this namespace's own
mount -t tmpfs tmpfs /var/log
mkdir -p /var/log/journal
[ -d /run/log ] && mount -t tmpfs tmpfs /run/log
mount -t tmpfs tmpfs /opt
JOURNAL=/var/log/journal/fsigk.journal
$FAKE --journal "$JOURNAL" --name kernel say "a journal opened"

mkdir -p "$T/checks.d" "$T/state" "$T/hooked"
cat >"$T/checks.d/90-site.conf" <<EOF
; the gateway's own log file, as a site would add it
[fsigk-log]
probe     = log-scan
path      = $T/fsigk.log
products  = fsigk
state_dir = $T/state
tags      = site

[system-log]
state_dir = $T/state
EOF
: >"$T/fsigk.log"

# wait_for SECONDS COMMAND...: until COMMAND succeeds
wait_for() {
	local n=$(($1 * 20)) i
	shift
	for i in $(seq "$n"); do "$@" && return 0; sleep 0.05; done
	return 1
}
evidence_of() { ls "$T/state/evidence/"*"-$1.json" 2>/dev/null | tail -1; }
has_evidence() { [ -n "$(evidence_of "$1")" ]; }

"$HOSTDOCTOR" watch -d "$HD_SRC/checks.d" -d "$T/checks.d" --state-dir "$T/state" --hold-off 3 \
	--textfile "$T/watch.prom" --on-event "cp -t $T/hooked" 2>"$T/watch.log" &
WP=$!
on_exit "kill $WP"
if wait_for 30 grep -q "ready: following 1 file and the journal for 2 checks" "$T/watch.log"; then
	ok "watch follows the site's log file and the journal (system-log, journal = auto)"
else
	not_ok "watch did not start" "$(cat "$T/watch.log")"
	finish
fi

# --- before the install: another service holds the proxy port for 2 s; the gateway's start
# fails once (it gives up); the evidence names the holder
$FAKE --name httpd --ready "$T/holder.ready" hold 9080 2 &
HP=$!
wait_for 10 test -e "$T/holder.ready"
$FAKE --log "$T/fsigk.log" --name fsigk_http bind 9080 0
[ $? = 1 ] && ok "the fake gateway could not bind 9080 and logged it" || not_ok "the gateway bound 9080"
if wait_for 15 has_evidence fsigk-bind-address-in-use; then ok "evidence recorded for the bind failure"; else
	not_ok "no evidence" "$(cat "$T/watch.log")"
fi
wait "$HP"
EV=$(evidence_of fsigk-bind-address-in-use)
OUT=$(cat "$EV")
j() { json_get "[c for c in j['results'] if c['id']=='$1'][0]$2"; }
expect_json "the evidence: tcp/9080 held by the holder, its name and pid" \
	"[c for c in j['results'] if c['id']=='fsigk-http-port'][0]['summary']" \
	"tcp/9080 is not free: held by httpd (pid $HP)"
expect_json "its state was CRITICAL" "j['status']" CRITICAL
expect_json "the log line is kept" "'bind=Address already in use(98) (addr=0.0.0.0, port=9080)' in j['lines'][0]['text']" True
expect_json "where it came from" "j['source']" "{'check': 'fsigk-log', 'file': '$T/fsigk.log'}"
expect_json "the entry and its checks" "(j['entry']['id'], len(j['entry']['checks']))" "('fsigk-bind-address-in-use', 8)"
expect_json "the full results: details and metrics" \
	"[c for c in j['results'] if c['id']=='fsigk-http-port'][0]['metrics'][0]['name'] and 'LISTEN 0.0.0.0:9080 by httpd' in [c for c in j['results'] if c['id']=='fsigk-http-port'][0]['details']" True
expect_json "checked within a second of the line" "j['checked_unix'] - j['detected_unix'] < 1" True
[ "$(stat -c %a "$EV")" = 600 ] && ok "the report is 0600" || not_ok "mode $(stat -c %a "$EV")"
# a doctor run a few seconds later: all OK, the evidence under the check
sleep 1
run "$HOSTDOCTOR" doctor -d "$HD_SRC/checks.d" --state-dir "$T/state" --only fsigk-http-port
expect_rc "doctor a moment later: all OK" 0
DOCTOR_A=$OUT
expect_out "the port is free now" '\[ OK \] fsigk-http-port: tcp/9080 is free'
expect_out "and the evidence says who held it" "! at [0-9:]+, when fsigk-bind-address-in-use was logged: \[CRIT\] tcp/9080 is not free: held by httpd \(pid $HP\)"
run "$HOSTDOCTOR" explain --state-dir "$T/state" "$(head -1 "$T/fsigk.log")"
expect_out "explain shows the evidence of the message's last appearance" "Evidence: +at .*, when it was last logged, watch found"
expect_out "with the holder" "\[CRIT\] fsigk-http-port: tcp/9080 is not free: held by httpd \(pid $HP\)"
run "$HOSTDOCTOR" evidence show --state-dir "$T/state" last
expect_out "evidence show: the entry" "Entry: +fsigk-bind-address-in-use \(fsigk, critical\)"
expect_out "evidence show: the checks' report" "\[CRIT\] fsigk-http-port: tcp/9080 is not free: held by httpd \(pid $HP\)"
wait_for 10 test -e "$T/hooked/$(basename "$EV")"
cmp -s "$EV" "$T/hooked/$(basename "$EV")" && ok "the on-event command got the report's path" ||
	not_ok "on-event: $(ls "$T/hooked")" "$(cat "$T/watch.log")"

# --- the gateway installed: its semaphores. SEMMNI 8 in this IPC namespace, its services'
# pre_spawn need 6 arrays; another program takes all 8 for 2 s; a service process's semget
# fails and it logs to the journal
mkdir -p /opt/f-secure/fsigk/conf
printf '[http]\npre_spawn = 2\n[smtp]\npre_spawn = 2\n[pop]\npre_spawn = 1\n[ftp]\npre_spawn = 1\n' \
	>/opt/f-secure/fsigk/conf/virusgw.ini
echo "250 32000 32 8" >/proc/sys/kernel/sem
"$HD_HELPERS/hdt_sem" hold 8 1 >"$T/sem.out" &
SP=$!
wait_for 10 grep -q ready "$T/sem.out"
grep -q "created 8" "$T/sem.out" && ok "the 8 arrays are taken" || not_ok "hdt_sem" "$(cat "$T/sem.out")"
$FAKE --journal "$JOURNAL" --name fsigk_smtp semget 1
[ $? = 1 ] && ok "the fake gateway's semget failed and it logged it" || not_ok "semget succeeded"
if wait_for 15 has_evidence fsigk-semget-failure; then ok "evidence recorded for the semget failure"; else
	not_ok "no evidence" "$(cat "$T/watch.log")"
fi
sleep 1.5
kill "$SP"
wait "$SP" 2>/dev/null
OUT=$(cat "$(evidence_of fsigk-semget-failure)")
expect_json "the evidence: the arrays exhausted" \
	"[c for c in j['results'] if c['id']=='fsigk-semaphores'][0]['summary']" \
	"not enough headroom: 0 arrays and 31992 semaphores free, 6 and 0 needed"
expect_json "how many of how many" "'in use: 8 of 8 arrays' in [c for c in j['results'] if c['id']=='fsigk-semaphores'][0]['details']" True
expect_json "read from the journal" "j['source']" "{'check': 'system-log', 'journal': True}"
expect_json "the journal's time of the line" "j['lines'][0]['logged'].endswith('Z')" True
expect_json "its semget error" "'semget=No space left on device(28) semget failure.' in j['lines'][0]['text']" True
sleep 1
run "$HOSTDOCTOR" doctor -d "$HD_SRC/checks.d" --state-dir "$T/state" --only fsigk-semaphores
expect_rc "doctor a moment later: all OK" 0
expect_out "the arrays are free now" '\[ OK \] fsigk-semaphores: 0 of 8 semaphore arrays in use'
expect_out "and the evidence says they were not" "when fsigk-semget-failure was logged: \[CRIT\] not enough headroom: 0 arrays"

# --- installed, the port again, in the journal: the gateway retries until the holder is gone
# and then listens; the evidence (the listening check, the install present) names the holder
$FAKE --name httpd --ready "$T/holder2.ready" hold 9080 2 &
HP=$!
wait_for 10 test -e "$T/holder2.ready"
$FAKE --journal "$JOURNAL" --name fsigk_http --ready "$T/gw.ready" bind 9080 10 &
GP=$!
on_exit "kill $GP"
wait_for 20 test -e "$T/gw.ready" && ok "the gateway listens once the holder left" || not_ok "gateway never bound"
two_binds() { [ "$(ls "$T/state/evidence/" | grep -c -- '-fsigk-bind-address-in-use')" = 2 ]; }
wait_for 10 two_binds
OUT=$(cat "$(evidence_of fsigk-bind-address-in-use)")
expect_json "installed: the port checks do not apply" \
	"[c for c in j['results'] if c['id']=='fsigk-http-port'][0]['status']" SKIPPED
expect_json "installed: who listened on the port when the gateway could not" \
	"[c for c in j['results'] if c['id']=='fsigk-http-listening'][0]['summary']" \
	"tcp/9080 is listening: httpd (pid $HP)"
run "$HOSTDOCTOR" doctor -d "$HD_SRC/checks.d" --state-dir "$T/state" --only fsigk-http-listening -v
expect_out "doctor now: the gateway listens" "\[ OK \] fsigk-http-listening: tcp/9080 is listening: fsigk_http \(pid $GP\)"
expect_out "doctor -v: and who did before" "when fsigk-bind-address-in-use was logged: \[ OK \] tcp/9080 is listening: httpd \(pid $HP\)"

# --- the textfile: per entry, the lines and the last evidence's worst state
wait_for 5 grep -q 'hostdoctor_watch_events_total{entry="fsigk-bind-address-in-use",product="fsigk"} 2' "$T/watch.prom"
P=$(cat "$T/watch.prom")
grep -q '^hostdoctor_watch_events_total{entry="fsigk-bind-address-in-use",product="fsigk"} 2$' <<<"$P" &&
	ok "textfile: two bind failures counted" || not_ok "textfile" "$P"
grep -q '^hostdoctor_watch_last_evidence_status{entry="fsigk-semget-failure",product="fsigk"} 2$' <<<"$P" &&
	ok "textfile: the semget evidence was CRITICAL" || not_ok "textfile" "$P"
grep -q '^hostdoctor_watch_checks_runs_total{entry="fsigk-semget-failure",product="fsigk"} 1$' <<<"$P" &&
	ok "textfile: its checks ran once" || not_ok "textfile" "$P"
[ "$(stat -c %a "$T/watch.prom")" = 644 ] && ok "textfile 0644" || not_ok "textfile mode"
if [ -x /usr/bin/promtool ]; then
	run /usr/bin/promtool check metrics <"$T/watch.prom"
	[ "$RC" = 0 ] && [ -z "$OUT$ERR" ] && ok "promtool check metrics: the textfile is clean" ||
		not_ok "promtool check metrics" "$OUT$ERR"
	awk '/^Alerts: a catalogued failure/{a=1;next} a&&/^```/{if(b){exit}else{b=1;next}} a&&b' \
		"$HD_SRC/docs/watch.md" >"$T/rules.yml"
	run /usr/bin/promtool check rules "$T/rules.yml"
	expect_out "docs/watch.md's alert rules, as pasted: promtool accepts them" "SUCCESS: 2 rules found"
else
	not_ok "promtool is missing (make deps installs prometheus)"
fi
run "$HOSTDOCTOR" evidence list --state-dir "$T/state"
[ "$(grep -c . <<<"$OUT")" = 3 ] && ok "evidence list: three reports" || not_ok "evidence list" "$OUT"

# --- the reports, the list and explain's JSON against the project's JSON schema
if python3 -c 'import jsonschema' 2>/dev/null; then
	cat >"$T/validate.py" <<'PY'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
v = jsonschema.Draft202012Validator(schema)
for path in sys.argv[3:]:
    doc = json.load(open(path))
    for e in sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))[:3]:
        print("%s: %s: %s" % (path, "/".join(map(str, e.absolute_path)) or "(root)", e.message[:200]))
    if doc.get("kind") != sys.argv[2]:
        print("%s: kind %r" % (path, doc.get("kind")))
PY
	validate() { # NAME KIND FILE...
		local name=$1 kind=$2 got
		shift 2
		got=$(python3 "$T/validate.py" "$HD_SRC/dist/schema/hostdoctor.schema.json" "$kind" "$@" 2>&1)
		[ -z "$got" ] && ok "$name: valid against the schema" || not_ok "$name" "$got"
	}
	validate "the evidence reports" evidence "$T/state/evidence/"*.json
	# the check can fail: a report without its line, or with a field the schema does not know
	for change in 'd["lines"] = []' 'd["extra"] = 1'; do
		python3 -c "import json, sys; d = json.load(open(sys.argv[1])); $change; print(json.dumps(d))" \
			"$(evidence_of fsigk-semget-failure)" >"$T/bad.json"
		got=$(python3 "$T/validate.py" "$HD_SRC/dist/schema/hostdoctor.schema.json" evidence "$T/bad.json")
		[ -n "$got" ] && ok "the schema rejects a report with $change" || not_ok "the schema accepted $change"
	done
	"$HOSTDOCTOR" evidence list -f json --state-dir "$T/state" >"$T/list.json"
	validate "evidence list -f json" evidence_list "$T/list.json"
	"$HOSTDOCTOR" explain -f json -d "$HD_SRC/checks.d" --state-dir "$T/state" "$(head -1 "$T/fsigk.log")" >"$T/explain.json"
	validate "explain -f json with the evidence" explain "$T/explain.json"
	OUT=$(cat "$T/explain.json")
	expect_json "explain -f json: the entry's last evidence" "j['entries'][0]['evidence']['status']" CRITICAL
else
	not_ok "python3-jsonschema is missing (make deps installs it)"
fi

# --- SIGTERM: a clean end
kill "$GP"
kill -TERM "$WP"
wait "$WP"
RC=$?
expect_rc "SIGTERM ends watch cleanly" 0
grep -q "stopped; positions and counters saved" "$T/watch.log" && ok "it says so" || not_ok "log" "$(tail -3 "$T/watch.log")"
# HD_KEEP_EVIDENCE=DIR: the reports and the watch's log kept there (docs/watch.md shows them)
if [ -n "${HD_KEEP_EVIDENCE:-}" ]; then
	mkdir -p "$HD_KEEP_EVIDENCE"
	cp "$T/state/evidence/"*.json "$T/watch.log" "$T/watch.prom" "$HD_KEEP_EVIDENCE/"
	for id in $(ls "$T/state/evidence" | sed 's/\.json$//'); do
		"$HOSTDOCTOR" evidence show --state-dir "$T/state" "$id" >"$HD_KEEP_EVIDENCE/$id.txt"
	done
	"$HOSTDOCTOR" evidence list --state-dir "$T/state" >"$HD_KEEP_EVIDENCE/list.txt"
	printf '%s\n' "$DOCTOR_A" >"$HD_KEEP_EVIDENCE/doctor-after.txt"
fi
finish
