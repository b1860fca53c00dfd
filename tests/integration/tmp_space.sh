# tmp-space: a 4 MB and a 64 MB tmpfs (without inode limit) in a private mount namespace, one filled with fallocate, one
# with few inodes, a read-only mount, a file where the directory should be, a missing directory,
# $TMPDIR as the default, and an unprivileged run.
. "$(dirname "$0")/lib.sh"
need_root
chmod 755 "$HD_TMP"

private_mount_ns

M=$HD_TMP/mnt
mkdir -p "$M/small" "$M/big" "$M/ro" "$M/few" "$M/locked/inner"
chmod 700 "$M/locked"
inns mount -t tmpfs -o size=4m tmpfs "$M/small"
inns mount -t tmpfs -o size=64m,nr_inodes=0 tmpfs "$M/big"
inns mount -t tmpfs -o size=4m,nr_inodes=60 tmpfs "$M/few"
inns mount -t tmpfs -o ro,size=1m tmpfs "$M/ro"
inns chmod 1777 "$M/small" "$M/big"

conf tmp.conf <<EOF2
[small]
probe = tmp-space
dir   = $M/small

[small-3]
probe       = tmp-space
dir         = $M/small
min_free_mb = 3

[big]
probe = tmp-space
dir   = $M/big

[both]
probe = tmp-space
dir   = $M/big, $M/small
min_free_mb = 3

[few]
probe = tmp-space
dir   = $M/few
min_free_mb = 1

[ro]
probe = tmp-space
dir   = $M/ro
min_free_mb = 0

[file]
probe = tmp-space
dir   = $M/big/file

[missing]
probe = tmp-space
dir   = $M/none

[default]
probe = tmp-space

[locked]
probe = tmp-space
dir   = $M/locked/inner
EOF2
HD() { run inns "$HOSTDOCTOR" -d "$HD_TMP/checks.d" --format json "$@"; }
metric() { echo "[m['value'] for m in j['checks'][0]['metrics'] if m['name']=='$1'][0]"; }

HD --only small
expect_rc "4 MB tmpfs is below the 5 MB the gateway needs" 2
expect_json "free is 4 MB" "$(metric free)" "4.0"
expect_json "summary says below the minimum" "'below the 5 MB required' in j['checks'][0]['summary']" "True"
expect_json "tmpfs remedy with a size" "'mount -o remount,size=' in j['checks'][0]['remedy'] and '$M/small' in j['checks'][0]['remedy']" "True"
HD --only small-3
expect_rc "4 MB is enough with min_free_mb = 3" 0
HD --only big
expect_rc "64 MB tmpfs" 0
expect_json "free is 64 MB" "$(metric free)" "64.0"
expect_json "tmpfs with nr_inodes=0 has no inode metric" "[m['name'] for m in j['checks'][0]['metrics']]" "['free', 'used']"

inns fallocate -l 61M "$M/big/fill"
HD --only big
expect_rc "64 MB tmpfs filled to 3 MB free" 2
expect_json "free is 3 MB" "$(metric free)" "3.0"
expect_json "used share" "round($(metric used))" "95"
HD --only both
expect_rc "two dirs, 3 MB and 4 MB free, both enough" 0
expect_json "primary is the least free" "$(metric free)" "3.0"
expect_json "both dirs reported" "j['checks'][0]['details'].count(' MB free of ')" "2"
run inns "$HOSTDOCTOR" nagios -d "$HD_TMP/checks.d" -w 3.5: both
expect_rc "a warning range on free MB" 1
expect_out "perfdata in MB, the range as configured" "'free'=3MB;3.5:;;0;"
inns rm -f "$M/big/fill"

inns sh -c "for i in \$(seq 55); do : > '$M/few/f'\$i; done"
HD --only few
expect_rc "nr_inodes=60 with 56 used" 2
expect_json "inodes named" "'inodes free, below the 100 required' in j['checks'][0]['summary']" "True"
expect_json "inodes_used metric" "round($(metric inodes_used))" "93"

HD --only ro
expect_rc "read-only mount" 2
expect_json "read-only named" "'read-only mount ($M/ro)' in j['checks'][0]['summary']" "True"
expect_json "remount remedy" "'mount -o remount,rw $M/ro' in j['checks'][0]['remedy']" "True"

inns touch "$M/big/file"
HD --only file
expect_rc "a file where the directory should be" 2
expect_json "not a directory" "j['checks'][0]['summary'].endswith('file is not a directory')" "True"
expect_json "remedy moves it away" "'mv $M/big/file $M/big/file.old && mkdir -m 1777 $M/big/file' in j['checks'][0]['remedy']" "True"

HD --only missing
expect_rc "missing directory" 2
expect_json "does not exist" "'none does not exist' in j['checks'][0]['summary']" "True"
expect_json "mkdir remedy" "'mkdir -p -m 1777 $M/none' in j['checks'][0]['remedy']" "True"

run inns env TMPDIR="$M/small" "$HOSTDOCTOR" -d "$HD_TMP/checks.d" --only default --format json
expect_rc "default dir is \$TMPDIR" 2
expect_json "\$TMPDIR named" "j['checks'][0]['summary'].startswith('$M/small:')" "True"
run inns env -u TMPDIR "$HOSTDOCTOR" -d "$HD_TMP/checks.d" --only default --format json
expect_json "default dir is /tmp without \$TMPDIR" "j['checks'][0]['summary'].startswith('/tmp:')" "True"

# unprivileged: what it may stat is measured, a directory behind a 0700 parent is UNKNOWN
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
run inns "${NOBODY[@]}" "$HOSTDOCTOR" -d "$HD_TMP/checks.d" --only small-3 --format json
expect_rc "unprivileged: a readable tmpfs" 0
run inns "${NOBODY[@]}" "$HOSTDOCTOR" -d "$HD_TMP/checks.d" --only locked --format json
expect_rc "unprivileged: behind a 0700 directory" 3
expect_json "reason names the path and root" "'cannot stat $M/locked/inner: Permission denied (needs root)' in j['checks'][0]['summary']" "True"
HD --only locked
expect_rc "root sees it" 0

finish
