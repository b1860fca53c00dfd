# Every message template of the vendor documents (extracted from ../shared/vendor-docs by
# tests/tools/vendor_messages.py, each filled twice with other values) is explained by the
# catalogue: at least one entry, of the document's product, with the document's severity where it
# gives one; several entries only where they name each other as one event (`related`).
. "$(dirname "$0")/lib.sh"

docs=${HD_VENDOR_DOCS:-$HD_SRC/../shared/vendor-docs}
if [ ! -d "$docs" ]; then
	# the documents sit beside the repository; CI always has them
	if [ "${CI:-}" = true ]; then not_ok "vendor documents not found at $docs"; finish; fi
	echo "SKIP: vendor documents not found at $docs (set HD_VENDOR_DOCS)"
	exit 77
fi
mkdir -p "$HD_TMP/none"
python3 "$HD_SRC/tests/tools/vendor_messages.py" "$docs" >"$HD_TMP/templates.jsonl" ||
	{ not_ok "extracting the templates from $docs"; finish; }

report=$(python3 - "$HOSTDOCTOR" "$HD_TMP/none" "$HD_SRC/catalog" "$HD_TMP/templates.jsonl" <<'PY'
import configparser, glob, json, re, subprocess, sys
exe, nodir, catdir, tmpl = sys.argv[1:5]
related = {}
for f in sorted(glob.glob(catdir + "/*.conf")):
    cp = configparser.ConfigParser(interpolation=None, strict=False, comment_prefixes=(";", "#"),
                                   inline_comment_prefixes=None)
    cp.read(f, encoding="utf-8")
    for sec in cp.sections():
        related[sec] = {x for x in re.split(r"[,\s]+", cp[sec].get("related", "")) if x}
bad, n, per_doc = [], 0, {}
for line in open(tmpl, encoding="utf-8"):
    t = json.loads(line)
    n += 1
    per_doc[t["doc"]] = per_doc.get(t["doc"], 0) + 1
    for inst in t["instances"]:
        out = subprocess.run([exe, "explain", "-d", nodir, inst], capture_output=True,
                             text=True).stdout
        hits = re.findall(r"^([a-z0-9-]+) \(([a-z]+), ([a-z/]+)\)$", out, re.M)
        why = None
        if not hits:
            why = "no entry"
        elif any(p != t["product"] for _, p, _ in hits):
            why = "an entry of another product: " + " ".join(h[0] for h in hits)
        elif len(hits) > 1 and not all(b in related.get(a, ()) for a, _, _ in hits
                                       for b, _, _ in hits if a != b):
            why = "several unrelated entries: " + " ".join(h[0] for h in hits)
        elif t["severity"] and hits[0][2] != t["severity"]:
            why = f"severity {hits[0][2]}, the document says {t['severity']}"
        if why:
            bad.append(f"{t['doc']}: {why}\n       line: {inst}")
print(f"templates {n} " + " ".join(f"{d}={c}" for d, c in sorted(per_doc.items())))
for b in bad:
    print("BAD " + b)
PY
)
echo "$report" | head -1
if grep -q '^templates [1-9]' <<<"$report"; then ok "templates extracted: $(head -1 <<<"$report")"; else not_ok "no templates extracted" "$report"; fi
nbad=$(grep -c '^BAD' <<<"$report")
if [ "$nbad" = 0 ]; then ok "every template instance is explained by its own entry"; else not_ok "$nbad template instances not explained as the document says" "$(grep -A1 '^BAD' <<<"$report")"; fi
finish
