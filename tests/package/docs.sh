#!/usr/bin/env bash
# Man pages and the probe reference: each page passes `man --warnings` and lexgrog; every
# parameter and metric of every probe in the code (list --probes -f json, the probe table)
# appears in the generated hostdoctor-probes(7) and in the probe's docs/probes page.
. "$HD_SRC/tests/integration/lib.sh"
M=$HD_BUILD/man

for page in hostdoctor.1 hostdoctor.conf.5 hostdoctor-probes.7; do
	if [ ! -s "$M/$page" ]; then not_ok "$page was not built"; continue; fi
	run env MANWIDTH=80 man --warnings -E UTF-8 -l "$M/$page"
	w=$(grep -v '^$' <<<"$ERR" || true)
	[ "$RC" -eq 0 ] && [ -z "$w" ] && ok "man --warnings $page: clean" || not_ok "man --warnings $page" "$ERR"
	run lexgrog "$M/$page"
	expect_rc "lexgrog $page" 0
	expect_out "$page has a NAME line" "^$M/$page: \"hostdoctor"
done
# a page with a roff mistake gives warnings: the check can fail
printf '.TH X 1\n.SH NAME\nx \\- y\n.BOGUS\n\\fBunclosed\n.ZZ\n' >"$HD_TMP/bad.1"
run man --warnings -l "$HD_TMP/bad.1"
grep -q . <<<"$ERR" && ok "man --warnings reports a bad page" || not_ok "no warning for a bad page"

run "$HOSTDOCTOR" list --probes -f json
expect_rc "list --probes -f json" 0
printf '%s' "$OUT" >"$HD_TMP/probes.json"
cat >"$HD_TMP/check.py" <<'PY'
import json, re, sys
probes = json.load(open(sys.argv[1]))["probes"]
page = open(sys.argv[2]).read().replace("\\", "")
docs = sys.argv[3]
print(f"probes {len(probes)}")
for p in probes:
    sect = page.split(f"\n## {p['name']}\n", 1)
    sect = sect[1].split("\n## ", 1)[0] if len(sect) == 2 else ""
    if not sect:
        print(f"MISSING man: no section for probe {p['name']}")
    try:
        doc = open(f"{docs}/{p['name']}.md").read()
    except OSError:
        print(f"MISSING docs: no docs/probes/{p['name']}.md")
        doc = ""
    items = [("parameter", q["key"]) for q in p["params"]] + [("metric", m["name"]) for m in p["metrics"]]
    for kind, k in items:
        if f"*{k}*" not in sect:
            print(f"MISSING man: {p['name']} {kind} {k}")
        if f"`{k}`" not in doc:
            print(f"MISSING docs: {p['name']} {kind} {k} (docs/probes/{p['name']}.md)")
    if doc and "\n## Privileges\n" not in doc:
        print(f"MISSING docs: docs/probes/{p['name']}.md has no Privileges section")
    for q in p["params"]:
        if q["default"] and not q["required"] and q["default"] not in sect:
            print(f"MISSING man: {p['name']} default of {q['key']} ({q['default']})")
PY
python3 "$HD_TMP/check.py" "$HD_TMP/probes.json" "$M/hostdoctor-probes.7.scd" "$HD_SRC/docs/probes" >"$HD_TMP/missing"
n=$(sed -n 's/^probes //p' "$HD_TMP/missing")
[ "${n:-0}" -ge 20 ] && ok "the probe table has $n probes" || not_ok "probe table: '${n}'"
grep -q "^MISSING man" "$HD_TMP/missing" && not_ok "hostdoctor-probes(7) lacks" "$(grep '^MISSING man' "$HD_TMP/missing")" ||
	ok "every parameter, default and metric is in hostdoctor-probes(7)"
grep -q "^MISSING docs" "$HD_TMP/missing" && not_ok "docs/probes lacks" "$(grep '^MISSING docs' "$HD_TMP/missing")" ||
	ok "every parameter and metric is in its docs/probes page"
# the comparison can fail: a parameter in the code that no page has is reported
python3 - "$HD_TMP/probes.json" <<'PY' >"$HD_TMP/one.json"
import json, sys
j = json.load(open(sys.argv[1]))
j["probes"][0]["params"].append({"key": "no_such_key_anywhere", "default": None, "required": False})
print(json.dumps(j))
PY
python3 "$HD_TMP/check.py" "$HD_TMP/one.json" "$M/hostdoctor-probes.7.scd" "$HD_SRC/docs/probes" >"$HD_TMP/missing1"
[ "$(grep -c no_such_key_anywhere "$HD_TMP/missing1")" = 2 ] && ok "an undocumented parameter is reported for both" ||
	not_ok "undocumented parameter not caught" "$(cat "$HD_TMP/missing1")"
finish
