# nic-rings on real interfaces: lo and a veth pair in a fresh network namespace (no ring query:
# SKIPPED), a missing interface (UNKNOWN), and the host's own NIC over netlink and the ioctl.
. "$(dirname "$0")/lib.sh"
need_root

conf rings.conf <<'CONF'
[rings]
probe     = nic-rings
sample_ms = 100

[rings-ioctl]
probe     = nic-rings
sample_ms = 100
method    = ioctl

[rings-lo]
probe     = nic-rings
sample_ms = 0
iface     = lo

[rings-missing]
probe     = nic-rings
sample_ms = 0
iface     = hdt-nosuch0
CONF
D="$HD_TMP/checks.d"
st() { printf "[c for c in j['checks'] if c['id']=='%s'][0]['status']" "$1"; }
metric() { printf "[m['value'] for c in j['checks'] if c['id']=='%s' for m in c['metrics'] if m['name']=='%s'][0]" "$1" "$2"; }
# dev_metric CHECK NAME DEVICE: a per-interface metric (the interface in the "device" label)
dev_metric() { printf "[m['value'] for c in j['checks'] if c['id']=='%s' for m in c['metrics'] if m['name']=='%s' and m['labels'].get('device')=='%s'][0]" "$1" "$2" "$3"; }

# lo alone in a new network namespace
run unshare -n "$HOSTDOCTOR" doctor -d "$D" --only rings --only rings-ioctl --only rings-lo --format json
expect_rc "netns lo only" 0
expect_json "netns lo: netlink SKIPPED" "$(st rings)" SKIPPED
expect_json "netns lo: ioctl SKIPPED" "$(st rings-ioctl)" SKIPPED
expect_json "netns lo: iface=lo SKIPPED" "$(st rings-lo)" SKIPPED
expect_json "netns lo: detail names lo" "'lo: ring parameters not supported' in [c for c in j['checks'] if c['id']=='rings'][0]['details']" True

# a veth pair: the driver has no ring parameters either
run unshare -n bash -c "ip link add hdt-va type veth peer name hdt-vb && ip link set hdt-va up &&
	ip link set hdt-vb up && exec \"$HOSTDOCTOR\" doctor -d \"$D\" --only rings --only rings-ioctl --format json"
expect_rc "netns veth" 0
expect_json "veth: netlink SKIPPED" "$(st rings)" SKIPPED
expect_json "veth: ioctl SKIPPED" "$(st rings-ioctl)" SKIPPED
expect_json "veth: both ends listed" "all(('%s: ring parameters not supported' % n) in [c for c in j['checks'] if c['id']=='rings'][0]['details'] for n in ('hdt-va','hdt-vb'))" True
expect_json "veth: summary counts 3 interfaces" "'(3 checked)' in [c for c in j['checks'] if c['id']=='rings'][0]['summary']" True

# an interface that does not exist: cannot tell
run unshare -n "$HOSTDOCTOR" nagios -d "$D" rings-missing
expect_rc "missing interface" 3
expect_out "missing interface named" "UNKNOWN: hdt-nosuch0: no such interface"

# the host's NIC (a device-backed interface) where there is one
nic=""
for d in /sys/class/net/*; do
	[ -e "$d/device" ] && { nic=$(basename "$d"); break; }
done
if [ -z "$nic" ]; then
	ok "no device-backed NIC on this host: host part not applicable"
else
	run "$HOSTDOCTOR" doctor -d "$D" --only rings --only rings-ioctl --format json
	expect_json "host $nic: netlink OK or WARNING" "$(st rings) in ('OK','WARNING')" True
	expect_json "host $nic: ioctl OK or WARNING" "$(st rings-ioctl) in ('OK','WARNING')" True
	expect_json "host $nic: rx_max metric > 0" "$(dev_metric rings rx_max "$nic") > 0" True
	expect_json "host $nic: rx <= rx_max" "$(dev_metric rings rx "$nic") <= $(dev_metric rings rx_max "$nic")" True
	expect_json "host $nic: drops metric >= 0" "$(metric rings drops) >= 0" True
	expect_json "host $nic: per-interface drops" "$(dev_metric rings interface_drops "$nic") >= 0" True
	expect_json "host $nic: netlink and ioctl agree on rx_max" "$(dev_metric rings rx_max "$nic") == $(dev_metric rings-ioctl rx_max "$nic")" True
	expect_json "host $nic: remedy names ethtool -G" "'ethtool -G $nic' in [c for c in j['checks'] if c['id']=='rings'][0]['remedy']" True
	# ring queries need no privilege: an unprivileged run sees the same rings
	chmod -R a+rX "$HD_TMP"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$HOSTDOCTOR" doctor -d "$D" --only rings --format json
	expect_json "unprivileged: host $nic still measured" "$(dev_metric rings rx_max "$nic") > 0" True
fi
finish
