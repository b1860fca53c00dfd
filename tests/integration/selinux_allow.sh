# selinux-allow: policies compiled here with checkpolicy, and roots in each SELinux mode.
. "$(dirname "$0")/lib.sh"

command -v checkpolicy >/dev/null || { echo "SKIP: checkpolicy is not installed"; finish; }

# One type per case; bpf_prog_run (false) gates gated_t's prog_run.
cat >"$HD_TMP/policy.conf" <<'EOF'
class process
class bpf
sid kernel
class process { transition fork }
class bpf { map_create map_read map_write prog_load prog_run }
attribute bpf_users;
type kernel_t;
type unconfined_service_t;
type partial_t;
type gated_t;
type via_attr_t, bpf_users;
type other_t, bpf_users;
bool bpf_prog_run false;
allow unconfined_service_t self:bpf { map_create map_read map_write prog_load prog_run };
allow partial_t self:bpf { map_create map_read map_write prog_load };
allow gated_t self:bpf { map_create map_read map_write prog_load };
if (bpf_prog_run) { allow gated_t self:bpf prog_run; }
allow bpf_users bpf_users:bpf { map_create map_read map_write prog_load prog_run };
allow kernel_t self:process { transition fork };
role system_r;
role system_r types { kernel_t unconfined_service_t partial_t gated_t via_attr_t other_t };
user system_u roles { system_r };
sid kernel system_u:system_r:kernel_t
EOF
checkpolicy -c 33 -o "$HD_TMP/policy.33" "$HD_TMP/policy.conf" >/dev/null || { not_ok "checkpolicy"; finish; }
head -c 600 "$HD_TMP/policy.33" >"$HD_TMP/truncated.33"
P=$HD_TMP/policy.33

# --- offline: policy = FILE, whatever the host runs -----------------------------------------
conf a.conf <<EOF
[rule]
probe  = selinux-allow
policy = $P
[partial]
probe  = selinux-allow
source = partial_t
policy = $P
[gated]
probe  = selinux-allow
source = gated_t
policy = $P
[attr]
probe  = selinux-allow
source = via_attr_t
target = other_t
policy = $P
[unknown]
probe  = selinux-allow
source = nosuch_t
policy = $P
[braces]
probe  = selinux-allow
source = partial_t
perms  = { map_create prog_load }
policy = $P
[truncated]
probe  = selinux-allow
policy = $HD_TMP/truncated.33
EOF
run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --format json
expect_rc "offline: CRITICAL outranks UNKNOWN" 2
expect_json "rule present: OK" "[c for c in j['checks'] if c['id']=='rule'][0]['status']" OK
expect_json "rule present: 0 missing" \
	"[m['value'] for c in j['checks'] if c['id']=='rule' for m in c['metrics'] if m['name']=='missing'][0]" 0.0
expect_json "one permission missing: CRITICAL" "[c for c in j['checks'] if c['id']=='partial'][0]['status']" CRITICAL
expect_json "one permission missing: named" \
	"'denies partial_t self:bpf: prog_run' in [c for c in j['checks'] if c['id']=='partial'][0]['summary']" True
expect_json "one permission missing: .te module in the remedy" \
	"'allow partial_t self:bpf prog_run;' in [c for c in j['checks'] if c['id']=='partial'][0]['remedy']" True
expect_json "one permission missing: semodule commands" \
	"'checkmodule -M -m -o local_partial_t.mod local_partial_t.te' in [c for c in j['checks'] if c['id']=='partial'][0]['remedy']" True
expect_json "false boolean: CRITICAL" "[c for c in j['checks'] if c['id']=='gated'][0]['status']" CRITICAL
expect_json "false boolean: setsebool remedy" \
	"[c for c in j['checks'] if c['id']=='gated'][0]['remedy'].startswith('setsebool -P bpf_prog_run on')" True
expect_json "false boolean: no .te module offered" \
	"'checkmodule' in [c for c in j['checks'] if c['id']=='gated'][0]['remedy']" False
expect_json "attribute: OK" "[c for c in j['checks'] if c['id']=='attr'][0]['status']" OK
expect_json "attribute: named in details" \
	"'prog_run: allowed through attribute bpf_users' in [c for c in j['checks'] if c['id']=='attr'][0]['details']" True
expect_json "unknown type: CRITICAL" "[c for c in j['checks'] if c['id']=='unknown'][0]['status']" CRITICAL
expect_json "unknown type: named" \
	"'type nosuch_t is not defined' in [c for c in j['checks'] if c['id']=='unknown'][0]['summary']" True
expect_json "perms written as in a .te file" "[c for c in j['checks'] if c['id']=='braces'][0]['status']" OK
expect_json "truncated policy: UNKNOWN" "[c for c in j['checks'] if c['id']=='truncated'][0]['status']" UNKNOWN
expect_json "truncated policy: the file is named" \
	"'truncated.33' in [c for c in j['checks'] if c['id']=='truncated'][0]['summary']" True

# --- this host: no SELinux, so the live path does not apply ----------------------------------
conf a.conf <<EOF
[live]
probe = selinux-allow
EOF
run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --format json
if grep -q ' selinuxfs ' /proc/self/mounts; then
	ok "live: this host runs SELinux, SKIPPED case not applicable"
else
	expect_rc "live host without SELinux" 0
	expect_json "live host without SELinux: SKIPPED" "j['checks'][0]['status']" SKIPPED
fi

# --- roots in each mode -----------------------------------------------------------------------
# mkroot NAME SELINUX-MODE ENFORCE(0|1|none) POLICY-FILE
mkroot() {
	local r=$HD_TMP/root-$1
	mkdir -p "$r/proc/self" "$r/etc/selinux/targeted/policy"
	printf 'SELINUX=%s\nSELINUXTYPE=targeted\n' "$2" >"$r/etc/selinux/config"
	echo "sysfs /sys sysfs rw 0 0" >"$r/proc/self/mounts"
	if [ "$3" != none ]; then
		echo "selinuxfs /sys/fs/selinux selinuxfs rw,relatime 0 0" >>"$r/proc/self/mounts"
		mkdir -p "$r/sys/fs/selinux/booleans"
		printf '%s' "$3" >"$r/sys/fs/selinux/enforce"
	fi
	# an older policy.31 next to it: the highest number is the one loaded
	[ -n "$4" ] && cp "$4" "$r/etc/selinux/targeted/policy/policy.33" &&
		head -c 100 "$4" >"$r/etc/selinux/targeted/policy/policy.31"
	echo "$r"
}
R_DIS=$(mkroot disabled disabled none "$P")
R_PERM=$(mkroot permissive permissive 0 "$P")
R_ENF=$(mkroot enforcing enforcing 1 "$P")

conf a.conf <<EOF
[connector]
probe = selinux-allow
[partial]
probe = selinux-allow
source = partial_t
[gated]
probe = selinux-allow
source = gated_t
EOF
run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --root "$R_DIS" --format json
expect_rc "disabled root" 0
expect_json "disabled: all SKIPPED" "sorted(set(c['status'] for c in j['checks']))" "['SKIPPED']"

run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --root "$R_PERM" --format json
expect_rc "permissive root" 1
expect_json "permissive, rule present: WARNING" "[c for c in j['checks'] if c['id']=='connector'][0]['status']" WARNING
expect_json "permissive, rule present: says permissive" \
	"[c for c in j['checks'] if c['id']=='connector'][0]['summary'].startswith('SELinux is permissive')" True
expect_json "permissive, rule missing: WARNING, not CRITICAL" "[c for c in j['checks'] if c['id']=='partial'][0]['status']" WARNING

run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --root "$R_ENF" --format json
expect_rc "enforcing root" 2
expect_json "enforcing, rule present: OK" "[c for c in j['checks'] if c['id']=='connector'][0]['status']" OK
expect_json "enforcing, the highest policy.NN is read" \
	"'policy.33 (version 33)' in [c for c in j['checks'] if c['id']=='connector'][0]['details']" True
expect_json "enforcing, rule missing: CRITICAL" "[c for c in j['checks'] if c['id']=='partial'][0]['status']" CRITICAL
expect_json "enforcing, module not installed: reinstall the product" \
	"'Reinstall or upgrade the product' in [c for c in j['checks'] if c['id']=='partial'][0]['remedy']" True
expect_json "enforcing, boolean off: CRITICAL" "[c for c in j['checks'] if c['id']=='gated'][0]['status']" CRITICAL

# the running value of the boolean (selinuxfs) wins over the file's default
printf '1 1' >"$R_ENF/sys/fs/selinux/booleans/bpf_prog_run"
run "$HOSTDOCTOR" nagios -d "$HD_TMP/checks.d" --root "$R_ENF" gated
expect_rc "enforcing, boolean switched on at runtime: OK" 0

# the product's module in the store
mkdir -p "$R_ENF/var/lib/selinux/targeted/active/modules/400/cisco-secure-bpf"
run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --root "$R_ENF" --format json --only partial
expect_json "module installed: found in the store" \
	"'module cisco-secure-bpf: installed at /var/lib/selinux/targeted/active/modules/400/cisco-secure-bpf' in j['checks'][0]['details']" True
expect_json "module installed: no reinstall advice" "'Reinstall' in j['checks'][0]['remedy']" False
touch "$R_ENF/var/lib/selinux/targeted/active/modules/disabled/cisco-secure-bpf" 2>/dev/null ||
	{ mkdir -p "$R_ENF/var/lib/selinux/targeted/active/modules/disabled" &&
		touch "$R_ENF/var/lib/selinux/targeted/active/modules/disabled/cisco-secure-bpf"; }
run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --root "$R_ENF" --format json --only partial
expect_json "module disabled: semodule -e" "'semodule -e cisco-secure-bpf' in j['checks'][0]['remedy']" True

# permissive = ok, and policy = FILE under --root in the pre-install case
conf a.conf <<EOF
[connector]
probe      = selinux-allow
permissive = ok
[preinstall]
probe  = selinux-allow
source = partial_t
policy = /etc/selinux/targeted/policy/policy.33
EOF
run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --root "$R_PERM" --format json
expect_json "permissive = ok: OK" "[c for c in j['checks'] if c['id']=='connector'][0]['status']" OK
expect_json "policy = FILE ignores the permissive mode" "[c for c in j['checks'] if c['id']=='preinstall'][0]['status']" CRITICAL
run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --root "$R_DIS" --format json --only preinstall
expect_json "policy = FILE on a disabled host still evaluates" "j['checks'][0]['status']" CRITICAL

# broken roots: an unreadable enforce file, no policy file
conf a.conf <<EOF
[connector]
probe = selinux-allow
EOF
rm -f "$R_PERM/sys/fs/selinux/enforce"
run "$HOSTDOCTOR" nagios -d "$HD_TMP/checks.d" --root "$R_PERM" connector
expect_rc "selinuxfs without enforce: UNKNOWN" 3
expect_out "selinuxfs without enforce: path named" "sys/fs/selinux/enforce"
rm -f "$R_ENF"/etc/selinux/targeted/policy/policy.*
run "$HOSTDOCTOR" nagios -d "$HD_TMP/checks.d" --root "$R_ENF" connector
expect_rc "enforcing without a policy file: UNKNOWN" 3
expect_out "enforcing without a policy file: directory named" "etc/selinux/targeted/policy"

finish
