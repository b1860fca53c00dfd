# JSON: every kind of document hostdoctor writes -- the report of doctor, nagios and preflight,
# list, list --probes, explain, and the error document -- validates against the shipped schema
# (dist/schema/hostdoctor.schema.json, draft 2020-12) with python3-jsonschema; errors in JSON
# mode are a document on stdout with exit 3, nothing on stderr.
. "$(dirname "$0")/lib.sh"
SCHEMA="$HD_SRC/dist/schema/hostdoctor.schema.json"
python3 -c 'import jsonschema' 2>/dev/null || { not_ok "python3-jsonschema is missing (make deps installs it)"; finish; }

cat >"$HD_TMP/validate.py" <<'EOF'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(sys.stdin)
v = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
errors = sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))
for e in errors[:5]:
    print('%s: %s' % ('/'.join(map(str, e.absolute_path)) or '(root)', e.message[:300]))
if doc.get('kind') != sys.argv[2]:
    print('kind %r, wanted %r' % (doc.get('kind'), sys.argv[2]))
if doc.get('schema') != 2:
    print('schema %r' % doc.get('schema'))
EOF
# validate NAME KIND: $OUT against the schema, and its kind
validate() {
	local got
	got=$(python3 "$HD_TMP/validate.py" "$SCHEMA" "$2" <<<"$OUT" 2>&1)
	if [ -z "$got" ]; then ok "$1: valid $2 document"; else not_ok "$1: not valid against the schema" "$got"; fi
}

run python3 -c "import json, jsonschema; jsonschema.Draft202012Validator.check_schema(json.load(open('$SCHEMA')))"
expect_rc "the schema is a valid draft 2020-12 schema" 0
# the test can fail: a document with a state the schema does not know, or a field it does not
run "$HOSTDOCTOR" nagios -f json --probe file-handles
for change in 'd["checks"][0]["status"] = "FINE"' 'd["extra"] = 1' 'd["checks"][0]["remediation"] = {"hint": None, "commands": ["ls -l"], "files": [], "packages": [], "units": []}'; do
	bad=$(python3 -c "import json, sys; d = json.load(sys.stdin); $change; print(json.dumps(d))" <<<"$OUT")
	got=$(python3 "$HD_TMP/validate.py" "$SCHEMA" report <<<"$bad" 2>&1)
	[ -n "$got" ] && ok "the schema rejects: $change" || not_ok "the schema accepted: $change"
done

# a checks.d with every kind of result: OK, WARNING (a range), CRITICAL with a structured
# remedy, UNKNOWN, SKIPPED, an inhibitor, a configured severity
conf 10-all.conf <<EOF
[fh]
probe = file-handles
tags = base, t
[fh-warn]
probe = file-handles
warning = ~:0
tags = t
[sem-crit]
probe = semaphores
need_arrays = 1000000000
inhibitor = yes
severity = low
tags = t, prod
[nothing]
probe = path
path = /nonexistent/hostdoctor-test
type = dir
only_if_exists = /nonexistent/hostdoctor-test
tags = t, prod
[port-free]
probe = port
port = 1
expect = free
test_bind = no
inhibitor = yes
tags = prod
EOF
D=(-d "$HD_TMP/checks.d")

run "$HOSTDOCTOR" doctor "${D[@]}" --only t -f json
validate "doctor report" report
expect_json "doctor: every state there" "sorted(c['status'] for c in j['checks'])" "['CRITICAL', 'OK', 'SKIPPED', 'WARNING']"
expect_json "structured remedy: a command as an argv list" "[c['remediation']['commands'][0][:2] for c in j['checks'] if c['id']=='sem-crit'][0]" "['sysctl', '-w']"
expect_json "structured remedy: the file it concerns" "'/etc/sysctl.d/90-semaphores.conf' in [c['remediation']['files'] for c in j['checks'] if c['id']=='sem-crit'][0]" True
expect_json "severity apart from the state (configured low on a CRITICAL)" "[(c['status'], c['severity']) for c in j['checks'] if c['id']=='sem-crit'][0]" "('CRITICAL', 'low')"
expect_json "flags: inhibitor" "[c['flags'] for c in j['checks'] if c['id']=='sem-crit'][0]" "['inhibitor']"
expect_json "the remedy text stays for old consumers" "[c['remedy'] == c['remediation']['hint'] for c in j['checks'] if c['id']=='sem-crit'][0]" "True"

mkdir -p "$HD_TMP/emptyroot"
run "$HOSTDOCTOR" nagios "${D[@]}" -f json --root "$HD_TMP/emptyroot" sem-crit
validate "nagios report with an UNKNOWN" report
expect_json "nagios: UNKNOWN" "j['checks'][0]['status']" UNKNOWN
run "$HOSTDOCTOR" nagios -f json --probe tmp-space --set dir=/tmp -w 1:
validate "nagios --probe report" report
run "$HOSTDOCTOR" preflight "${D[@]}" --profile prod -f json
validate "preflight report" report
expect_json "preflight: blockers" "(j['ready'], j['blockers'])" "(False, ['sem-crit'])"
expect_json "preflight: report name" "j['report']" "preflight-prod"
run "$HOSTDOCTOR" list "${D[@]}" -f json
validate "list" list
expect_json "list: every check" "len(j['checks'])" 5
expect_json "list: a key with where it was set" "[(p['key'], p['value'], p['line']) for c in j['checks'] if c['id']=='sem-crit' for p in c['params'] if p['key']=='need_arrays'][0]" "('need_arrays', '1000000000', 10)"
run "$HOSTDOCTOR" list --probes -f json
validate "list --probes" probes
expect_json "list --probes: every probe type" "len(j['probes']) >= 20" True
run "$HOSTDOCTOR" list -f json
validate "list of the shipped checks" list
run "$HOSTDOCTOR" explain "${D[@]}" -f json "CRITICAL [http:main.c:1289] bind=Address already in use(98) (addr=0.0.0.0, port=9080)."
validate "explain, a match" explain
expect_json "explain: an entry" "len(j['entries']) >= 1" True
run "$HOSTDOCTOR" explain -f json "nothing a catalogue knows"
expect_rc "explain, no match" 1
validate "explain, no match" explain
expect_json "explain, no match: empty" "(j['entries'], j['checks'])" "([], [])"

# --- errors in JSON mode: a document on stdout, exit 3, stderr empty ---
error_doc() {
	local name=$1
	shift
	run "$@"
	expect_rc "$name: exit 3" 3
	validate "$name" error
	[ -z "$ERR" ] && ok "$name: nothing on stderr" || not_ok "$name: stderr" "$ERR"
}
error_doc "unknown option" "$HOSTDOCTOR" doctor -f json --bogus
error_doc "unknown option before -f json" "$HOSTDOCTOR" nagios --bogus --format=json
error_doc "nagios without a check" "$HOSTDOCTOR" nagios -f json
error_doc "--set with an unknown key" "$HOSTDOCTOR" nagios "${D[@]}" -f json fh --set nope=1
expect_json "--set error names the key" "'unknown key \\'nope\\'' in j['error']" True
error_doc "--set with a bad value" "$HOSTDOCTOR" nagios -f json --probe port --set port=http
expect_json "--set bad value names the key and the value" "j['error']" "--set 'port=http': port = 'http' is not a whole number"
conf 20-bad.conf <<'EOF'
[bad]
probe = file-handles
warning = 10:5
EOF
error_doc "a checks.d error" "$HOSTDOCTOR" doctor "${D[@]}" -f json
expect_json "the checks.d error names file and line" "'20-bad.conf:3: warning' in j['error']" True
error_doc "list with a checks.d error" "$HOSTDOCTOR" list "${D[@]}" -f json
error_doc "preflight without a profile" "$HOSTDOCTOR" preflight -f json
rm -f "$HD_TMP/checks.d/20-bad.conf"
# the same error without JSON: on stderr, as before
run "$HOSTDOCTOR" doctor --bogus
expect_rc "text mode error" 3
[ -z "$OUT" ] && expect_err "text mode error on stderr" "^hostdoctor: unknown option" || not_ok "text mode error on stdout" "$OUT"
finish
