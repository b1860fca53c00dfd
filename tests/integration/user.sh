# user: users and groups created by the real useradd/groupadd (--prefix) in a copy of /etc, with
# USERGROUPS_ENAB yes and no; corrupted passwd and group lines; login.defs variants; the live host.
. "$(dirname "$0")/lib.sh"
need_root

C='j["checks"][0]'
metric() { echo "int([x['value'] for x in $C['metrics'] if x['name']=='$1'][0])"; }

check() {
	local root=$1
	shift
	{ printf '[u]\nprobe = user\n'; printf '%s\n' "$@"; } | conf user.conf
	if [ -n "$root" ]; then
		run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --root "$root" --format json
	else
		run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --format json
	fi
}
# mkroot NAME: a copy of this host's user database, login.defs with USERGROUPS_ENAB yes
mkroot() {
	local r=$HD_TMP/roots/$1
	mkdir -p "$r/etc"
	cp /etc/passwd /etc/group /etc/shadow /etc/gshadow "$r/etc/"
	{ grep -v '^[[:space:]]*USERGROUPS_ENAB' /etc/login.defs; echo 'USERGROUPS_ENAB yes'; } >"$r/etc/login.defs"
	echo "$r"
}

# useradd with USERGROUPS_ENAB yes creates the user's own group
R=$(mkroot good)
useradd --prefix "$R" --system --no-create-home --shell /usr/sbin/nologin ampscan
check "$R" "user = ampscan" "group = ampscan" "login_defs_usergroups = yes"
expect_rc "user, group and USERGROUPS_ENAB present" 0
expect_json "good: summary lists them" "'group ampscan' in $C['summary'] and 'user ampscan' in $C['summary'] and 'USERGROUPS_ENAB yes' in $C['summary']" True
expect_json "good: missing 0" "$(metric missing)" 0

# USERGROUPS_ENAB no: useradd puts the user in the default group, no group of its own
R=$(mkroot nogroups)
sed -i 's/^USERGROUPS_ENAB.*/USERGROUPS_ENAB no/' "$R/etc/login.defs"
useradd --prefix "$R" --system --no-create-home --shell /usr/sbin/nologin ampscan
LINE=$(grep -n '^USERGROUPS_ENAB' "$R/etc/login.defs" | cut -d: -f1)
check "$R" "user = ampscan" "group = ampscan" "login_defs_usergroups = yes"
expect_rc "USERGROUPS_ENAB no, no user group" 2
expect_json "nogroups: missing 2" "$(metric missing)" 2
expect_json "nogroups: summary" "$C['summary']" "missing: group ampscan, USERGROUPS_ENAB yes; present: user ampscan (uid $(awk -F: '$1=="ampscan"{print $3}' "$R/etc/passwd"))"
expect_json "nogroups: detail names the login.defs line" "'/etc/login.defs line $LINE: USERGROUPS_ENAB no (yes needed)' in $C['details']" True
expect_json "nogroups: remedy edits that line" "\"sed -i '${LINE}s/.*/USERGROUPS_ENAB yes/' /etc/login.defs\" in $C['remedy']" True
expect_json "nogroups: remedy creates the group" "'groupadd --system ampscan' in $C['remedy']" True
# the remedy's sed line, applied to the copy, fixes it
sed -i "${LINE}s/.*/USERGROUPS_ENAB yes/" "$R/etc/login.defs"
groupadd --prefix "$R" --system ampscan
check "$R" "user = ampscan" "group = ampscan" "login_defs_usergroups = yes"
expect_rc "after the remedy" 0

R=$(mkroot nouser)
check "$R" "user = ampscan" "group = ampscan"
expect_rc "neither user nor group" 2
expect_json "nouser: groupadd comes before useradd --gid" "$C['remedy'].index('groupadd --system ampscan') < $C['remedy'].index('useradd --system --gid ampscan')" True

R=$(mkroot unset)
sed -i '/^USERGROUPS_ENAB/d' "$R/etc/login.defs"
check "$R" "login_defs_usergroups = yes"
expect_rc "USERGROUPS_ENAB not set" 2
expect_json "unset: remedy appends the line" "\"echo 'USERGROUPS_ENAB yes' >> /etc/login.defs\" in $C['remedy']" True

# openSUSE with libeconf: no /etc/login.defs, the vendor file in /usr/etc
R=$(mkroot vendor)
mkdir -p "$R/usr/etc" && mv "$R/etc/login.defs" "$R/usr/etc/login.defs"
check "$R" "login_defs_usergroups = yes"
expect_rc "vendor /usr/etc/login.defs" 0
rm "$R/usr/etc/login.defs"
check "$R" "login_defs_usergroups = yes"
expect_rc "no login.defs at all" 2

# corrupted lines: the C library skips them; the probe names the line numbers
R=$(mkroot corrupt)
useradd --prefix "$R" --system --no-create-home ampscan
sed -i '3i broken:x:1000' "$R/etc/passwd"
printf 'bad-group:x:\n' >>"$R/etc/group"
check "$R" "user = ampscan" "group = ampscan"
expect_rc "corrupted lines next to a good user" 1
expect_json "corrupt: passwd line 3 named" "'/etc/passwd line 3 is malformed' in $C['details']" True
expect_json "corrupt: group line named" "'/etc/group line $(wc -l <"$R/etc/group") is malformed' in $C['details']" True
expect_json "corrupt: malformed_lines 2" "$(metric malformed_lines)" 2
expect_json "corrupt: remedy names the line" "'Fix line 3 of /etc/passwd' in $C['remedy']" True

# the wanted user's own line is the corrupted one
R=$(mkroot corrupt-own)
echo 'ampscan:x:notanumber:990::/:/sbin/nologin' >>"$R/etc/passwd"
check "$R" "user = ampscan"
expect_rc "the user's line is corrupted" 2
expect_json "corrupt-own: flagged as the wanted entry" "'this may be the wanted entry' in $C['details']" True

# garbage never crashes the probe
R=$HD_TMP/roots/garbage
mkdir -p "$R/etc"
printf 'root\0:x:0:0\n:::::::::::::\n\377\376:x:1:1:::\n%s\n' "$(head -c 3000 /dev/zero | tr '\0' ':')" >"$R/etc/passwd"
check "$R" "user = root"
expect_rc "binary garbage in passwd" 2
expect_json "garbage: not UNKNOWN" "$C['status']" CRITICAL

R=$HD_TMP/roots/empty
mkdir -p "$R/etc"
check "$R" "user = root"
expect_rc "no /etc/passwd" 3
expect_json "no passwd: UNKNOWN names the file" "'/etc/passwd: No such file' in $C['summary']" True

check "$R"
expect_rc "nothing to check" 3

check "" "user = root" "group = root"
expect_rc "live host: root exists" 0
finish
