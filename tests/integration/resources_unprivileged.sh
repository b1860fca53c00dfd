# memory, process, core-files and kernel-version run as nobody: answers, never a crash.
. "$(dirname "$0")/lib.sh"
need_root
chmod 755 "$HD_TMP"
DIR=$HD_TMP/root/opt/product
mkdir -p "$DIR"
: >"$DIR/core.42"
chmod 700 "$DIR" # only root may list it

conf nobody.conf <<'EOF2'
[mem]
probe   = memory
need_mb = 1

[kernel]
probe = kernel-version
min   = 3.10

[procs]
probe       = process
max_zombies = 1000000

[sshd-like]
probe = process
name  = hdt-none
user  = root
min   = 0

[cores]
probe = core-files
dir   = /opt/product
EOF2
chmod -R a+rX "$HD_TMP/checks.d"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

run as_nobody "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --format json
expect_rc "live host as nobody" 0
expect_json "memory OK" "[c['status'] for c in j['checks'] if c['id']=='mem'][0]" "OK"
expect_json "kernel OK" "[c['status'] for c in j['checks'] if c['id']=='kernel'][0]" "OK"
expect_json "processes seen" "[c for c in j['checks'] if c['id']=='procs'][0]['metrics'][0]['value'] > 1" "True"
expect_json "no crash anywhere" "any('crash' in c['summary'] or 'signal' in c['summary'] for c in j['checks'])" "False"

run as_nobody "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --root "$HD_TMP/root" --only cores --format json
expect_rc "unreadable product directory" 3
expect_json "UNKNOWN says why" "j['checks'][0]['summary'].endswith('Permission denied (run as root)')" "True"

# root sees the dump that nobody could not
run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --root "$HD_TMP/root" --only cores --format json
expect_rc "root sees the dump" 1

# every output format as nobody
for fmt in doctor nagios prometheus; do
	run as_nobody "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --skip cores --format $fmt
	expect_rc "$fmt as nobody" 0
done
finish
