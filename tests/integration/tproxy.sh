# tproxy on fixture roots (config.gz gzipped here from a text fixture, /boot/config-RELEASE,
# ip_tables_targets with and without TPROXY, /proc/modules, capability masks) and on this host.
. "$(dirname "$0")/lib.sh"

F="$HD_FIXTURES/tproxy"
# mkroot NAME RELEASE: an empty root with an osrelease; prints its path
mkroot() {
	local r="$HD_TMP/$1"
	mkdir -p "$r/proc/sys/kernel" "$r/proc/net" "$r/proc/self" "$r/boot"
	echo "$2" >"$r/proc/sys/kernel/osrelease"
	cp "$F/status-root" "$r/proc/self/status"
	echo "$r"
}
gz() { gzip -9 -c "$1" >"$2"; }

conf tproxy.conf <<'CONF'
[tproxy]
probe        = tproxy
required     = yes
restart_hint = /opt/product/rc.product restart
note         = With the older tproxy version 1: set version1 = yes and restart.

[tproxy-optional]
probe = tproxy
CONF
D="$HD_TMP/checks.d"
json() { run "$HOSTDOCTOR" doctor -d "$D" --only "${2:-tproxy}" -r "$1" --format json; }
c0="j['checks'][0]"

# built in, from /proc/config.gz, target registered
r=$(mkroot gz-y 6.1.0-18-amd64)
gz "$F/config-tproxy-y" "$r/proc/config.gz"
cp "$F/ip_tables_targets-tproxy" "$r/proc/net/ip_tables_targets"
json "$r"
expect_rc "config.gz =y, registered" 0
expect_json "config.gz =y: OK" "$c0['status']" OK
expect_json "config.gz =y: summary" "$c0['summary']" "TPROXY ready (target registered); IP_TRANSPARENT permitted"
expect_json "config.gz =y: config source named" "'(config from $r/proc/config.gz)' in $c0['details']" True
expect_json "config.gz =y: available metric" "[m['value'] for m in $c0['metrics'] if m['name']=='available'][0]" 1.0

# a module in /boot/config-RELEASE, not loaded, target not registered
r=$(mkroot boot-m 5.10.0-28-amd64)
cp "$F/config-tproxy-m" "$r/boot/config-5.10.0-28-amd64"
cp "$F/config-tproxy-none" "$r/boot/config-5.10.0-27-amd64" # another release: must not be read
cp "$F/ip_tables_targets-plain" "$r/proc/net/ip_tables_targets"
cp "$F/modules-plain" "$r/proc/modules"
mkdir -p "$r/lib/modules/5.10.0-28-amd64"
cp "$F/modules.dep-5.10" "$r/lib/modules/5.10.0-28-amd64/modules.dep"
json "$r"
expect_rc "/boot config =m, not loaded" 1
expect_json "module not loaded: WARNING" "$c0['status']" WARNING
expect_json "module not loaded: summary" "'available as a module but not loaded' in $c0['summary']" True
expect_json "module not loaded: remedy modprobe" "'modprobe xt_TPROXY' in $c0['remedy']" True
expect_json "module not loaded: legacy remedy IPTABLES_MODULES" "'IPTABLES_MODULES=\"iptable_tproxy\" in /etc/sysconfig/iptables-config, run /etc/rc.d/init.d/iptables restart' in $c0['remedy']" True
expect_json "module not loaded: the product's restart" "'/opt/product/rc.product restart' in $c0['remedy']" True
expect_json "module not loaded: remedy modules-load.d" "'/etc/modules-load.d/tproxy.conf' in $c0['remedy']" True
expect_json "module not loaded: read the running release's config" "'config-5.10.0-28-amd64' in $c0['details']" True
expect_json "module not loaded: available 0" "[m['value'] for m in $c0['metrics'] if m['name']=='available'][0]" 0.0
# the same, module loaded
cp "$F/modules-xt_tproxy" "$r/proc/modules"
json "$r"
expect_json "module loaded: OK" "$c0['summary']" "TPROXY ready (module loaded); IP_TRANSPARENT permitted"
# the same, target registered, module list absent (kernel without modules)
rm "$r/proc/modules"
cp "$F/ip_tables_targets-tproxy" "$r/proc/net/ip_tables_targets"
json "$r"
expect_json "registered, no /proc/modules: OK" "$c0['status']" OK

# no TPROXY in the kernel at all
r=$(mkroot none 5.15.0-appliance)
gz "$F/config-tproxy-none" "$r/proc/config.gz"
cp "$F/ip_tables_targets-plain" "$r/proc/net/ip_tables_targets"
json "$r"
expect_rc "no TPROXY" 2
expect_json "no TPROXY: CRITICAL" "$c0['status']" CRITICAL
expect_json "no TPROXY: summary" "'kernel 5.15.0-appliance has no TPROXY support' in $c0['summary']" True
expect_json "no TPROXY: the check's note" "'With the older tproxy version 1: set version1 = yes' in $c0['remedy']" True
json "$r" tproxy-optional
expect_rc "not required" 0
expect_json "not required: SKIPPED with the state" "$c0['status'] + ': ' + $c0['summary']" "SKIPPED: not required; TPROXY not supported by this kernel"

# legacy tproxy v2 kernel: /proc/net/tproxy
r=$(mkroot legacy 2.6.18-tproxy)
echo "0" >"$r/proc/net/tproxy"
json "$r"
expect_json "legacy /proc/net/tproxy: OK" "$c0['summary']" "TPROXY ready (legacy tproxy v2); IP_TRANSPARENT permitted"
# the tproxy patch's module loaded, no /proc/net/tproxy yet
rm "$r/proc/net/tproxy"
printf 'iptable_tproxy 9876 0 - Live 0x0\nip_tables 1 1 iptable_tproxy, Live 0x0\n' >"$r/proc/modules"
json "$r"
expect_json "iptable_tproxy loaded: OK" "$c0['summary']" "TPROXY ready (legacy tproxy v2); IP_TRANSPARENT permitted"
expect_json "iptable_tproxy named" "'module iptable_tproxy loaded' in $c0['details']" True

# TPROXY there, but root in a container without CAP_NET_ADMIN and CAP_NET_RAW
r=$(mkroot nocaps 6.1.0-18-amd64)
gz "$F/config-tproxy-y" "$r/proc/config.gz"
cp "$F/status-container-nonet" "$r/proc/self/status"
json "$r"
expect_json "no capabilities: CRITICAL" "$c0['status']" CRITICAL
expect_json "no capabilities: summary" "'IP_TRANSPARENT is not permitted' in $c0['summary']" True
expect_json "no capabilities: ip_transparent 0" "[m['value'] for m in $c0['metrics'] if m['name']=='ip_transparent'][0]" 0.0

# nothing to go on: UNKNOWN naming what was looked for
r=$(mkroot empty 6.1.0-18-amd64)
json "$r"
expect_rc "no config, no targets" 3
expect_json "no config: UNKNOWN" "$c0['status']" UNKNOWN
expect_json "no config: names the paths" "'/proc/config.gz' in $c0['summary'] and '/boot/config-6.1.0-18-amd64' in $c0['summary']" True

# a corrupt config.gz: falls back to /boot/config-RELEASE, and says so
r=$(mkroot badgz 6.1.0-18-amd64)
head -c 300 /dev/urandom >"$r/proc/config.gz"
cp "$F/config-tproxy-none" "$r/boot/config-6.1.0-18-amd64"
json "$r"
expect_json "corrupt config.gz: /boot used" "$c0['status']" CRITICAL
expect_json "corrupt config.gz: reported" "'config.gz: not valid gzip data' in $c0['details']" True
# and a truncated one with nothing else: UNKNOWN, no crash
gz "$F/config-tproxy-y" "$HD_TMP/full.gz"
head -c 100 "$HD_TMP/full.gz" >"$r/proc/config.gz"
rm "$r/boot/config-6.1.0-18-amd64"
json "$r"
expect_json "truncated config.gz alone: UNKNOWN" "$c0['status']" UNKNOWN

# this host
run "$HOSTDOCTOR" doctor -d "$D" --only tproxy --format json
if zcat /proc/config.gz 2>/dev/null | grep -Eq '^CONFIG_(NETFILTER_XT_TARGET|NFT)_TPROXY=y'; then
	expect_json "host with TPROXY built in: OK" "$c0['status']" OK
	if [ "$(id -u)" = 0 ]; then
		chmod -R a+rX "$HD_TMP"
		run setpriv --reuid=65534 --regid=65534 --clear-groups "$HOSTDOCTOR" doctor -d "$D" --only tproxy --format json
		expect_json "unprivileged: still OK from the kernel config" "$c0['status']" OK
		expect_json "unprivileged: reports root can" "'root can' in $c0['details'] and 'this process (uid 65534) may not' in $c0['details']" True
		expect_json "unprivileged: ip_tables_targets needs root" "'ip_tables_targets: not readable (needs root)' in $c0['details']" True
	fi
else
	expect_json "host: a verdict" "$c0['status'] in ('OK','WARNING','CRITICAL','UNKNOWN')" True
fi
finish
