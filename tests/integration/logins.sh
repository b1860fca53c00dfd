#!/usr/bin/env bash
# logins: wtmp and btmp written through updwtmpx() into a --root (hdt_utmp), an mgetty log, a
# wtmpdb database made with sqlite3, and a wtmp on a tmpfs nearly full. Each case is a run that
# learns, records appended, and a second run that must see them.
. "$(dirname "$0")/lib.sh"
export TZ=UTC
U=$HD_HELPERS/hdt_utmp
now=$(date +%s)
mkroot() { mkdir -p "$1/var/log" "$1/var/lib" && : >"$1/var/log/wtmp" && : >"$1/var/log/btmp"; }
rec() { "$U" "$1"; } # rec FILE <<< "KIND USER LINE HOST EPOCH"
check() { run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --only logins -r "$1" -f json; }
conf logins.conf <<'EOF2'
[logins]
probe = logins
EOF2

R=$HD_TMP/r1
mkroot "$R"
rec "$R/var/log/wtmp" <<EOF2
login alice pts/0 10.0.0.5 $((now - 90000))
logout alice pts/0 - $((now - 89000))
login alice pts/1 10.0.0.5 $((now - 80000))
failed nobody ssh:notty 192.0.2.1 $((now - 70000))
EOF2
check "$R"
expect_check "first run: OK" logins "['status']" OK
expect_check_re "first run learns" logins "['summary']" "first run: 1 user and their sources learned"
[ "$(stat -c %a "$R/var/lib/hostdoctor/logins.logins.json")" = 600 ] && ok "state 0600" || not_ok "state mode"

rec "$R/var/log/wtmp" <<<"login alice pts/2 10.0.0.5 $((now - 3000))"
check "$R"
expect_check "a known user from a known source: OK" logins "['status']" OK
expect_check_re "counted since the last run" logins "['summary']" "^1 login since the last run \\(alice\\), 0 failed"
expect_check_re "per user and source" logins "['details']" "since the last run: alice from 10.0.0.5: 1 login"

# a user never seen before, and a new source for a known user
rec "$R/var/log/wtmp" <<EOF2
login mallory pts/3 203.0.113.9 $((now - 2000))
login alice pts/4 198.51.100.20 $((now - 1900))
EOF2
check "$R"
expect_check "new user and new source: WARNING" logins "['status']" WARNING
expect_check_re "names the new user" logins "['summary']" "first login of user mallory \\(from 203.0.113.9\\)"
expect_check_re "names the new source" logins "['summary']" "new source for alice \\(from 198.51.100.20\\)"
expect_check_re "last USER in the details" logins "['details']" "last mallory \\(/var/log/wtmp\\):
  mallory +pts/3 +203.0.113.9"
expect_check_re "alice's history lists her logins" logins "['details']" "last alice .*
  alice +pts/4 +198.51.100.20 .*
  alice +pts/2 +10.0.0.5"
expect_check_re "remedy: ask the user" logins "['remedy']" "Ask mallory whether the login from 203.0.113.9"
check "$R"
expect_check "seen once, then known: OK" logins "['status']" OK

# failed logins: a burst from one source, scattered ones from another
{
	for i in $(seq 12); do echo "failed root ssh:notty 192.0.2.66 $((now - 1000 + 2 * i))"; done
	for i in 1 2 3; do echo "failed admin ssh:notty 192.0.2.77 $((now - 1000 + 300 * i))"; done
} | rec "$R/var/log/btmp"
check "$R"
expect_check "failed-login burst: WARNING" logins "['status']" WARNING
expect_check_re "names the source" logins "['summary']" "12 failed logins from 192.0.2.66 within 60s"
expect_check "counts every failure" logins "['metrics'][[m['name'] for m in j['checks'][0]['metrics']].index('failed')]['value']" 15.0
expect_check_re "remedy: lastb and blocking" logins "['remedy']" "lastb -a -f /var/log/btmp \\| grep 192.0.2.66"
check "$R"
expect_check "no new failures: OK" logins "['status']" OK

# dial-up logins where mgetty is installed: with and without a CONNECT within a minute
mkdir -p "$R/sbin" && : >"$R/sbin/mgetty"
t1=$((now - 600)) t2=$((now - 300))
{
	echo "$(date -d @$((t1 - 40)) +'%m/%d %H:%M:%S') yS0 waiting for \`\`CONNECT'' ** found **"
	echo "$(date -d @$((t1 - 20)) +'%m/%d %H:%M:%S') yS0 send: ATA[0d]"
	echo "$(date -d @$((t2 - 200)) +'%m/%d %H:%M:%S') yS0 waiting for \`\`CONNECT'' ** found **"
} >"$R/var/log/mgetty.ttyS0"
rec "$R/var/log/wtmp" <<<"login yanagi ttyS0 - $t1"
check "$R"
expect_check_re "a dial-up login with its CONNECT: no CRITICAL" logins "['status']" "^(OK|WARNING)$"
expect_check_re "(yanagi is new: a warning only)" logins "['summary']" "first login of user yanagi \\(from ttyS\\)"
rec "$R/var/log/wtmp" <<<"login yanagi ttyS0 - $t2"
check "$R"
expect_check "a dial-up login without a CONNECT: CRITICAL" logins "['status']" CRITICAL
expect_check_re "names it" logins "['summary']" "dial-up login of yanagi on ttyS0 at .* without a CONNECT in /var/log/mgetty.ttyS0"
expect_check_re "the manual's reading" logins "['details']" "intrusion or a tampered wtmp"
expect_check_re "remedy: the manual's comparison" logins "['remedy']" "grep -i connect /var/log/mgetty.ttyS0"

# without mgetty a ttyS login is not compared
R3=$HD_TMP/r3
mkroot "$R3"
check "$R3"
rec "$R3/var/log/wtmp" <<<"login yanagi ttyS0 - $t2"
check "$R3"
expect_check_re "no mgetty: no CRITICAL" logins "['status']" "^(OK|WARNING)$"
expect_check_re "says why" logins "['details']" "dial-up line ttyS0: /sbin/mgetty is not installed"

# wtmp bigger than the free space of its filesystem (a 64 KiB tmpfs)
need_root
private_mount_ns
R2=$HD_TMP/r2
mkdir -p "$R2/var/log" "$R2/var/lib"
inns mount -t tmpfs -o size=64k tmpfs "$R2/var/log"
inns sh -c ": >'$R2/var/log/wtmp'"
for i in $(seq 110); do echo "login user$((i % 3)) pts/$i 10.0.1.$i $((now - 5000 + i))"; done >"$HD_TMP/many"
inns "$U" "$R2/var/log/wtmp" <"$HD_TMP/many"
run inns "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --only logins -r "$R2" -f json
expect_check "wtmp bigger than the free space: CRITICAL" logins "['status']" CRITICAL
expect_check_re "says so" logins "['summary']" "/var/log/wtmp is .* of the free space"
expect_check_re "the manual's rotation" logins "['remedy']" "mv /var/log/wtmp /var/log/wtmp.backup; cp /dev/null /var/log/wtmp"
expect_check_re "and logrotate" logins "['remedy']" "/etc/logrotate.d/wtmp"

# the wtmpdb database, where a distribution records logins there
R4=$HD_TMP/r4
mkdir -p "$R4/var/lib/wtmpdb"
DB=$R4/var/lib/wtmpdb/wtmp.db
sqlite3 "$DB" "CREATE TABLE wtmp(ID INTEGER PRIMARY KEY, Type INTEGER, User TEXT NOT NULL, Login INTEGER, Logout INTEGER, TTY TEXT, RemoteHost TEXT, Service TEXT) STRICT;
INSERT INTO wtmp (Type,User,Login,TTY,RemoteHost,Service) VALUES (1,'reboot',$(((now - 9000) * 1000000)),'~','6.1.0','');
INSERT INTO wtmp (Type,User,Login,TTY,RemoteHost,Service) VALUES (3,'carol',$(((now - 8000) * 1000000)),'pts/0','10.0.0.8','sshd');"
check "$R4"
expect_check_re "wtmpdb: first run learns" logins "['summary']" "first run: 1 user and their sources learned from /var/lib/wtmpdb/wtmp.db;"
sqlite3 "$DB" "INSERT INTO wtmp (Type,User,Login,TTY,RemoteHost,Service) VALUES (3,'eve',$(((now - 100) * 1000000)),'pts/1','203.0.113.50','sshd');"
check "$R4"
expect_check "wtmpdb: a new user: WARNING" logins "['status']" WARNING
expect_check_re "names her" logins "['summary']" "first login of user eve \\(from 203.0.113.50\\)"
printf 'not a database' >"$DB"
check "$R4"
expect_check "a damaged database: UNKNOWN" logins "['status']" UNKNOWN
expect_check_re "names it" logins "['details']" "cannot read the wtmpdb database .*wtmp.db"

# nothing to read; a linked state directory
R5=$HD_TMP/r5
mkdir -p "$R5/var/lib"
check "$R5"
expect_check "no records at all: SKIPPED" logins "['status']" SKIPPED
mkroot "$R5"
ln -s "$HD_TMP" "$R5/var/lib/hostdoctor"
check "$R5"
expect_check "a linked state directory: UNKNOWN" logins "['status']" UNKNOWN
expect_check_re "says so" logins "['summary']" "symbolic link"
finish
