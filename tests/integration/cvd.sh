#!/usr/bin/env bash
# cvd: .cvd files made here as sigtool makes them (a 512-byte header, then tar | gzip), whole and
# damaged (cut short, a changed byte, a bad header field, a body that is no tar), in a directory
# of the live host and in a root with the connector installed (the shipped amp-definitions).
. "$(dirname "$0")/lib.sh"

C='j["checks"][0]'
# mkcvd OUT NAME VERSION: a definition file holding NAME.info and NAME.hdb
mkcvd() {
	local w=$HD_TMP/w.$RANDOM
	mkdir -p "$w" "$(dirname "$1")"
	printf 'ClamAV-VDB:04 Mar 2024 07-44 -0500:%s:42:90\n' "$3" >"$w/$2.info"
	printf '44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signature\n' >"$w/$2.hdb"
	(cd "$w" && tar -cf - "$2.info" "$2.hdb" | gzip -9) >"$w/body"
	{
		printf '%-512s' "ClamAV-VDB:04 Mar 2024 07-44 -0500:$3:42:90:$(md5sum <"$w/body" | cut -c1-32):AbCdEf0123456789+/sig:raynman:1709556240"
		cat "$w/body"
	} >"$1"
}
check() { # check DIR [ROOT]
	printf '[defs]\nprobe = cvd\ndir = %s\n' "$1" | conf cvd.conf
	run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" ${2:+--root "$2"} --format json
}

D=$HD_TMP/defs
mkdir -p "$D"
check "$D"
expect_rc "no .cvd files" 0
expect_json "empty dir: SKIPPED" "$C['status']" SKIPPED
check "$HD_TMP/no-such-dir"
expect_json "no dir: SKIPPED" "$C['status']" SKIPPED

mkcvd "$D/clamav/main.cvd" main 62
mkcvd "$D/clamav/daily.cvd" daily 27202
mkcvd "$D/clamav/bytecode.cvd" bytecode 335
check "$D"
expect_rc "three whole files" 0
expect_json "whole: summary" "$C['summary']" "3 .cvd files under $D load: bytecode.cvd v335, daily.cvd v27202, main.cvd v62"
expect_json "whole: details give version and date" "'daily.cvd: version 27202, 42 signatures, built 04 Mar 2024 07-44 -0500 (2024-03-04)' in $C['details']" True
expect_json "whole: damaged 0" "[m['value'] for m in $C['metrics'] if m['name']=='damaged'][0]" 0.0

# cut short, as an interrupted download leaves it
cp "$D/clamav/daily.cvd" "$HD_TMP/daily.good"
head -c $(($(stat -c %s "$D/clamav/daily.cvd") - 20)) "$HD_TMP/daily.good" >"$D/clamav/daily.cvd"
check "$D"
expect_rc "a truncated file" 2
expect_json "truncated: CRITICAL" "$C['summary']" "1 of 3 .cvd files under $D are damaged"
expect_json "truncated: named with why" "'$D/clamav/daily.cvd: damaged: the gzip body ends early' in $C['details']" True
expect_json "truncated: remedy" "'Remove the damaged definition files' in $C['remedy']" True

# one byte changed inside the compressed body
cp "$HD_TMP/daily.good" "$D/clamav/daily.cvd"
size=$(stat -c %s "$D/clamav/daily.cvd")
printf '\xff\xff\xff\xff' | dd of="$D/clamav/daily.cvd" bs=1 seek=$((size - 8)) conv=notrunc status=none
check "$D"
expect_rc "a changed CRC" 2
expect_json "corrupt: says so" "'daily.cvd: damaged: the gzip body is corrupt' in $C['details']" True

# a header field that is no number
cp "$HD_TMP/daily.good" "$D/clamav/daily.cvd"
printf 'X' | dd of="$D/clamav/daily.cvd" bs=1 seek=36 conv=notrunc status=none
check "$D"
expect_rc "a bad header" 2
expect_json "bad header: names the field" "'header field 3 (version)' in $C['details']" True

# not a .cvd at all, and a gzip that holds no tar
head -c 600 /dev/zero | tr '\0' a >"$D/clamav/daily.cvd"
check "$D"
expect_json "not a cvd" "'no \\'ClamAV-VDB:\\' header' in $C['details']" True
printf 'hello\n' >"$D/clamav/daily.cvd"
check "$D"
expect_json "shorter than a header" "'6 bytes, shorter than the 512-byte header' in $C['details']" True
{ printf '%-512s' "ClamAV-VDB:04 Mar 2024 07-44 -0500:1:42:90:44d88612fea8a8f36de82e1278abb02f:s:b:1"; head -c 2048 /dev/zero | tr '\0' x | gzip; } >"$D/clamav/daily.cvd"
check "$D"
expect_json "no tar inside" "'the body is not a tar archive' in $C['details']" True
cp "$HD_TMP/daily.good" "$D/clamav/daily.cvd"

# the shipped check: a root with the connector installed and a damaged daily.cvd
R=$HD_TMP/root
mkcvd "$R/opt/cisco/amp/clamav/main.cvd" main 62
head -c 700 "$HD_TMP/daily.good" >"$R/opt/cisco/amp/clamav/daily.cvd"
run "$HOSTDOCTOR" doctor -d "$HD_SRC/checks.d" --root "$R" --only amp-definitions --format json
expect_rc "amp-definitions: a damaged daily.cvd" 2
expect_json "amp-definitions: the document's remedy" "'on restart it deletes every invalid .cvd file' in $C['remedy'] and '/var/log/cisco/ampscansvc.log' in $C['remedy']" True
rm "$R/opt/cisco/amp/clamav/daily.cvd"
run "$HOSTDOCTOR" doctor -d "$HD_SRC/checks.d" --root "$R" --only amp-definitions --format json
expect_rc "amp-definitions: whole files" 0
run "$HOSTDOCTOR" doctor -d "$HD_SRC/checks.d" --root "$HD_TMP/defs" --only amp-definitions --format json
expect_json "amp-definitions without the connector: SKIPPED" "$C['status']" SKIPPED

# a depth limit keeps deep trees out
check_depth() { printf '[defs]\nprobe = cvd\ndir = %s\ndepth = 0\n' "$1" | conf cvd.conf; run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --format json; }
check_depth "$D"
expect_json "depth 0: files one level down are not searched" "$C['status']" SKIPPED
finish
