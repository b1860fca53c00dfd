# http-reach against servers, proxies and DNS servers started here, on loopback in a private
# network namespace: 200, 503, a silent server, refused, CONNECT and forward proxies, a proxy
# that refuses CONNECT, a DNS server that never answers and one that says NXDOMAIN.
. "$(dirname "$0")/../helpers/netns.sh"
netns_enter "$@"
. "$(dirname "$0")/lib.sh"
ip link set lo up

serve ok http 127.0.0.1 8080 200
serve unavailable http 127.0.0.1 8503 503
serve notfound http 127.0.0.1 8404 404
serve silent silent 127.0.0.1 8099
serve proxy proxy 127.0.0.1 3128
serve proxy403 proxy-deny 127.0.0.1 3129 403
serve proxy407 proxy-deny 127.0.0.1 3130 407
serve dns-silent dns-silent 127.0.0.1 53
serve dns-nx dns-nxdomain 127.0.0.2 53
servers_ready

check() { # ID KEY=VALUE...: one http-reach check
	local id=$1
	shift
	{
		echo "[$id]"
		echo "probe = http-reach"
		printf '%s\n' "$@"
	} | conf http.conf
	run "$HOSTDOCTOR" -d "$HD_TMP/checks.d" --format json
}
status() { expect_json "$1: status" 'j["checks"][0]["status"]' "$2"; }
summary() {
	local got
	got=$(json_get 'j["checks"][0]["summary"]')
	if grep -Eq -- "$2" <<<"$got"; then ok "$1: summary"; else not_ok "$1: summary lacks /$2/" "$got"; fi
}
metric() { expect_json "$1: $2" "[m['value'] for m in j['checks'][0]['metrics'] if m['name']=='$2'][0]" "$3"; }

check ok "url = http://127.0.0.1:8080/"
expect_rc "200" 0
summary 200 'answered HTTP 200'
metric 200 status_code 200.0
expect_json "200: total_time > 0" '[m["value"] > 0 for m in j["checks"][0]["metrics"] if m["name"]=="total_time"][0]' True

check head "url = http://127.0.0.1:8080/" "method = head"
expect_rc "HEAD 200" 0

check u503 "url = http://127.0.0.1:8503/"
expect_rc "503" 1
summary 503 'HTTP 503 Service Unavailable'
metric 503 status_code 503.0

check u503ok "url = http://127.0.0.1:8503/" "expect_status = 2xx, 503"
expect_rc "503 listed in expect_status" 0

check nf "url = http://127.0.0.1:8404/"
expect_rc "404" 2
summary 404 'answered HTTP 404.*expected 200-399'

check bad "url = http://127.0.0.1:8080/" "expect_status = 2xx, teapot"
expect_rc "bad expect_status" 3
summary "bad expect_status" "expect_status 'teapot'"

check refused "url = http://127.0.0.1:8098/"
expect_rc "refused" 2
summary refused 'cannot connect to 127.0.0.1:8098'

check silent "url = http://127.0.0.1:8099/" "max_time = 1.5"
expect_rc "accepts, never answers" 2
summary "accepts, never answers" 'accepted the connection but sent no response within 1.5 s'
elapsed_below "accepts, never answers: bounded" 5

check tunnel "url = http://127.0.0.1:8080/" "proxy = http://127.0.0.1:3128" "proxy_tunnel = yes"
expect_rc "through a CONNECT proxy" 0
summary "through a CONNECT proxy" 'HTTP 200 .*through proxy 127.0.0.1:3128'

check fwd "url = http://127.0.0.1:8080/" "proxy = http://127.0.0.1:3128"
expect_rc "through a forward proxy" 0

check p403 "url = http://127.0.0.1:8080/" "proxy = http://127.0.0.1:3129" "proxy_tunnel = yes"
expect_rc "proxy refuses CONNECT" 2
summary "proxy refuses CONNECT" 'proxy 127.0.0.1:3129 refused CONNECT to 127.0.0.1:8080 with HTTP 403'

check p407 "url = http://127.0.0.1:8080/" "proxy = http://127.0.0.1:3130" "proxy_tunnel = yes"
expect_rc "proxy wants credentials" 2
summary "proxy wants credentials" 'requires authentication \(HTTP 407\)'

check pdown "url = http://127.0.0.1:8080/" "proxy = http://127.0.0.1:3131"
expect_rc "proxy down" 2
summary "proxy down" 'cannot connect to the proxy 127.0.0.1:3131'

# a proxy set in the environment (here a dead one) is ignored: the check says which one to use
check envp "url = http://127.0.0.1:8080/"
http_proxy=http://127.0.0.1:3131 run "$HOSTDOCTOR" -d "$HD_TMP/checks.d" --format json
expect_rc "environment proxy not used" 0

# DNS that never answers: libcurl's resolver thread would hold the check ~10 s
use_nameserver 127.0.0.1
check dns-silent "url = http://www.example.test/" "max_time = 2"
expect_rc "silent DNS" 2
summary "silent DNS" 'DNS lookup for www.example.test timed out after [2-5]\.[0-9] s' # the time taken, more on a loaded machine
elapsed_below "silent DNS: bounded by max_time" 6

check pdns-silent "url = http://127.0.0.1:8080/" "proxy = http://proxy.example.test:3128" "max_time = 2"
expect_rc "silent DNS for the proxy" 2
summary "silent DNS for the proxy" 'DNS lookup for the proxy proxy.example.test timed out'
elapsed_below "silent DNS for the proxy: bounded" 6

# DNS that says NXDOMAIN: fails at once, and differently
use_nameserver 127.0.0.2
check dns-nx "url = http://www.example.test/"
expect_rc "NXDOMAIN" 2
summary "NXDOMAIN" 'cannot resolve www.example.test \(DNS\)'

check pdns-nx "url = http://127.0.0.1:8080/" "proxy = http://proxy.example.test:3128"
expect_rc "proxy NXDOMAIN" 2
summary "proxy NXDOMAIN" 'cannot resolve the proxy proxy.example.test \(DNS\)'

finish
