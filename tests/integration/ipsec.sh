# ipsec: real XFRM policies in a private network namespace, and key files made here.
. "$(dirname "$0")/lib.sh"
need_root
unshare -n true 2>/dev/null || { echo "SKIP: cannot create a network namespace"; finish; }

conf a.conf <<EOF
[ipsec]
probe = ipsec
EOF

# in_netns SETUP-COMMANDS -- HOSTDOCTOR-ARGS...: a fresh namespace, the policies, then the probe
cat >"$HD_TMP/ns.sh" <<'EOF'
setup=$1; shift
eval "$setup" || exit 99
exec "$HOSTDOCTOR" "$@"
EOF
in_netns() { local s=$1; shift; run unshare -n bash "$HD_TMP/ns.sh" "$s" "$@"; }
metric() { json_get "[m['value'] for m in j['checks'][0]['metrics'] if m['name']=='$1'][0]"; }

# --- nothing installed -------------------------------------------------------------------------
in_netns ":" doctor -d "$HD_TMP/checks.d" --format json
expect_rc "no policy" 0
expect_json "no policy: SKIPPED" "j['checks'][0]['status']" SKIPPED

# a block policy carries no template: still nothing IPsec needs
in_netns "ip xfrm policy add src 10.9.0.1/32 dst 10.9.0.2/32 dir out action block" \
	doctor -d "$HD_TMP/checks.d" --format json
expect_json "block policy only: SKIPPED" "j['checks'][0]['status']" SKIPPED
expect_json "block policy only: counted" "'1 XFRM policy' in j['checks'][0]['summary']" True

# --- a tunnel as an IKE daemon installs it (out, in, fwd), and no SA: this kernel has no ESP ----
TUNNEL="ip xfrm policy add src 10.0.0.1/32 dst 10.0.0.2/32 dir out \
	tmpl src 10.0.0.1 dst 10.0.0.2 proto esp mode tunnel reqid 5 &&
ip xfrm policy add src 10.0.0.2/32 dst 10.0.0.1/32 dir in \
	tmpl src 10.0.0.2 dst 10.0.0.1 proto esp mode tunnel reqid 5 &&
ip xfrm policy add src 10.0.0.2/32 dst 10.0.0.1/32 dir fwd \
	tmpl src 10.0.0.2 dst 10.0.0.1 proto esp mode tunnel reqid 5"
in_netns "$TUNNEL" doctor -d "$HD_TMP/checks.d" --format json
expect_rc "tunnel without SAs" 2
expect_json "tunnel without SAs: CRITICAL" "j['checks'][0]['status']" CRITICAL
expect_json "tunnel without SAs: both directions, reported once" "$(printf '%s' "j['checks'][0]['details'].count('SA not found')")" 2
expect_json "tunnel without SAs: outbound named" \
	"'SA not found: outbound ESP 10.0.0.1 -> 10.0.0.2 (tunnel mode, reqid 5' in j['checks'][0]['details']" True
expect_json "tunnel without SAs: inbound named" \
	"'SA not found: inbound ESP 10.0.0.2 -> 10.0.0.1' in j['checks'][0]['details']" True
expect_json "tunnel without SAs: IKE remedy" "'restart IKE' in j['checks'][0]['remedy']" True
[ "$(metric missing_sas)" = 2.0 ] && ok "missing_sas = 2" || not_ok "missing_sas = $(metric missing_sas)" "$OUT"
[ "$(metric policies)" = 3.0 ] && ok "policies = 3" || not_ok "policies = $(metric policies)" "$OUT"

# transport mode: the template leaves the addresses to the selector
in_netns "ip xfrm policy add src 192.0.2.1 dst 192.0.2.9 proto tcp dir out tmpl proto ah mode transport" \
	nagios -d "$HD_TMP/checks.d" ipsec
expect_rc "transport policy without SAs" 2
expect_out "transport: the selector's addresses" "1 SA|2 SAs missing"

# level use (optional): traffic flows without the SA
# (the kernel refuses optional tunnel templates in outbound policies)
in_netns "ip xfrm policy add src 10.0.0.2/32 dst 10.0.0.1/32 dir in \
	tmpl src 10.0.0.2 dst 10.0.0.1 proto esp mode tunnel level use" \
	doctor -d "$HD_TMP/checks.d" --format json
expect_json "optional template: OK" "j['checks'][0]['status']" OK

# --- key files ---------------------------------------------------------------------------------
K=$HD_TMP/keys
mkdir -p "$K"
pem() { echo "-----BEGIN $1-----"; head -c 90 /dev/urandom | base64 -w 64; echo "-----END $1-----"; }
pem "PRIVATE KEY" >"$K/good.key" && chmod 600 "$K/good.key"
pem CERTIFICATE >"$K/good.crt" && chmod 644 "$K/good.crt"
pem "RSA PRIVATE KEY" >"$K/loose.key" && chmod 644 "$K/loose.key"
pem "PRIVATE KEY" >"$K/nobody.key" && chmod 600 "$K/nobody.key" && chown 65534 "$K/nobody.key"
pem CERTIFICATE | head -n 2 >"$K/cut.crt" && chmod 644 "$K/cut.crt"
echo "not a key" >"$K/junk.pem" && chmod 600 "$K/junk.pem"

conf a.conf <<EOF
[ipsec]
probe     = ipsec
key_files = $K/good.key $K/good.crt
EOF
in_netns "$TUNNEL" doctor -d "$HD_TMP/checks.d" --format json
expect_json "good key files: no key problem" "$(printf '%s' "[m['value'] for m in j['checks'][0]['metrics'] if m['name']=='key_problems'][0]")" 0.0
expect_json "good key files: listed" "'good.key: private key, 1 PEM block, mode 0600, owner root' in j['checks'][0]['details']" True

conf a.conf <<EOF
[ipsec]
probe     = ipsec
key_files = $K/good.key, $K/loose.key, $K/nobody.key
key_files = $K/cut.crt $K/junk.pem $K/absent.key
EOF
in_netns ":" doctor -d "$HD_TMP/checks.d" --format json
expect_rc "bad key files, no policy" 2
expect_json "bad key files: CRITICAL even without a policy" "j['checks'][0]['status']" CRITICAL
expect_json "bad key files: 5 problems" "$(printf '%s' "[m['value'] for m in j['checks'][0]['metrics'] if m['name']=='key_problems'][0]")" 5.0
expect_json "loose mode: chmod 600" "'chmod 600 $K/loose.key' in j['checks'][0]['remedy']" True
expect_json "loose mode: named" "'loose.key: private key with mode 0644' in j['checks'][0]['details']" True
expect_json "not root's: chown" "'chown root:root $K/nobody.key' in j['checks'][0]['remedy']" True
expect_json "cut certificate: truncated" "'cut.crt: not valid PEM: no -----END CERTIFICATE----- line' in j['checks'][0]['details']" True
expect_json "junk: not PEM" "'junk.pem: not valid PEM' in j['checks'][0]['details']" True
expect_json "absent: missing" "'absent.key: missing' in j['checks'][0]['details']" True
expect_json "good key untouched" "'good.key: private key' in j['checks'][0]['details']" True

# the same files seen through --root
mkdir -p "$HD_TMP/root/etc/ipsec.d/private"
cp -p "$K/loose.key" "$HD_TMP/root/etc/ipsec.d/private/peer.key"
conf a.conf <<EOF
[ipsec]
probe     = ipsec
key_files = /etc/ipsec.d/private/peer.key
EOF
in_netns ":" doctor -d "$HD_TMP/checks.d" --root "$HD_TMP/root" --format json
expect_json "key files under --root" "'/etc/ipsec.d/private/peer.key: private key with mode 0644' in j['checks'][0]['details']" True

finish
