# Every row of the vendor-facts audit (../shared/vendor-facts-audit.md) has a verdict, fixed or
# justified, in docs/vendor-facts/: a fact the project states is either the document's or marked
# as the project's own.
. "$(dirname "$0")/lib.sh"

audit=${HD_VENDOR_AUDIT:-$HD_SRC/../shared/vendor-facts-audit.md}
if [ ! -f "$audit" ]; then
	if [ "${CI:-}" = true ]; then not_ok "the facts audit is not at $audit"; finish; fi
	echo "SKIP: the facts audit is not at $audit (set HD_VENDOR_AUDIT)"
	exit 77
fi
report=$(python3 - "$audit" "$HD_SRC/docs/vendor-facts" <<'PY'
import glob, re, sys
audit, pages = sys.argv[1:3]
rows = {int(m.group(1)) for m in re.finditer(r"^\| (\d+) \| \w+ \|", open(audit).read(), re.M)}
verdict = {}
for f in glob.glob(pages + "/*.md"):
    if f.endswith("README.md"):
        continue
    for m in re.finditer(r"^\| *(\d+) *\|.*\| *([^|]*?) *\|\s*$", open(f).read(), re.M):
        verdict.setdefault(int(m.group(1)), []).append(m.group(2).lower())
print(f"rows {len(rows)}")
for n in sorted(rows):
    v = " ".join(verdict.get(n, []))
    if not re.search(r"\b(fixed|justified|matches)\b", v):
        print(f"NOVERDICT {n}: {v or 'no row in docs/vendor-facts'}")
PY
)
if grep -q '^rows [1-9]' <<<"$report"; then ok "audit read: $(head -1 <<<"$report")"; else not_ok "audit not read" "$report"; fi
if grep -q NOVERDICT <<<"$report"; then not_ok "rows without a verdict" "$(grep NOVERDICT <<<"$report")"; else ok "every audit row is fixed or justified in docs/vendor-facts"; fi
finish
