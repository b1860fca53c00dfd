# process: counts, user and cmdline filters, a zombie and a restart loop, on helpers started here.
. "$(dirname "$0")/lib.sh"
chmod 755 "$HD_TMP" # nobody runs one of the helpers from here
N=hdt-sl-$$         # unique per run: other test runs may have sleepers of their own
Z=hdt-zo-$$
cp /bin/sleep "$HD_TMP/$N"

started() { # PID NAME: wait until PID runs NAME
	for _ in $(seq 100); do [ "$(cat /proc/$1/comm 2>/dev/null)" = "$2" ] && return 0; sleep 0.05; done
	return 1
}
"$HD_TMP/$N" 300 &
p1=$!
"$HD_TMP/$N" 301 &
p2=$!
setpriv --reuid=65534 --regid=65534 --clear-groups "$HD_TMP/$N" 302 &
p3=$!
"$HD_HELPERS/hdt_zombie" "$Z" 120 >"$HD_TMP/zombie.out" &
pz=$!
on_exit "kill $p1 $p2 $p3 $pz"
for p in $p1 $p2 $p3; do started $p "$N" || not_ok "sleeper $p did not start"; done
started $pz "$Z" || not_ok "zombie helper did not start"
for _ in $(seq 100); do [ -s "$HD_TMP/zombie.out" ] && break; sleep 0.05; done
read -r zparent zchild <"$HD_TMP/zombie.out"

conf proc.conf <<EOF2
[sl]
probe = process
name  = $N

[sl-min]
probe = process
name  = $N
min   = 4

[sl-max]
probe = process
name  = $N
max   = 2

[sl-root]
probe = process
name  = $N
user  = root

[sl-nobody]
probe = process
name  = $N
user  = nobody

[sl-uid]
probe = process
name  = $N
user  = 65534

[sl-pattern]
probe   = process
name    = $N
cmdline = \\s30[12]\$

[sl-bad-pattern]
probe   = process
name    = $N
cmdline = (unclosed

[sl-bad-user]
probe = process
name  = $N
user  = no-such-user-hd

[absent]
probe = process
name  = hdt-none-$$

[absent-ok]
probe = process
name  = hdt-none-$$
min   = 0

[zombie]
probe = process
name  = $Z

[zombie-tolerated]
probe       = process
name        = $Z
max_zombies = 1
EOF2
field() { echo "[c['$2'] for c in j['checks'] if c['id']=='$1'][0]"; }
metric() { echo "[m['value'] for c in j['checks'] if c['id']=='$1' for m in c['metrics'] if m['name']=='$2'][0]"; }

run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --format json
expect_json "three sleepers" "$(metric sl processes)" "3.0"
expect_json "min 1: OK" "$(field sl status)" "OK"
expect_json "min 4: CRITICAL" "$(field sl-min status)" "CRITICAL"
expect_json "min 4: summary" "$(field sl-min summary)" "3 '$N' running, 4 required"
expect_json "min 4: remedy starts the service" "'systemctl start' in $(field sl-min remedy)" "True"
expect_json "max 2: CRITICAL" "$(field sl-max status)" "CRITICAL"
expect_json "max 2: remedy kills the newest" "'kill $p3' in $(field sl-max remedy)" "True"
expect_json "user root" "$(metric sl-root processes)" "2.0"
expect_json "user nobody" "$(metric sl-nobody processes)" "1.0"
expect_json "user nobody's pid listed" "'pid $p3 ' in $(field sl-nobody details)" "True"
expect_json "uid 65534" "$(metric sl-uid processes)" "1.0"
expect_json "cmdline pattern" "$(metric sl-pattern processes)" "2.0"
expect_json "cmdline pattern excludes 300" "'pid $p1 ' in $(field sl-pattern details)" "False"
expect_json "bad pattern: UNKNOWN" "$(field sl-bad-pattern status)" "UNKNOWN"
expect_json "bad pattern: says where" "'proc.conf' in $(field sl-bad-pattern remedy)" "True"
expect_json "bad user: UNKNOWN" "$(field sl-bad-user status) + ' ' + str('no-such-user-hd' in $(field sl-bad-user summary))" "UNKNOWN True"
expect_json "absent: CRITICAL" "$(field absent status)" "CRITICAL"
expect_json "absent with min 0: OK" "$(field absent-ok status)" "OK"
expect_json "zombie: WARNING" "$(field zombie status)" "WARNING"
expect_json "zombie: the live parent counted" "$(metric zombie processes)" "1.0"
expect_json "zombie: counted" "$(metric zombie zombies)" "1.0"
expect_json "zombie: pid and parent named" "'zombie (pid $zchild, parent $zparent $Z)' in $(field zombie summary)" "True"
expect_json "zombie: remedy restarts the parent" "'(pid $zparent, $Z)' in $(field zombie remedy)" "True"
expect_json "zombie: max_zombies 1 tolerates it" "$(field zombie-tolerated status)" "OK"

# nagios mode: one check, exit code and perfdata
run "$HOSTDOCTOR" nagios -d "$HD_TMP/checks.d" sl-max
expect_rc "nagios max exceeded" 2
expect_out "nagios perfdata count" "'processes'=3;"

# Restart loop: the sleepers are seconds old while the host has been up for minutes.
up=$(cut -d. -f1 /proc/uptime)
if [ "$up" -ge 120 ]; then
	conf restart.conf <<EOF2
[restarting]
probe      = process
name       = $N
user       = root
min_uptime = $((up - 30))

[host-too-young]
probe      = process
name       = $N
min_uptime = $((up + 100000))
EOF2
	run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --only restarting --only host-too-young --format json
	expect_rc "restart loop" 1
	expect_json "restart: WARNING" "$(field restarting status)" "WARNING"
	expect_json "restart: the youngest top-level pid" "'pid $p2 started' in $(field restarting summary)" "True"
	expect_json "restart: remedy" "'NRestarts' in $(field restarting remedy)" "True"
	expect_json "restart: age metric in seconds" "0 <= $(metric restarting age) < 60" "True"
	expect_json "host younger than min_uptime: not judged" "$(field host-too-young status)" "OK"
	expect_json "host younger: said" "'restarts not judged' in $(field host-too-young details)" "True"
else
	echo "skip restart loop: host up only ${up}s"
fi

# under --root the process table is still the running system's, and it says so
mkdir -p "$HD_TMP/fakeroot"
run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --root "$HD_TMP/fakeroot" --only sl --format json
expect_json "--root: live processes" "$(metric sl processes)" "3.0"
expect_json "--root: said" "'not of --root' in $(field sl details)" "True"

# once the zombie's parent is gone, so is the zombie
kill $pz
wait $pz 2>/dev/null
run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --only zombie --format json
expect_rc "parent gone" 2
expect_json "no zombie left" "$(metric zombie zombies)" "0.0"
finish
