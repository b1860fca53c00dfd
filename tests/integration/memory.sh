# memory: MemAvailable against need_mb and per-connection needs on fixture /proc/meminfo trees.
. "$(dirname "$0")/lib.sh"
FX=$HD_FIXTURES/memory

conf mem.conf <<'EOF2'
[mem-fixed]
probe   = memory
need_mb = 1024

[mem-conns]
probe             = memory
max_connections   = 3000
max_connections   = 1000
per_connection_kb = 500

[mem-bad]
probe           = memory
max_connections = lots

[mem-plain]
probe = memory
EOF2

# plenty: 6144 MiB available of 7850, swap 512 MiB used of 2048
run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --root "$FX/plenty" --format json
expect_rc "plenty of memory (and one UNKNOWN check)" 3
expect_json "available MiB" "[m['value'] for c in j['checks'] if c['id']=='mem-fixed' for m in c['metrics'] if m['name']=='available'][0]" "6144.0"
expect_json "swap used MiB" "[m['value'] for c in j['checks'] if c['id']=='mem-fixed' for m in c['metrics'] if m['name']=='swap_used'][0]" "512.0"
expect_json "swap total MiB" "[m['value'] for c in j['checks'] if c['id']=='mem-fixed' for m in c['metrics'] if m['name']=='swap_total'][0]" "2047.99609375"
expect_json "3000 + 1000 connections x 500 KB" "[m['value'] for c in j['checks'] if c['id']=='mem-conns' for m in c['metrics'] if m['name']=='need'][0]" "1953.125"
expect_json "no need: OK" "[c['status'] for c in j['checks'] if c['id']=='mem-plain'][0]" "OK"
expect_json "a value that is not a number: UNKNOWN with its place" "'max_connections = \'lots\' is not a whole number (' in [c['summary'] for c in j['checks'] if c['id']=='mem-bad'][0]" "True"

# tight: 300 MiB available, below both needs
run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --root "$FX/tight" --format json
expect_rc "tight memory" 2
expect_json "fixed need CRITICAL" "[c['status'] for c in j['checks'] if c['id']=='mem-fixed'][0]" "CRITICAL"
expect_json "summary names the need" "'below the 1024 MiB needed' in [c['summary'] for c in j['checks'] if c['id']=='mem-fixed'][0]" "True"
expect_json "remedy: how much RAM" "'at least 724 MiB more' in [c['remedy'] for c in j['checks'] if c['id']=='mem-fixed'][0]" "True"
expect_json "per-connection CRITICAL" "[c['status'] for c in j['checks'] if c['id']=='mem-conns'][0]" "CRITICAL"
expect_json "remedy: max connections that fit" "'connections to 614 ' in [c['remedy'] for c in j['checks'] if c['id']=='mem-conns'][0]" "True"
expect_json "swap heavily used" "[m['value'] for c in j['checks'] if c['id']=='mem-plain' for m in c['metrics'] if m['name']=='swap_used'][0]" "767.99609375"

# a warning range on the primary metric (available MiB)
run "$HOSTDOCTOR" nagios -d "$HD_TMP/checks.d" --root "$FX/tight" -w 512: mem-plain
expect_rc "warning range on available" 1
expect_out "nagios perfdata, the range as configured" "'available'=300MB;512:;"

# kernel before 3.14: no MemAvailable, estimated from MemFree + Buffers + Cached
run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --root "$FX/rhel6" --only mem-fixed --format json
expect_rc "old kernel estimate (1024 of 1024 MiB)" 0
expect_json "estimated available" "j['checks'][0]['metrics'][0]['value']" "1024.0"
expect_json "estimate said" "'estimated' in j['checks'][0]['details']" "True"

for bad in malformed truncated; do
	run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --root "$FX/$bad" --only mem-fixed --format json
	expect_rc "$bad meminfo" 3
	expect_json "$bad: UNKNOWN names the file" "j['checks'][0]['status'] + ' ' + str('/proc/meminfo is malformed' in j['checks'][0]['summary'])" "UNKNOWN True"
done
mkdir -p "$HD_TMP/empty"
run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --root "$HD_TMP/empty" --only mem-fixed --format json
expect_rc "no meminfo" 3
expect_json "missing file named" "'cannot read' in j['checks'][0]['summary'] and 'meminfo' in j['checks'][0]['summary']" "True"

# the live host: a sane figure, below MemTotal
run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --only mem-plain --format json
expect_rc "live host" 0
expect_json "live available within total" "0 < j['checks'][0]['metrics'][0]['value'] <= j['checks'][0]['metrics'][1]['value']" "True"
finish
