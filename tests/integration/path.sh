# path: real directories, files and a unix socket with real modes and owners in a temp dir (set
# here, since a repository cannot keep modes), world-, group-writable and sticky parents,
# symlinks, a --root with its own passwd; every remedy given is applied and must fix the finding.
. "$(dirname "$0")/lib.sh"
need_root

C='j["checks"][0]'
metric() { echo "int([x['value'] for x in $C['metrics'] if x['name']=='$1'][0])"; }

check() {
	{ printf '[p]\nprobe = path\n'; printf '%s\n' "$@"; } | conf path.conf
	run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" ${ROOT:+--root "$ROOT"} --format json
}
remedy() { json_get "$C['remedy']"; }

D=$HD_TMP/live
mkdir -p "$D"
chmod 0755 "$D"

mkdir "$D/app" && chmod 0755 "$D/app"
check "path = $D/app" "type = dir" "mode = 0755" "owner = root" "group = root"
expect_rc "dir 0755 root:root" 0
expect_json "ok: summary" "$C['summary']" "$D/app: dir 0755 root:root"
expect_json "ok: findings 0" "$(metric findings)" 0

chmod 0777 "$D/app"
check "path = $D/app" "type = dir" "mode = 0755" "owner = root" "group = root"
expect_rc "mode 0777 against 0755" 2
expect_json "mode: detail" "'mode 0777 allows 0022 beyond 0755' in $C['details']" True
expect_json "mode: remedy is the chmod line" "'chmod 0755 $D/app' in $C['remedy']" True
eval "$(remedy)"
check "path = $D/app" "type = dir" "mode = 0755" "owner = root" "group = root"
expect_rc "after the chmod remedy" 0

chmod 0700 "$D/app"
check "path = $D/app" "type = dir" "mode = 0755"
expect_rc "fewer bits than the maximum are fine" 0

chown nobody:nogroup "$D/app"
check "path = $D/app" "type = dir" "owner = root" "group = root"
expect_rc "wrong owner and group" 2
expect_json "owner: details" "'owner is nobody, not root' in $C['details'] and 'group is nogroup, not root' in $C['details']" True
expect_json "owner: remedy" "$C['remedy']" "chown root:root $D/app"
eval "$(remedy)"
check "path = $D/app" "type = dir" "owner = 0" "group = 0"
expect_rc "after the chown remedy (numeric ids)" 0

check "path = $D/app" "type = file"
expect_rc "a dir where a file is wanted" 2
expect_json "type: summary" "$C['summary']" "$D/app is a dir, not a file"

python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$D/agent.sock"
check "path = $D/agent.sock" "type = socket"
expect_rc "a unix socket" 0
check "path = $D/agent.sock" "type = file"
expect_rc "a socket where a file is wanted" 2

check "path = $D/missing/dir" "type = dir" "mode = 0750" "owner = root" "group = root"
expect_rc "missing dir" 2
expect_json "missing: summary" "$C['summary']" "$D/missing/dir does not exist ($D/missing is missing)"
expect_json "missing: remedy" "$C['remedy']" "install -d -m 0750 -o root -g root $D/missing/dir"
eval "$(remedy)"
check "path = $D/missing/dir" "type = dir" "mode = 0750" "owner = root" "group = root"
expect_rc "after the install -d remedy" 0

check "path = $D/app/none.conf" "type = file" "mode = 0640"
expect_rc "missing file" 2
eval "$(remedy | sed 's/ (or reinstall.*//')"
check "path = $D/app/none.conf" "type = file" "mode = 0640"
expect_rc "after the install remedy for a file" 0

# parents: world-writable, group-writable and sticky directories on the way up
mkdir -p "$D/ww/app" && chmod 0777 "$D/ww"
check "path = $D/ww/app" "type = dir"
expect_rc "world-writable parent" 1
expect_json "ww: detail" "'$D/ww is world-writable (mode 0777) without the sticky bit' in $C['details']" True
expect_json "ww: metric" "$(metric writable_parents)" 1
expect_json "ww: remedy" "$C['remedy']" "chmod go-w $D/ww"
FIX=$(remedy)
check "path = $D/ww/app" "type = dir" "parents = no"
expect_rc "parents = no ignores it" 0
eval "$FIX"
check "path = $D/ww/app" "type = dir"
expect_rc "after the chmod go-w remedy" 0

mkdir -p "$D/gw/app" && chmod 0775 "$D/gw" && chgrp nogroup "$D/gw"
check "path = $D/gw/app"
expect_rc "group-writable parent" 1
expect_json "gw: detail names the group" "'$D/gw is group-writable (mode 0775, group nogroup)' in $C['details']" True

mkdir -p "$D/sticky/app" && chmod 1777 "$D/sticky"
check "path = $D/sticky/app"
expect_rc "sticky world-writable parent is accepted" 0
expect_json "sticky: noted" "'note: $D/sticky is writable by others (mode 1777) but sticky: accepted' in $C['details']" True

# symlinks: the directories of the link and of its target are both judged
mkdir -p "$D/safe/app"
ln -s "$D/safe/app" "$D/gw/link"
check "path = $D/gw/link" "type = dir"
expect_rc "link inside a group-writable dir" 1
expect_json "link: resolved path in details" "'$D/gw/link resolves to $D/safe/app' in $C['details']" True
ln -s "$D/gw/app" "$D/safe/tolink"
check "path = $D/safe/tolink" "type = dir"
expect_rc "link to a dir below a group-writable dir" 1

# bad parameters and names
check "path = $D/app" "mode = 0x9"
expect_rc "mode not octal" 3
check "path = $D/app" "owner = no-such-user-here"
expect_rc "owner that does not exist" 2
expect_json "no owner: remedy creates it" "'useradd --system' in $C['remedy']" True
check "path = relative/path"
expect_rc "relative path" 3

# --root: names from the root's passwd/group, an absolute link resolved inside the root
ROOT=$HD_TMP/root
mkdir -p "$ROOT/etc" "$ROOT/opt/cisco/amp-1.0"
printf 'root:x:0:0:root:/root:/bin/bash\ncisco:x:990:991::/opt/cisco:/sbin/nologin\n' >"$ROOT/etc/passwd"
printf 'root:x:0:\ncisco:x:991:\n' >"$ROOT/etc/group"
ln -s /opt/cisco/amp-1.0 "$ROOT/opt/cisco/amp"
chmod 0755 "$ROOT" "$ROOT/opt" && chmod 0750 "$ROOT/opt/cisco" "$ROOT/opt/cisco/amp-1.0"
chown 990:991 "$ROOT/opt/cisco" "$ROOT/opt/cisco/amp-1.0"
check "path = /opt/cisco/amp" "type = dir" "mode = 0750" "owner = cisco" "group = cisco"
expect_rc "root: owner and group named by the root's passwd" 0
expect_json "root: summary uses the root's names" "$C['summary']" "/opt/cisco/amp: dir 0750 cisco:cisco"
chmod 0777 "$ROOT/opt"
check "path = /opt/cisco/amp" "type = dir"
expect_rc "root: world-writable /opt inside the root" 1
expect_json "root: the dir is named inside the root" "$C['remedy']" "chmod go-w /opt"
unset ROOT

# without root, what cannot be seen is UNKNOWN, not guessed
mkdir -p "$D/private/app" && chmod 0700 "$D/private"
chmod 0755 "$HD_TMP" && chmod 0755 "$HD_TMP/checks.d"
check "path = $D/private/app"
run setpriv --reuid=nobody --regid=nogroup --clear-groups "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --format json
expect_rc "unprivileged, path in a 0700 dir" 3
expect_json "unprivileged: says it needs root" "'Permission denied (needs root)' in $C['summary']" True
finish
