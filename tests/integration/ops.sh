#!/usr/bin/env bash
# ops profile: on this host every per-service check applies exactly where its program is
# installed (SKIPPED elsewhere); the WWW and mail servers the test starts on loopback (python's
# http.server, an SMTP listener) are found by the client-side checks; a site file adds its own
# service as docs/ops-routine.md shows, and a stopped service is CRITICAL.
. "$(dirname "$0")/lib.sh"
in_private_netns "$@"
OPS=$HD_SRC/checks.d/50-ops.conf

# 1. the live host: SKIPPED exactly where the program is absent
run "$HOSTDOCTOR" doctor -d "$HD_SRC/checks.d" --only ops --skip ops-logins --skip ops-baseline -f json
[ "$RC" -le 3 ] && ok "ops profile runs (exit $RC)" || not_ok "ops profile exit $RC" "$ERR"
n=0
while read -r id path; do
	n=$((n + 1))
	got=$(j "$id" "['status']" 2>&1)
	if [ -e "$path" ]; then
		[ "$got" != SKIPPED ] && ok "$id applies ($path installed)" || not_ok "$id SKIPPED although $path exists"
	else
		[ "$got" = SKIPPED ] && ok "$id SKIPPED ($path absent)" || not_ok "$id is $got although $path is absent" "$OUT"
	fi
done < <(awk '/^\[/ { id = substr($1, 2, length($1) - 2) } /^only_if_exists/ { print id, $3 }' "$OPS")
[ "$n" -ge 25 ] && ok "$n per-service checks looked at" || not_ok "only $n per-service checks in $OPS"

# 2. the client-side checks find the servers the test starts; ROOT marks them installed
ROOT=$HD_TMP/root
mkdir -p "$ROOT/var/www/html" "$ROOT/usr/sbin"
: >"$ROOT/usr/sbin/sendmail"
echo '<h1>home</h1>' >"$ROOT/var/www/html/index.html"
(cd "$ROOT/var/www/html" && exec python3 -m http.server 80 --bind 127.0.0.1) >/dev/null 2>&1 &
WWW=$!
on_exit "kill $WWW"
python3 "$HD_SRC/tests/helpers/hdt_netd.py" smtp 127.0.0.1 25 "$HD_TMP/smtp.ready" 220 &
SMTP=$!
on_exit "kill $SMTP"
for _ in $(seq 200); do
	[ -e "$HD_TMP/smtp.ready" ] && ss -Hltn 'sport = :80' | grep -q . && break
	sleep 0.05
done
run "$HOSTDOCTOR" doctor -d "$HD_SRC/checks.d" --only ops-www-home --only ops-mail-smtp -r "$ROOT" -f json
expect_check "the home page of the WWW server is found" ops-www-home "['status']" OK
expect_check "the local SMTP listener is found" ops-mail-smtp "['status']" OK
expect_check_re "it greeted and took EHLO" ops-mail-smtp "['summary']" "220|EHLO"

# 3. a site adds its own service with a file of a later name (docs/ops-routine.md)
conf 90-site.conf <<'EOF2'
[site-www]
probe       = process
name        = python3
cmdline     = -m http\.server 80( |$)
tags        = ops, www, site
description = Our WWW server (python's http.server on port 80) runs.

[site-www-home]
probe       = http-reach
url         = http://localhost/
tags        = ops, www, site
description = Our home page shows.
EOF2
run "$HOSTDOCTOR" doctor -d "$HD_SRC/checks.d" -d "$HD_TMP/checks.d" --only site -f json
expect_rc "the site's service runs" 0
expect_check "its process is found" site-www "['status']" OK
expect_check "its home page is found" site-www-home "['status']" OK
stop $WWW
run "$HOSTDOCTOR" doctor -d "$HD_SRC/checks.d" -d "$HD_TMP/checks.d" --only site -f json
expect_rc "stopped: CRITICAL" 2
expect_check "the process check says so" site-www "['status']" CRITICAL
expect_check "the home page check says so" site-www-home "['status']" CRITICAL
run "$HOSTDOCTOR" doctor -d "$HD_SRC/checks.d" --only ops-www-home -r "$ROOT" -f json
expect_check "the shipped home-page check too" ops-www-home "['status']" CRITICAL
finish
