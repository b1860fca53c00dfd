# ipsec (the project's own Linux XFRM check): real XFRM policies in a private network namespace.
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
expect_json "tunnel without SAs: both directions, reported once" "$(printf '%s' "j['checks'][0]['details'].count('missing SA')")" 2
expect_json "tunnel without SAs: outbound named" \
	"'missing SA: outbound ESP 10.0.0.1 -> 10.0.0.2 (tunnel mode, reqid 5' in j['checks'][0]['details']" True
expect_json "tunnel without SAs: inbound named" \
	"'missing SA: inbound ESP 10.0.0.2 -> 10.0.0.1' in j['checks'][0]['details']" True
expect_json "tunnel without SAs: IKE remedy" "'has not negotiated it' in j['checks'][0]['remedy']" True
expect_json "tunnel without SAs: no product's restart command" "'strongswan' in j['checks'][0]['remedy'] or 'swanctl' in j['checks'][0]['remedy']" False
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

finish
