#!/usr/bin/env bash
# tmp-cleaner against the real systemd-tmpfiles: in a private mount namespace the tmpfiles.d
# directories and cron directories are replaced by test ones, a temp directory holds files ten
# days old, and after each verdict the real `systemd-tmpfiles --clean` shows whether the files
# go. Then the tmpwatch and tmpreaper jobs of fixture roots (neither runs on this host).
. "$(dirname "$0")/lib.sh"
need_root
command -v systemd-tmpfiles >/dev/null || { echo "SKIP: no systemd-tmpfiles"; finish; }
private_mount_ns

AREA=$HD_TMP/area
GW=$AREA/gw
mkdir -p "$AREA"
inns mount -t tmpfs -o size=4m hd-area "$AREA"
for d in /etc/tmpfiles.d /run/tmpfiles.d /usr/local/lib/tmpfiles.d /usr/lib/tmpfiles.d /lib/tmpfiles.d \
	/etc/cron.d /etc/cron.hourly /etc/cron.daily /etc/cron.weekly /etc/cron.monthly /var/spool/cron; do
	[ -d "$d" ] && [ ! -L "$d" ] && inns mount -t tmpfs -o size=1m hd-empty "$d"
done
for f in /etc/crontab /etc/tmpreaper.conf; do [ -f "$f" ] && inns mount --bind /dev/null "$f"; done

old_files() { # the gateway's temp files, ten days old (mtime; ages below use mM: so ctime is not in the way)
	inns mkdir -p "$GW"
	inns sh -c "echo data >'$GW/scan-1.tmp'; echo data >'$AREA/top.tmp'; touch -d '10 days ago' '$GW/scan-1.tmp' '$AREA/top.tmp' '$GW'"
}
rules() { # rules FILE LINE: write a one-line tmpfiles.d file in the namespace
	inns sh -c 'mkdir -p "$(dirname "$1")" && printf "%s\n" "$2" >"$1"' sh "$1" "$2"
}
clean() { inns systemd-tmpfiles --clean >/dev/null 2>&1; }
gone() { # NAME FILE: the real clean-up removed it
	if inns test -e "$2"; then not_ok "$1: systemd-tmpfiles --clean kept $2"; else ok "$1"; fi
}
kept() {
	if inns test -e "$2"; then ok "$1"; else not_ok "$1: systemd-tmpfiles --clean removed $2"; fi
}
conf tc.conf <<CONF
[gw-tmp]
probe         = tmp-cleaner
dir           = $GW
tmpfiles_name = gw-tmp-exclude

[area]
probe = tmp-cleaner
dir   = $AREA
CONF
hd() { run inns "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" -f json; }

# 1. a vendor rule cleans the area: the gateway's directory below it is covered
old_files
rules /usr/lib/tmpfiles.d/area.conf "d $AREA 0755 root root mM:5d"
hd
expect_check "vendor rule above: WARNING" gw-tmp "['status']" WARNING
expect_check_re "names the rule" gw-tmp "['details']" "/usr/lib/tmpfiles.d/area.conf:1: d $AREA 0755 root root mM:5d"
expect_check_re "summary gives the age" gw-tmp "['summary']" "is cleaned by systemd-tmpfiles \(5 d\)"
expect_check_re "remedy: an x line in /etc/tmpfiles.d" gw-tmp "['remedy']" "echo 'x $GW' > /etc/tmpfiles.d/gw-tmp-exclude.conf"
expect_check "metric min_age" gw-tmp "['metrics'][1]['value']" 432000.0
clean
gone "the real clean-up agrees: the gateway's file is removed" "$GW/scan-1.tmp"

# 2. the remedy applied: x for the gateway's directory
old_files
rules /etc/tmpfiles.d/gw-tmp-exclude.conf "x $GW"
hd
expect_check "x line: OK" gw-tmp "['status']" OK
expect_check_re "says which line keeps it out" gw-tmp "['details']" "not cleaned \(/etc/tmpfiles.d/gw-tmp-exclude.conf:1: x $GW\)"
expect_check "the area itself is still cleaned" area "['status']" WARNING
clean
kept "the real clean-up agrees: the gateway's file stays" "$GW/scan-1.tmp"
gone "and the area's own file goes" "$AREA/top.tmp"

# 3. x on the cleaned directory itself does not help, in the probe as in systemd-tmpfiles
old_files
rules /etc/tmpfiles.d/gw-tmp-exclude.conf "x $AREA"
hd
expect_check "x on the cleaned directory: still WARNING" area "['status']" WARNING
expect_check_re "remedy says so" area "['remedy']" "where an 'x $AREA' line does not help"
clean
gone "the real clean-up agrees: x on the rule's own path keeps nothing" "$AREA/top.tmp"

# 4. the vendor file overridden by one of the same name in /etc (no age), then masked
old_files
inns rm -f /etc/tmpfiles.d/gw-tmp-exclude.conf
rules /etc/tmpfiles.d/area.conf "d $AREA 0755 root root -"
hd
expect_check "same name in /etc overrides the vendor rule: OK" gw-tmp "['status']" OK
clean
kept "the real clean-up agrees (override)" "$GW/scan-1.tmp"
inns rm -f /etc/tmpfiles.d/area.conf
inns ln -s /dev/null /etc/tmpfiles.d/area.conf
hd
expect_check "masked with a link to /dev/null: OK" gw-tmp "['status']" OK
clean
kept "the real clean-up agrees (masked)" "$GW/scan-1.tmp"
inns rm -f /etc/tmpfiles.d/area.conf

# 5. a boot-only line does not clean
rules /usr/lib/tmpfiles.d/area.conf "d! $AREA 0755 root root mM:5d"
hd
expect_check "boot-only line: OK" gw-tmp "['status']" OK
clean
kept "the real clean-up agrees (boot-only)" "$GW/scan-1.tmp"

# --- fixture roots: tmpwatch (RHEL 7) and tmpreaper (Debian) daily jobs ---
F=$HD_FIXTURES/tmp-cleaner
conf tc.conf <<'CONF'
[gw-tmp]
probe = tmp-cleaner
dir   = /tmp/gw
CONF
run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" -r "$F/rhel7" -f json
expect_check "RHEL 7: WARNING" gw-tmp "['status']" WARNING
expect_check_re "both cleaners named" gw-tmp "['summary']" "systemd-tmpfiles \(10 d\), tmpwatch \(10 d\)"
expect_check_re "the tmpwatch line" gw-tmp "['details']" "/etc/cron.daily/tmpwatch:4: tmpwatch removes files unused for 10 d"
expect_check_re "remedy: -x for tmpwatch" gw-tmp "['remedy']" "add '-x /tmp/gw' to the tmpwatch command in /etc/cron.daily/tmpwatch"
run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" -r "$F/debian" -f json
expect_check "Debian with tmpreaper on: WARNING" gw-tmp "['status']" WARNING
expect_check_re "from tmpreaper.conf" gw-tmp "['details']" "tmpreaper removes files unused for 7 d \(from /etc/tmpreaper.conf\)"
expect_check_re "remedy: TMPREAPER_PROTECT_EXTRA" gw-tmp "['remedy']" "add '/tmp/gw /tmp/gw/\*' to TMPREAPER_PROTECT_EXTRA"
expect_check_re "Debian's tmp.conf does not clean" gw-tmp "['details']" "not cleaned \(/usr/lib/tmpfiles.d/tmp.conf:2: D /tmp"

# the same root with the protection applied, and with the daily run off
R=$HD_TMP/debian
cp -a "$F/debian" "$R"
sed -i "s|^TMPREAPER_PROTECT_EXTRA=.*|TMPREAPER_PROTECT_EXTRA='/tmp/gw /tmp/gw/*'|" "$R/etc/tmpreaper.conf"
run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" -r "$R" -f json
expect_check "protected: OK" gw-tmp "['status']" OK
sed -i 's/^#SHOWWARNING=true/SHOWWARNING=true/; s|^TMPREAPER_PROTECT_EXTRA=.*|TMPREAPER_PROTECT_EXTRA=|' "$R/etc/tmpreaper.conf"
run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" -r "$R" -f json
expect_check "SHOWWARNING=true: the run is off, OK" gw-tmp "['status']" OK
rm "$R/usr/sbin/tmpreaper"
sed -i 's/^SHOWWARNING=true/#SHOWWARNING=true/' "$R/etc/tmpreaper.conf"
run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" -r "$R" -f json
expect_check "tmpreaper not installed: OK" gw-tmp "['status']" OK
expect_check_re "and says so" gw-tmp "['details']" "tmpreaper is not installed"
finish
