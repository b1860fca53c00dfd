# core-files: core dumps with known times in a product directory under --root, and a real crash.
. "$(dirname "$0")/lib.sh"
ROOT=$HD_TMP/root
DIR=$ROOT/opt/f-secure/fsigk
mkdir -p "$DIR/log" "$DIR/core.old" "$ROOT/opt/empty"
: >"$DIR/core.1234"
head -c 3000 /dev/zero >"$DIR/core"
touch -d '-2 days' "$DIR/core.1234"
touch -d '-1 hour' "$DIR/core"
: >"$DIR/score" # not a core file
ln -s /etc/passwd "$DIR/core.link" # a link is not a dump
echo "5.30 build 1234" >"$DIR/VERSION"

conf cores.conf <<'EOF2'
[fsigk-cores]
probe        = core-files
dir          = /opt/f-secure/fsigk
version_file = /opt/f-secure/fsigk/VERSION
logs         = /opt/f-secure/fsigk/log, /var/log/messages
also         = diag.tar.gz

[fsigk-cores-critical]
probe    = core-files
dir      = /opt/f-secure/fsigk
critical = 0

[empty-cores]
probe = core-files
dir   = /opt/empty

[absent-cores]
probe = core-files
dir   = /opt/not-installed
EOF2
field() { echo "[c['$2'] for c in j['checks'] if c['id']=='$1'][0]"; }
metric() { echo "[m['value'] for c in j['checks'] if c['id']=='$1' for m in c['metrics'] if m['name']=='$2'][0]"; }

run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --root "$ROOT" --only fsigk-cores --format json
expect_rc "two core files: WARNING" 1
expect_json "count" "$(metric fsigk-cores files)" "2.0"
expect_json "newest is an hour old" "3590 <= $(metric fsigk-cores newest_age) <= 3700" "True"
expect_json "size" "$(metric fsigk-cores size)" "3000.0"
expect_json "summary names the newest" "'newest core from' in $(field fsigk-cores summary)" "True"
expect_json "remedy: files to send" "'tar czf /tmp/cores.tar.gz -C /opt/f-secure/fsigk core core.1234' in $(field fsigk-cores remedy)" "True"
expect_json "remedy: version" "'5.30 build 1234' in $(field fsigk-cores remedy)" "True"
expect_json "remedy: logs" "'/opt/f-secure/fsigk/log /var/log/messages' in $(field fsigk-cores remedy)" "True"
expect_json "remedy: the other files support asks for" "'4. with them: diag.tar.gz' in $(field fsigk-cores remedy)" "True"
expect_json "remedy: how to clear" "'cd /opt/f-secure/fsigk && rm -f core core.1234' in $(field fsigk-cores remedy)" "True"
expect_json "not the directory, the link or score" "any(x in $(field fsigk-cores details) for x in ['core.old', 'core.link', 'score'])" "False"

run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --root "$ROOT" --only fsigk-cores-critical --format json
expect_rc "critical = 0" 2
expect_json "generic remedy names the package query" "'rpm -qa' in $(field fsigk-cores-critical remedy)" "True"

run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --root "$ROOT" --only empty-cores --only absent-cores --format json
expect_rc "empty and absent directories" 0
expect_json "empty: OK" "$(field empty-cores status)" "OK"
expect_json "absent: SKIPPED" "$(field absent-cores status)" "SKIPPED"

rm "$DIR"/core "$DIR"/core.1234
run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --root "$ROOT" --only fsigk-cores --format json
expect_rc "cleared: OK" 0

# A real crash dump: only where the kernel writes cores into the working directory.
pattern=$(cat /proc/sys/kernel/core_pattern)
if [[ $pattern == core* && $pattern != */* ]] && (ulimit -c unlimited) 2>/dev/null; then
	CRASH=$ROOT/opt/crashy
	mkdir -p "$CRASH"
	cp /bin/sleep "$HD_TMP/hdt-crasher"
	(cd "$CRASH" && ulimit -c unlimited && exec "$HD_TMP/hdt-crasher" 60 7) &
	pid=$!
	on_exit "kill -9 $pid"
	for _ in $(seq 50); do [ "$(cat /proc/$pid/comm 2>/dev/null)" = hdt-crasher ] && break; sleep 0.1; done
	kill -SEGV "$pid"
	wait "$pid" 2>/dev/null
	conf crash.conf <<'EOF2'
[crashy]
probe = core-files
dir   = /opt/crashy
EOF2
	run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --root "$ROOT" --only crashy --format json
	expect_rc "real core dump found" 1
	expect_json "the program that dumped it" "'from hdt-crasher: $HD_TMP/hdt-crasher 60 7' in $(field crashy details)" "True"
	expect_json "summary names the program" "'of hdt-crasher' in $(field crashy summary)" "True"
else
	echo "skip real crash: core_pattern is '$pattern'"
fi
finish
