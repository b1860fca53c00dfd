#!/usr/bin/env bash
# What ships fits together: checks.d loads, every check the catalogue names exists, every
# probe type has its reference page, and the live host gets a report from all of it.
. "$(dirname "$0")/lib.sh"

run "$HOSTDOCTOR" list -d "$HD_SRC/checks.d"
expect_rc "shipped checks.d loads" 0
ids=$(awk '{print $1}' <<<"$OUT")
missing=""
for id in $(sed -n 's/^check *= *//p' "$HD_SRC"/catalog/*.conf | tr ',' '\n' | tr -d ' ' | sort -u); do
	grep -qx "$id" <<<"$ids" || missing="$missing $id"
done
[ -z "$missing" ] && ok "every check the catalogue names is shipped" || not_ok "catalogue names unknown checks:$missing"

undocumented=""
for f in "$HD_SRC"/probes/probe_*.c; do
	name=$(awk '/^const struct hd_probe probe_/ { on = 1 }
		on && match($0, /\.name *= *"[a-z0-9-]+"/) { print substr($0, RSTART, RLENGTH); exit }' "$f" |
		sed 's/.*"\(.*\)"/\1/')
	[ -n "$name" ] || { not_ok "$f: no probe definition found"; continue; }
	n_probes=$((${n_probes:-0} + 1))
	[ -f "$HD_SRC/docs/probes/$name.md" ] || undocumented="$undocumented $name"
done
[ "${n_probes:-0}" -ge 20 ] && ok "found $n_probes probe definitions" || not_ok "found only ${n_probes:-0} probe definitions"
[ -z "$undocumented" ] && ok "every probe type has docs/probes/NAME.md" || not_ok "no reference page for:$undocumented"

for p in $(awk '{print $2}' <<<"$OUT" | sort -u); do
	[ -f "$HD_SRC/docs/probes/$p.md" ] || not_ok "shipped check uses undocumented probe $p"
done

# the override docs/checks.md shows: a site file named 90-site.conf is read after every shipped
# file, so a section without `probe` changes a shipped check's keys
mkdir -p "$HD_TMP/site.d"
cp "$HD_SRC"/checks.d/*.conf "$HD_TMP/site.d/"
printf '[file-handles]\nwarning = 0.000001\n' >"$HD_TMP/site.d/90-site.conf"
run "$HOSTDOCTOR" nagios -d "$HD_TMP/site.d" file-handles
expect_rc "90-site.conf overrides a shipped check's threshold" 1
for f in "$HD_SRC"/checks.d/*.conf; do
	[[ "$(basename "$f")" < 90-site.conf ]] || not_ok "shipped $(basename "$f") sorts after 90-site.conf"
done

run "$HOSTDOCTOR" doctor -d "$HD_SRC/checks.d" -f json
[ "$RC" -le 3 ] && ok "live doctor with the shipped checks.d (exit $RC)" || not_ok "live doctor exit $RC" "$ERR"
expect_json "no check crashed" '[c["id"] for c in j["checks"] if "crashed" in c["summary"]]' "[]"
expect_json "every non-OK check has a remedy" '[c["id"] for c in j["checks"] if c["status"] in ("WARNING","CRITICAL") and not c["remedy"]]' "[]"
finish
