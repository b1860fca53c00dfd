# The IPsec stack of vendor document 002: the engine module (a /proc/modules line in a --root
# tree: no module can be loaded here) and its device (real device nodes made with mknod on tmpfs
# mounts, one nodev), policy files present, absent, unreadable to nobody, a real ipsecd process,
# and certificates, keys and CRLs made here with openssl, named by a policy file.
. "$(dirname "$0")/lib.sh"
need_root
command -v openssl >/dev/null || { not_ok "the openssl command is missing (apt-get install openssl)"; finish; }
chmod 755 "$HD_TMP"
private_mount_ns

conf a.conf <<'EOF'
[engine]
probe        = ipsec-engine
module       = ipsec_engine
device       = /dev/ipsec_engine
policy_files = /etc/ipsec/spd.conf

[files]
probe        = ipsec-policy
policy_files = /etc/ipsec/spd.conf /etc/ipsec/extra.conf
module       = ipsec_engine

[loaded]
probe        = ipsec-policy
expect       = loaded
policy_files = /etc/ipsec/spd.conf
module       = ipsec_engine
daemon       = ipsecd

[certs]
probe        = ipsec-certs
policy_files = /etc/ipsec/spd.conf
module       = ipsec_engine
EOF
chmod -R a+rX "$HD_TMP/checks.d"

# hd ROOT [nobody]: every check above on that root (as root, or as nobody), JSON in $OUT
hd() {
	local as=()
	[ "${2:-}" = nobody ] && as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	run inns "${as[@]}" "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --root "$1" -f json
}

# ================= the engine: module and device =================
E=$HD_TMP/e
mkdir -p "$E/proc" "$E/dev" "$E/etc/ipsec"
inns mount -t tmpfs -o size=1m,mode=755 tmpfs "$E/dev"
printf 'xfrm_user 53248 1 - Live 0x0000000000000000\n' >"$E/proc/modules"

hd "$E"
expect_check "nothing configured: engine SKIPPED" engine "['status']" SKIPPED
expect_check_re "nothing configured: says why" engine "['summary']" "not configured: the policy file /etc/ipsec/spd.conf does not exist and the engine module ipsec_engine is not loaded"
for c in files loaded certs; do expect_check "nothing configured: $c SKIPPED" $c "['status']" SKIPPED; done

# a policy file, no module, no device
echo "connection gw1 { remote-address 192.0.2.7; }" >"$E/etc/ipsec/spd.conf"
hd "$E"
expect_check "policy but no module: CRITICAL" engine "['status']" CRITICAL
expect_check_re "policy but no module: named" engine "['details']" "module ipsec_engine is not loaded"
expect_check_re "policy but no module: device missing too" engine "['details']" "/dev/ipsec_engine: the device to the engine is missing"
expect_check_re "policy but no module: modprobe" engine "['remedy']" "modprobe ipsec_engine"

# the module loaded, still no device
printf 'xfrm_user 53248 1 - Live 0x0000000000000000\nipsec_engine 81920 2 - Live 0x0000000000000000\n' >"$E/proc/modules"
hd "$E"
expect_check "module, no device: CRITICAL" engine "['status']" CRITICAL
expect_check_re "module, no device: module seen" engine "['details']" "module ipsec_engine is loaded \\(Live\\)"
expect_json "module, no device: device_ok 0" "[m['value'] for c in j['checks'] if c['id']=='engine' for m in c['metrics'] if m['name']=='device_ok'][0]" 0.0

# a regular file where the device should be
inns touch "$E/dev/ipsec_engine"
hd "$E"
expect_check_re "regular file: not a character device" engine "['details']" "not a character device"
inns rm "$E/dev/ipsec_engine"

# a device node that opens (the null device's numbers): OK
inns mknod -m 600 "$E/dev/ipsec_engine" c 1 3
hd "$E"
expect_check "device opens: OK" engine "['status']" OK
expect_check_re "device opens: summary" engine "['summary']" "engine module ipsec_engine loaded, device /dev/ipsec_engine opens"

# nobody may not open a 0600 device: cannot tell, not a problem of the host
hd "$E" nobody
expect_check "as nobody: UNKNOWN" engine "['status']" UNKNOWN
expect_check_re "as nobody: says root is needed" engine "['details']" "cannot open as uid 65534"

# the module is still loading
printf 'ipsec_engine 81920 0 - Loading 0x0000000000000000\n' >"$E/proc/modules"
hd "$E"
expect_check "module loading: CRITICAL" engine "['status']" CRITICAL
expect_check_re "module loading: state shown" engine "['details']" "listed but Loading"
printf 'ipsec_engine 81920 2 - Live 0x0000000000000000\n' >"$E/proc/modules"

# no driver behind the numbers (major 240 is for local use, registered by nobody here)
inns rm "$E/dev/ipsec_engine"
inns mknod -m 600 "$E/dev/ipsec_engine" c 240 0
hd "$E"
expect_check "no driver behind the node: CRITICAL" engine "['status']" CRITICAL
expect_check_re "no driver: errno named" engine "['details']" "240:0 does not open: No such device"

# a good node on a nodev mount: root cannot open it either
inns umount "$E/dev"
inns mount -t tmpfs -o size=1m,mode=755,nodev tmpfs "$E/dev"
inns mknod -m 600 "$E/dev/ipsec_engine" c 1 3
hd "$E"
expect_check "nodev mount: CRITICAL" engine "['status']" CRITICAL
expect_check_re "nodev mount: remedy names nodev" engine "['remedy']" "mounted nodev"

# the module loaded and no policy file at all: configured, and no policy available
rm "$E/etc/ipsec/spd.conf"
hd "$E"
expect_check "module without policy: loaded CRITICAL" loaded "['status']" CRITICAL
expect_check_re "module without policy: no security policy" loaded "['summary']" "no security policy available: IPsec is configured \\(engine module loaded\\)"
expect_check "module without policy: files CRITICAL" files "['status']" CRITICAL

# ================= policy files and the policy daemon, on the live /proc =================
R=$HD_TMP/r
mkdir -p "$R/proc" "$R/etc/ipsec"
inns mount --bind /proc "$R/proc" # the real processes (this kernel has no /proc/modules)
P=$R/etc/ipsec

echo "connection gw1 { remote-address 192.0.2.7; }" >"$P/spd.conf"
chmod 600 "$P/spd.conf"
hd "$R"
expect_check "one of two policy files missing: CRITICAL" files "['status']" CRITICAL
expect_check_re "missing file named" files "['details']" "/etc/ipsec/extra.conf: No such file or directory"
expect_check_re "missing file: remedy" files "['remedy']" "Put the policy file /etc/ipsec/extra.conf back"
expect_check "loaded: a missing second file does not matter" loaded "['status']" CRITICAL
expect_check_re "loaded: ipsecd not running" loaded "['summary']" "no security policy loaded: /etc/ipsec/spd.conf holds a policy, but ipsecd is not running"

# both files; mode 000 still reads as root (the document asks only that root can read them)
printf '# only comments\n; here\n' >"$P/extra.conf"
chmod 000 "$P/extra.conf"
hd "$R"
expect_check "both present, mode 000 read by root: OK" files "['status']" OK
expect_check_re "statements counted" files "['summary']" "2 IPsec policy files readable \\(1 statement\\)"

# nobody cannot read them: cannot tell
hd "$R" nobody
expect_check "as nobody: files UNKNOWN" files "['status']" UNKNOWN

# a directory in place of a policy file
chmod 644 "$P/extra.conf" && rm "$P/extra.conf" && mkdir "$P/extra.conf"
hd "$R"
expect_check_re "directory: not a regular file" files "['details']" "extra.conf: not a regular file"
rmdir "$P/extra.conf"

# a real ipsecd process
cp /bin/sleep "$HD_TMP/ipsecd"
"$HD_TMP/ipsecd" 600 &
IPSECD=$!
on_exit "kill $IPSECD"
hd "$R"
expect_check "policy and ipsecd: loaded OK" loaded "['status']" OK
expect_check_re "ipsecd found by pid" loaded "['details']" "ipsecd is running \\(pid $IPSECD\\)"

# only comments in the policy: no security policy available, not SKIPPED
printf '# connection gw1 { remote-address 192.0.2.7; }\n\n' >"$P/spd.conf"
hd "$R"
expect_check "comments only: CRITICAL" loaded "['status']" CRITICAL
expect_check_re "comments only: remedy restarts the daemon" loaded "['remedy']" "restart ipsecd"
kill "$IPSECD"; wait "$IPSECD" 2>/dev/null

# ================= certificates, private keys and CRLs =================
K=$HD_TMP/k
mkdir -p "$K"
(
	cd "$K" || exit 1
	o() { openssl "$@" 2>/dev/null; }
	ec='-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes'
	o req -x509 $ec -keyout ca.key -out ca.pem -subj /CN=Test-CA -days 30
	o x509 -in ca.pem -outform der -out ca.der
	printf '[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\ndefault_md=sha256\ndefault_crl_days=30\n' >ca.cnf
	: >index.txt
	o ca -gencrl -config ca.cnf -keyfile ca.key -cert ca.pem -out crl.pem
	o crl -in crl.pem -outform der -out ca.crl
	o req -new $ec -keyout host.key -out host.csr -subj /CN=gw1
	o x509 -req -in host.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out host.pem -days 30
	o x509 -in host.pem -outform der -out host.der
	o pkey -in host.key -outform der -out host.key.der
	o x509 -req -in host.csr -signkey host.key -outform der -out nobc.der -days 30
	mkdir other && cd other && : >index.txt && cp ../ca.cnf . &&
		o req -x509 $ec -keyout ca.key -out ca.pem -subj /CN=Other-CA -days 30 &&
		o ca -gencrl -config ca.cnf -keyfile ca.key -cert ca.pem -out crl.pem &&
		o crl -in crl.pem -outform der -out ../other.crl
) || { not_ok "openssl could not make the test certificates"; finish; }
cp "$K/ca.der" "$K/host.der" "$K/host.key.der" "$K/ca.crl" "$K/host.pem" "$K/nobc.der" "$K/other.crl" "$P/"
chmod 644 "$P"/*.der "$P"/*.crl "$P/host.pem"
chmod 600 "$P/host.key.der"
policy() {
	cat >"$P/spd.conf" <<EOF
# the policy of gw1
connection gw1 {
  local-address 10.0.0.1
  remote-address 10.0.0.2
  authentication-certificate host
}
certificate host { file = "$1"; private-key = "/etc/ipsec/host.key.der"; }
trusted-ca ${2:-/etc/ipsec/ca.der}
crl ${3:-/etc/ipsec/ca.crl}
log-file /var/log/ipsec.log
EOF
}
policy /etc/ipsec/host.der
hd "$R"
expect_check "BER/DER files named by the policy: OK" certs "['status']" OK
expect_check_re "four files found in the policy" certs "['summary']" "^4 IPsec certificate, key and CRL files decode as binary BER/DER"
expect_check_re "the CRL verified with its CA" certs "['details']" "/etc/ipsec/ca.crl: CRL of /CN=Test-CA, signature verified"
expect_check_re "the key pairs with the certificate" certs "['details']" "host.key.der: private key of the certificate /etc/ipsec/host.der"

# the certificate as PEM: a warning and the conversion
policy /etc/ipsec/host.pem
hd "$R"
expect_check "PEM certificate: WARNING" certs "['status']" WARNING
expect_check_re "PEM: requires binary BER" certs "['details']" "host.pem: certificate in PEM text, not binary BER"
expect_check_re "PEM: openssl x509 -outform der" certs "['remedy']" "openssl x509 -in /etc/ipsec/host.pem -outform der -out /etc/ipsec/host.der"

# a CA certificate without Basic Constraints
policy /etc/ipsec/host.der /etc/ipsec/nobc.der
hd "$R"
expect_check "CA without Basic Constraints (and so no CA for the CRL): CRITICAL" certs "['status']" CRITICAL
expect_check_re "CA without Basic Constraints: named" certs "['details']" "nobc.der: CA certificate without the Basic Constraints extension"
expect_check_re "...and the CRL's CA is then missing" certs "['details']" "ca.crl: no configured certificate is the CRL's issuer /CN=Test-CA"

# a CRL whose CA is not configured
policy /etc/ipsec/host.der /etc/ipsec/ca.der /etc/ipsec/other.crl
hd "$R"
expect_check "CRL of an unconfigured CA: CRITICAL" certs "['status']" CRITICAL
expect_check_re "CRL issuer named" certs "['details']" "other.crl: no configured certificate is the CRL's issuer /CN=Other-CA"

# a missing private key
policy /etc/ipsec/host.der
mv "$P/host.key.der" "$P/host.key.gone"
hd "$R"
expect_check "missing key: CRITICAL" certs "['status']" CRITICAL
expect_check_re "missing key named" certs "['details']" "/etc/ipsec/host.key.der: private key: No such file or directory"
mv "$P/host.key.gone" "$P/host.key.der"

# a world-readable key: fine for the document; strict_key_mode (ours) objects
chmod 644 "$P/host.key.der"
hd "$R"
expect_check "key mode 0644, strict_key_mode off: OK" certs "['status']" OK
conf b.conf <<'EOF'
[certs]
strict_key_mode = yes
EOF
chmod a+r "$HD_TMP/checks.d/b.conf"
hd "$R"
expect_check "key mode 0644, strict_key_mode on: CRITICAL" certs "['status']" CRITICAL
expect_check_re "strict: chmod 600" certs "['remedy']" "chmod 600 /etc/ipsec/host.key.der"
rm "$HD_TMP/checks.d/b.conf"
chmod 600 "$P/host.key.der"

# nobody cannot read the key: cannot tell
hd "$R" nobody
expect_check "as nobody: certs UNKNOWN" certs "['status']" UNKNOWN

# libcrypto missing: UNKNOWN, naming it and the package
lib=$(ldconfig -p | awk '/libcrypto\.so\.3 .*x86-64|libcrypto\.so\.3 / {print $NF; exit}')
if [ -n "$lib" ]; then
	inns mount --bind /dev/null "$lib"
	hd "$R"
	expect_check "libcrypto missing: UNKNOWN" certs "['status']" UNKNOWN
	expect_check_re "libcrypto missing: named" certs "['summary']" "cannot load libcrypto \\(libcrypto.so.3\\)"
	expect_check_re "libcrypto missing: install line" certs "['remedy']" "apt-get install libssl3"
	expect_check_re "libcrypto missing: the other checks still run" files "['summary']" "1 of 2 IPsec policy files missing"
	inns umount "$lib"
else
	not_ok "libcrypto.so.3 not found by ldconfig"
fi
finish
