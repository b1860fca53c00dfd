# realtime-scan: hdt_fanotify puts fanotify mount, filesystem and inode marks (notification-only and
# FAN_CLASS_CONTENT + FAN_OPEN_PERM) and inotify watches on a test tmpfs in a private mount
# namespace; unmarked, marked elsewhere, and an unprivileged run.
. "$(dirname "$0")/lib.sh"
need_root
chmod 755 "$HD_TMP"

private_mount_ns

# Only test filesystems are ever marked: a permission-event listener stalls opens on what it marks
# until it answers, and the helper answers every event, but nothing else should depend on it.
M=$HD_TMP/mnt
mkdir -p "$M/t" "$M/u"
inns mount -t tmpfs -o size=4m tmpfs "$M/t"
inns mount -t tmpfs -o size=4m tmpfs "$M/u"
inns mkdir -m 1777 "$M/t/d" "$M/t/other"
D=$M/t/d

conf rt.conf <<EOF2
[rt]
probe = realtime-scan
dir   = $D

[rt-no-inotify]
probe   = realtime-scan
dir     = $D
inotify = no
EOF2
HD() { run inns "$HOSTDOCTOR" -d "$HD_TMP/checks.d" --format json "$@"; }
metric() { echo "[m['value'] for m in j['checks'][0]['metrics'] if m['name']=='$1'][0]"; }

# watch [PREFIX...] -- KIND DIR [perm]: start hdt_fanotify in the namespace; sets W (its pid)
watch() {
	local pre=()
	while [ "$1" != "--" ]; do pre+=("$1"); shift; done
	shift
	rm -f "$HD_TMP/w.out"
	nsenter -t "$NS" -m "${pre[@]}" "$HD_HELPERS/hdt_fanotify" "$@" >"$HD_TMP/w.out" 2>&1 &
	W=$!
	on_exit "kill $W"
	for _ in $(seq 100); do grep -q ready "$HD_TMP/w.out" 2>/dev/null && return; sleep 0.05; done
	echo "hdt_fanotify did not get ready: $(cat "$HD_TMP/w.out")"
}
unwatch() { kill "$W"; wait "$W" 2>/dev/null; }

HD --only rt
expect_rc "nothing marked" 0
expect_json "no watchers" "$(metric watchers)" "0.0"

watch -- mount "$D"
HD --only rt
expect_rc "mount mark, notification only" 2
expect_json "mount mark named with its mount point" "'pid $W (hdt_fanotify): fanotify mount mark on mount $M/t (mnt_id' in j['checks'][0]['details']" "True"
expect_json "not blocking" "$(metric blocking)" "0.0"
expect_json "one watcher" "$(metric watchers)" "1.0"
expect_json "remedy names dir and process" "'Exclude $D from hdt_fanotify' in j['checks'][0]['remedy'] and 'kill $W' in j['checks'][0]['remedy']" "True"
unwatch

watch -- mount "$D" perm
HD --only rt
expect_rc "mount mark with FAN_OPEN_PERM" 2
expect_json "blocking" "$(metric blocking)" "1.0"
expect_json "summary says blocking" "'under blocking realtime scan' in j['checks'][0]['summary']" "True"
expect_json "mask shown" "'mask 0x10000, blocking (permission events)' in j['checks'][0]['details']" "True"
# the listener answers: opening a file on the marked fs still works while it runs
if inns timeout 5 sh -c "echo x > '$D/probe' && cat '$D/probe' >/dev/null"; then ok "opens on the marked fs are answered"; else not_ok "opens stalled"; fi
unwatch

# the scanner excludes the directory with an ignore mark (FAN_MARK_IGNORE + FAN_EVENT_ON_CHILD)
watch -- mount "$D" perm "$D"
HD --only rt
expect_rc "mount mark with the dir excluded by an ignore mark" 0
expect_json "exclusion said" "'excluded by the scanner' in j['checks'][0]['summary'] and 'excluded by an ignore mark' in j['checks'][0]['details']" "True"
unwatch
watch -- mount "$D" perm "$M/t/other"
HD --only rt
expect_rc "an ignore mark on another dir does not exclude this one" 2
unwatch

watch -- mount "$M/u"
HD --only rt
expect_rc "mount mark on another mount" 0
unwatch

watch -- filesystem "$M/t/other" perm
HD --only rt
expect_rc "filesystem mark via another dir of the same fs" 2
expect_json "filesystem mark named" "'fanotify filesystem mark on filesystem' in j['checks'][0]['details']" "True"
expect_json "blocking" "$(metric blocking)" "1.0"
unwatch

watch -- filesystem "$M/u"
HD --only rt
expect_rc "filesystem mark on another fs" 0
unwatch

watch -- inode "$D" perm
HD --only rt
expect_rc "inode mark on the dir" 2
expect_json "inode mark named" "'fanotify inode mark on $D itself' in j['checks'][0]['details']" "True"
unwatch

watch -- inode "$M/t/other" perm
HD --only rt
expect_rc "inode mark on a sibling dir" 0
unwatch

watch -- inotify "$D"
HD --only rt
expect_rc "inotify watch on the dir" 1
expect_json "inotify named" "'inotify watch on $D itself' in j['checks'][0]['details']" "True"
expect_json "inotify not blocking" "$(metric blocking)" "0.0"
HD --only rt-no-inotify
expect_rc "inotify = no" 0
unwatch

watch -- inotify "$M/t/other"
HD --only rt
expect_rc "inotify watch on a sibling dir" 0
unwatch

# unprivileged: other users' fds are hidden, so "nothing seen" is not OK ...
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
run inns "${NOBODY[@]}" "$HOSTDOCTOR" -d "$HD_TMP/checks.d" --only rt --format json
expect_rc "unprivileged, nothing visible" 3
expect_json "needs root said" "'not readable (needs root)' in j['checks'][0]['summary']" "True"
# ... but a watcher of its own user is seen
watch "${NOBODY[@]}" -- inotify "$D"
run inns "${NOBODY[@]}" "$HOSTDOCTOR" -d "$HD_TMP/checks.d" --only rt --format json
expect_rc "unprivileged sees its own user's watcher" 1
expect_json "hidden processes noted" "'not readable (needs root)' in j['checks'][0]['details']" "True"
unwatch

run "$HOSTDOCTOR" -d "$HD_TMP/checks.d" --only rt --format json
expect_rc "dir missing outside the namespace" 3
expect_json "reason names the dir" "'cannot look at $D: No such file' in j['checks'][0]['summary']" "True"

finish
