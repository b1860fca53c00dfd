# smtp-reach against SMTP servers started here on loopback in a private network namespace:
# greeting 220 + EHLO, greeting 554, an SMTP-only server (HELO), a silent server, nothing
# listening, and names a silent or NXDOMAIN DNS server cannot resolve.
. "$(dirname "$0")/../helpers/netns.sh"
netns_enter "$@"
. "$(dirname "$0")/lib.sh"
ip link set lo up

serve mx smtp 127.0.0.1 2525 220
serve reject smtp 127.0.0.1 2554 554
serve busy smtp 127.0.0.1 2421 421
serve old smtp-noehlo 127.0.0.1 2526
serve relay smtp-rcpt 127.0.0.1 2527 550
serve greylist smtp-rcpt 127.0.0.1 2528 450
serve nosender smtp-from 127.0.0.1 2529 553
serve silent silent 127.0.0.1 2599
serve web http 127.0.0.1 2580 200
serve dns-silent dns-silent 127.0.0.1 53
serve dns-nx dns-nxdomain 127.0.0.2 53
servers_ready
{ echo "127.0.0.1 mx.example.test"; cat /etc/hosts; } >"$HD_TMP/hosts"
mount --bind "$HD_TMP/hosts" /etc/hosts
on_exit "umount /etc/hosts"

check() { # ID KEY=VALUE...: one smtp-reach check
	local id=$1
	shift
	{
		echo "[$id]"
		echo "probe = smtp-reach"
		printf '%s\n' "$@"
	} | conf smtp.conf
	run "$HOSTDOCTOR" -d "$HD_TMP/checks.d" --format json
}
status() { expect_json "$1: status" 'j["checks"][0]["status"]' "$2"; }
summary() {
	local got
	got=$(json_get 'j["checks"][0]["summary"]')
	if grep -Eq -- "$2" <<<"$got"; then ok "$1: summary"; else not_ok "$1: summary lacks /$2/" "$got"; fi
}
has_metric() { expect_json "$1: metric $2" "any(m['name']=='$2' for m in j['checks'][0]['metrics'])" "$3"; }

check ok "host = mx.example.test" "port = 2525"
expect_rc "220 + EHLO 250" 0
summary "220 + EHLO 250" 'SMTP server mx.example.test:2525, 127.0.0.1 greeted in .* and answered EHLO'
has_metric "220 + EHLO 250" connect_time True
has_metric "220 + EHLO 250" greeting_time True
expect_json "EHLO extensions in details" '"SIZE 10240000" in j["checks"][0]["details"]' True

check reject "host = 127.0.0.1" "port = 2554"
expect_rc "greeting 554" 2
summary "greeting 554" 'SMTP server rejected: 554 test.invalid No SMTP service here'

check busy "host = 127.0.0.1" "port = 2421"
expect_rc "greeting 421 (temporary)" 1
summary "greeting 421 (temporary)" 'SMTP server rejected: 421'

check old "host = 127.0.0.1" "port = 2526"
expect_rc "EHLO 502, HELO 250" 0
expect_json "EHLO 502 noted" '"EHLO: 502" in j["checks"][0]["details"]' True

# the envelope: MAIL FROM and RCPT TO, then RSET and QUIT, never DATA
rm -f "$HD_TMP/ready.relay.rset" "$HD_TMP/ready.relay.data"
check rcpt-ok "host = 127.0.0.1" "port = 2527" "mail_from = gw@example.test" "rcpt_to = postmaster"
expect_rc "MAIL FROM and RCPT TO accepted" 0
summary "MAIL FROM and RCPT TO accepted" 'accepted MAIL FROM:<gw@example.test> and RCPT TO:<postmaster>'
expect_json "RCPT TO reply in details" '"RCPT TO:<postmaster>: 250 2.1.5 Ok" in j["checks"][0]["details"]' True
[ -s "$HD_TMP/ready.relay.rset" ] && ok "the envelope was reset (RSET sent)" || not_ok "no RSET reached the server"

check rcpt-rejected "host = 127.0.0.1" "port = 2527" "mail_from = gw@example.test" "rcpt_to = nobody@example.test"
expect_rc "RCPT TO rejected (550)" 2
summary "RCPT TO rejected (550)" '^SMTP server rejected RCPT TO: 550 5.7.1 <nobody@example.test>: Relay access denied'
expect_json "the gateway's words in details" '"smtp error: RCPT TO: buf=[550 5.7.1 <nobody@example.test>: Relay access denied] (expected 250)" in j["checks"][0]["details"]' True
expect_json "MAIL FROM accepted before it" '"MAIL FROM:<gw@example.test>: 250 2.1.0 Ok" in j["checks"][0]["details"]' True
expect_json "remedy names the recipient rules" '"refuses the recipient (550)" in j["checks"][0]["remedy"]' True

check rcpt-null-sender "host = 127.0.0.1" "port = 2527" "rcpt_to = postmaster, nobody@example.test"
expect_rc "second recipient rejected, null sender" 2
expect_json "null reverse-path without mail_from" '"MAIL FROM:<>: 250 2.1.0 Ok" in j["checks"][0]["details"]' True
summary "second recipient rejected, null sender" 'rejected RCPT TO: 550'

check rcpt-greylist "host = 127.0.0.1" "port = 2528" "mail_from = gw@example.test" "rcpt_to = admin@example.test"
expect_rc "RCPT TO 450 is temporary" 1
summary "RCPT TO 450 is temporary" 'rejected RCPT TO: 450'

check sender-rejected "host = 127.0.0.1" "port = 2529" "mail_from = gw@example.test" "rcpt_to = postmaster"
expect_rc "MAIL FROM rejected (553)" 2
summary "MAIL FROM rejected (553)" '^SMTP server rejected MAIL FROM: 553'
expect_json "no RCPT TO after a rejected sender" 'any("RCPT TO" in d for d in j["checks"][0]["details"])' False
[ -e "$HD_TMP/ready.relay.data" ] || [ -e "$HD_TMP/ready.greylist.data" ] || [ -e "$HD_TMP/ready.nosender.data" ] &&
	not_ok "DATA was sent to a test server" || ok "DATA was never sent"

check silent "host = 127.0.0.1" "port = 2599" "max_time = 1.5"
expect_rc "never greets" 2
summary "never greets" 'SMTP server did not greet within 1.5 s'
has_metric "never greets" greeting_time False
elapsed_below "never greets: bounded" 5

check web "host = 127.0.0.1" "port = 2580" "max_time = 1"
expect_rc "not an SMTP server" 2
summary "not an SMTP server" 'did not greet|not SMTP|closed the connection'

check refused "host = 127.0.0.1" "port = 2598"
expect_rc "nothing listens" 2
summary "nothing listens" 'cannot connect to SMTP server 127.0.0.1:2598: Connection refused'

use_nameserver 127.0.0.1
check dns-silent "host = mail.example.test" "max_time = 2"
expect_rc "silent DNS" 2
summary "silent DNS" 'cannot resolve SMTP server mail.example.test: no DNS answer within 2.0 s'
elapsed_below "silent DNS: bounded" 6

use_nameserver 127.0.0.2
check dns-nx "host = mail.example.test"
expect_rc "NXDOMAIN" 2
summary "NXDOMAIN" 'cannot resolve SMTP server mail.example.test: Name or service not known'

finish
