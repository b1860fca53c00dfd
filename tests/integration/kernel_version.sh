# kernel-version: osrelease of RHEL, Rocky, Debian and Ubuntu fixture roots against a minimum.
. "$(dirname "$0")/lib.sh"
FX=$HD_FIXTURES/kernel-version

conf kv.conf <<'EOF2'
[kernel-4.18]
probe = kernel-version
min   = 4.18

[kernel-3.10]
probe = kernel-version
min   = 3.10

[kernel-el7-build]
probe = kernel-version
min   = 3.10.0-1160.95

[kernel-any]
probe = kernel-version
EOF2
field() { echo "[c['$2'] for c in j['checks'] if c['id']=='$1'][0]"; }

run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --root "$FX/rhel7" --format json
expect_rc "RHEL 7 is below 4.18" 2
expect_json "rhel7 4.18 CRITICAL" "$(field kernel-4.18 status)" "CRITICAL"
expect_json "rhel7 summary" "$(field kernel-4.18 summary)" "kernel 3.10.0-1160.92.1.el7.x86_64 is older than the 4.18 required"
expect_json "rhel7: a new series needs a new release" "'newer series than 3.10' in $(field kernel-4.18 remedy)" "True"
expect_json "rhel7: yum on 7" "\"'yum update kernel'\" in $(field kernel-4.18 remedy)" "True"
expect_json "rhel7 3.10 OK" "$(field kernel-3.10 status)" "OK"
expect_json "rhel7 build 1160.92 < 1160.95" "$(field kernel-el7-build status)" "CRITICAL"
expect_json "rhel7: same series, update suffices" "'newest kernel of this release' in $(field kernel-el7-build remedy)" "True"
expect_json "no min: OK" "$(field kernel-any status)" "OK"
expect_json "version code 3.10.0" "[m['value'] for m in [c for c in j['checks'] if c['id']=='kernel-any'][0]['metrics'] if m['name']=='version_code'][0]" "199168.0"

run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --root "$FX/rocky8" --only kernel-4.18 --only kernel-el7-build --format json
expect_rc "Rocky 8 meets 4.18" 0
expect_json "rocky8 remedy uses dnf" "\"'dnf update kernel'\" in $(field kernel-4.18 remedy)" "True"

run "$HOSTDOCTOR" nagios -d "$HD_TMP/checks.d" --root "$FX/debian12" kernel-4.18
expect_rc "Debian 12 meets 4.18" 0
expect_out "nagios line" "^HOSTDOCTOR OK: kernel 6.1.0-13-cloud-amd64 \(at least 4.18\)"
# os-release only in /usr/lib: the Debian command with the cloud flavour
conf kv-new.conf <<'EOF2'
[kernel-6.5]
probe = kernel-version
min   = 6.5
EOF2
run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --root "$FX/debian12" --only kernel-6.5 --format json
expect_rc "Debian 12 below 6.5" 2
expect_json "debian remedy" "'apt-get install linux-image-cloud-amd64' in $(field kernel-6.5 remedy)" "True"

run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --root "$FX/ubuntu22" --only kernel-6.5 --format json
expect_rc "Ubuntu 22.04 below 6.5" 2
expect_json "ubuntu remedy" "'apt-get install linux-generic' in $(field kernel-6.5 remedy)" "True"

for bad in malformed empty; do
	run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --root "$FX/$bad" --only kernel-3.10 --format json
	expect_rc "$bad osrelease" 3
	expect_json "$bad: UNKNOWN names the file" "'osrelease is malformed' in $(field kernel-3.10 summary)" "True"
done
mkdir -p "$HD_TMP/empty"
run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --root "$HD_TMP/empty" --only kernel-3.10 --format json
expect_rc "no osrelease" 3
expect_json "missing file named" "'cannot read' in $(field kernel-3.10 summary)" "True"

# a min that is not a version: UNKNOWN with the file and line
conf kv-bad.conf <<'EOF2'
[kernel-bad-min]
probe = kernel-version
min   = four
EOF2
run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --root "$FX/rhel7" --only kernel-bad-min --format json
expect_rc "bad min" 3
expect_json "bad min names its line" "'kv-bad.conf:3' in $(field kernel-bad-min summary)" "True"

# the live kernel against itself and against a far future one
rel=$(cat /proc/sys/kernel/osrelease)
conf kv-live.conf <<EOF2
[kernel-live]
probe = kernel-version
min   = ${rel%%-*}

[kernel-future]
probe = kernel-version
min   = 99.0
EOF2
run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --only kernel-live --format json
expect_rc "live kernel meets its own version" 0
run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --only kernel-future --format json
expect_rc "live kernel below 99.0" 2
# a list of supported kernels: the live kernel in it, not in it, and an empty list
conf kv-supported.conf <<EOF2
[kernel-listed]
probe     = kernel-version
supported = 1.0.0-old, ${rel%%-*}*

[kernel-unlisted]
probe     = kernel-version
min       = 3.10
supported = 4.18.0-513.*.el8_9.x86_64, 5.14.0-362.*

[kernel-nolist]
probe     = kernel-version
supported =
EOF2
run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --only kernel-listed --format json
expect_rc "live kernel in the supported list" 0
expect_json "listed: OK names the pattern" "$(field kernel-listed summary)" "kernel $rel is supported (matches '${rel%%-*}*')"
expect_json "listed: metric supported 1" "[m['value'] for m in [c for c in j['checks'] if c['id']=='kernel-listed'][0]['metrics'] if m['name']=='supported'][0]" "1.0"
run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --only kernel-unlisted --format json
expect_rc "live kernel not in the list" 2
expect_json "unlisted: CRITICAL" "$(field kernel-unlisted summary)" "kernel $rel is not one of the 2 supported kernels"
expect_json "unlisted: remedy names the list" "'4.18.0-513.*.el8_9.x86_64, 5.14.0-362.*' in $(field kernel-unlisted remedy)" "True"
run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --root "$FX/rocky8" --only kernel-unlisted --format json
expect_rc "rocky 8 kernel 4.18.0-513.5.1 is listed" 0
run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --only kernel-nolist --format json
expect_rc "an empty list: not applicable" 0
expect_json "empty list: SKIPPED" "$(field kernel-nolist status)" "SKIPPED"
expect_json "empty list: says where to set it" "'kv-supported.conf:12' in $(field kernel-nolist summary)" "True"

# the shipped connector check: SKIPPED with an empty list, CRITICAL once an override lists others
run "$HOSTDOCTOR" doctor -d "$HD_SRC/checks.d" --root "$FX/rocky8" --only amp-kernel-supported --format json
expect_json "amp-kernel-supported ships empty: SKIPPED" "$(field amp-kernel-supported status)" "SKIPPED"
mkdir -p "$HD_TMP/site.d"
printf '[amp-kernel-supported]\nsupported = 4.18.0-477.*\n' >"$HD_TMP/site.d/90-site.conf"
run "$HOSTDOCTOR" doctor -d "$HD_SRC/checks.d" -d "$HD_TMP/site.d" --root "$FX/rocky8" --only amp-kernel-supported --format json
expect_rc "amp-kernel-supported with a list without this kernel" 2
expect_json "amp: remedy from the document" "'Downgrade the kernel to a supported version, or upgrade the connector' in $(field amp-kernel-supported remedy)" "True"
finish
