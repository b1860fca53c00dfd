#!/usr/bin/env bash
# readable on a root laid out here: the scan engine's files present, one deleted, one emptied,
# an empty database directory, a pattern that matches nothing; and, as an unprivileged user, a
# file only root may read.
. "$(dirname "$0")/lib.sh"

R=$HD_TMP/root
G=$R/opt/f-secure/fsigk
mkdir -p "$G/databases/aquarius" "$G/engine"
echo db >"$G/databases/aquarius/daily.db"
echo lib >"$G/engine/libscan.so"
echo lib >"$G/engine/libunpack.so"
conf r.conf <<'CONF'
[engine]
probe = readable
path  = /opt/f-secure/fsigk/databases, /opt/f-secure/fsigk/engine/lib*.so
CONF
hd() { run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" -r "$R" -f json; }

hd
expect_check "all present: OK" engine "['status']" OK
expect_check "counts the pattern's matches" engine "['summary']" "3 present and readable"

rm "$G/engine/libunpack.so"
: >"$G/engine/libscan.so"
hd
expect_check "emptied library: CRITICAL" engine "['status']" CRITICAL
expect_check_re "names it" engine "['summary']" "1 of 2 missing or unreadable: /opt/f-secure/fsigk/engine/libscan.so \(empty file\)"

rm "$G/engine/libscan.so" "$G/databases/aquarius/daily.db"
rmdir "$G/databases/aquarius"
hd
expect_check "nothing left: CRITICAL" engine "['status']" CRITICAL
expect_check_re "empty directory" engine "['details']" "/opt/f-secure/fsigk/databases: empty directory"
expect_check_re "pattern without a match" engine "['details']" "lib\*.so: nothing matches"
expect_check "metric" engine "['metrics'][0]['value']" 2.0
expect_check_re "remedy: reinstall" engine "['remedy']" "reinstall it over the installation"

rm -rf "$G/databases"
hd
expect_check_re "missing directory" engine "['details']" "/opt/f-secure/fsigk/databases: missing"

if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
	mkdir -p "$G/databases"
	echo db >"$G/databases/daily.db"
	echo lib >"$G/engine/libscan.so"
	chmod -R a+rX "$HD_TMP"
	chmod 0600 "$G/engine/libscan.so"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" -r "$R" -f json
	expect_check "unreadable for this user: CRITICAL" engine "['status']" CRITICAL
	expect_check_re "says why" engine "['details']" "libscan.so: cannot be opened: Permission denied"
fi
finish
