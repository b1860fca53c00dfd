#!/usr/bin/env bash
# preflight with the shipped profiles on roots built here: one host ready for the endpoint
# connector, one blocked; blockers listed first with their remedies, the same in JSON.
. "$(dirname "$0")/lib.sh"
CHECKS=(-d "$HD_SRC/checks.d")

mkroot() { # mkroot DIR: a RHEL 8 host with BTF, enough memory, no SELinux, BIOS boot
	local r=$1
	mkdir -p "$r"/etc "$r"/proc/sys/kernel "$r"/proc/self "$r"/sys/kernel/btf "$r"/proc/sys/fs
	printf 'NAME="Rocky Linux"\nID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="8.9"\n' >"$r/etc/os-release"
	echo 4.18.0-513.5.1.el8_9.x86_64 >"$r/proc/sys/kernel/osrelease"
	printf 'root:x:0:0:root:/root:/bin/bash\n' >"$r/etc/passwd"
	printf 'root:x:0:\n' >"$r/etc/group"
	printf 'MAIL_DIR /var/spool/mail\nUSERGROUPS_ENAB yes\n' >"$r/etc/login.defs"
	printf 'MemTotal: 8000000 kB\nMemFree: 4000000 kB\nMemAvailable: 6000000 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n' >"$r/proc/meminfo"
	printf 'proc /proc proc rw 0 0\n' >"$r/proc/self/mounts"
	# a BTF header: magic 0xEB9F, version 1, flags 0, hdr_len 24, then empty sections
	printf '\x9f\xeb\x01\x00\x18\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00' >"$r/sys/kernel/btf/vmlinux"
}

ready=$HD_TMP/ready
mkroot "$ready"
run "$HOSTDOCTOR" preflight "${CHECKS[@]}" -r "$ready" --profile secure-endpoint
expect_rc "a prepared host is ready" 0
expect_out "says READY" '^READY: no blockers'
expect_out "the login.defs check passed" '\[ OK \] amp-login-defs'

blocked=$HD_TMP/blocked
mkroot "$blocked"
sed -i 's/USERGROUPS_ENAB yes/USERGROUPS_ENAB no/' "$blocked/etc/login.defs"
rm "$blocked/sys/kernel/btf/vmlinux"
run "$HOSTDOCTOR" preflight "${CHECKS[@]}" -r "$blocked" --profile secure-endpoint
expect_rc "no USERGROUPS_ENAB and no BTF block the install" 1
expect_out "blockers come first" '^Blockers'
expect_out "names the login.defs blocker" '\[CRIT\] amp-login-defs'
expect_out "names the kernel-bpf blocker" '\[CRIT\] amp-kernel-bpf'
expect_out "with the RHEL package in the remedy" 'kernel-devel'
expect_out "closing line" '^NOT READY: 2 blockers'
blk_line=$(grep -n '^Blockers' <<<"$OUT" | cut -d: -f1)
pass_line=$(grep -n '^Passed' <<<"$OUT" | cut -d: -f1)
[ -n "$blk_line" ] && [ -n "$pass_line" ] && [ "$blk_line" -lt "$pass_line" ] && ok "blockers listed before what passed" || not_ok "order of sections" "$OUT"
run "$HOSTDOCTOR" preflight "${CHECKS[@]}" -r "$blocked" --profile secure-endpoint -f json
expect_rc "json: blocked" 1
expect_json "json ready" 'j["ready"]' False
expect_json "json blockers" 'sorted(j["blockers"])' "['amp-kernel-bpf', 'amp-login-defs']"
expect_json "each blocker has a remedy" 'all(c["remedy"] for c in j["checks"] if c["id"] in j["blockers"])' True

# --- the gateway: a port held by another program blocks its install ---
gw=$HD_TMP/gw
mkroot "$gw"
mkdir -p "$gw/proc/sysvipc" "$gw/tmp"
printf '250\t128000\t32\t512\n' >"$gw/proc/sys/kernel/sem"
printf '       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime\n' >"$gw/proc/sysvipc/sem"
printf '1024\t0\t262144\n' >"$gw/proc/sys/fs/file-nr"
cat >"$HD_TMP/gw.sh" <<SH
ip link set lo up
python3 -c 'import socket,time; s=socket.socket(); s.bind(("0.0.0.0", 9080)); s.listen(); time.sleep(60)' &
for i in \$(seq 100); do ss -Hltn 'sport = :9080' | grep -q . && break; sleep 0.05; done
"$HOSTDOCTOR" preflight -d "$HD_SRC/checks.d" -r "$gw" --profile fsigk -f json
rc=\$?
kill %1
exit \$rc
SH
run unshare -n bash "$HD_TMP/gw.sh"
expect_rc "a listener on 9080 blocks the gateway's install" 1
expect_json "the port check is the blocker" 'j["blockers"]' "['fsigk-http-port']"
expect_json "the SMTP port is free" '[c["status"] for c in j["checks"] if c["id"] == "fsigk-smtp-port"]' "['OK']"
run unshare -n bash -c "ip link set lo up; '$HOSTDOCTOR' preflight -d '$HD_SRC/checks.d' -r '$gw' --profile fsigk"
expect_rc "without the listener the host is ready" 0
expect_out "says READY" '^READY'
# SEMMNI 128 is short of the arrays for the four services' provisional maximum connections
# (HTTP 200, SMTP 50, POP 50, FTP 10 when virusgw.ini is absent)
printf '250\t32000\t32\t128\n' >"$gw/proc/sys/kernel/sem"
run unshare -n bash -c "ip link set lo up; '$HOSTDOCTOR' preflight -d '$HD_SRC/checks.d' -r '$gw' --profile fsigk -f json"
expect_rc "too few semaphore arrays block the install" 1
expect_json "the semaphores check is the blocker" 'j["blockers"]' "['fsigk-semaphores']"
expect_json "its summary counts the four services' needs" '[c["summary"] for c in j["checks"] if c["id"] == "fsigk-semaphores"][0]' "not enough headroom: 128 arrays and 32000 semaphores free, 310 and 0 needed"
expect_json "its remedy gives the document's kernel.sem line" '"kernel.sem=250 128000 32 512" in [c["remedy"] for c in j["checks"] if c["id"] == "fsigk-semaphores"][0]' True
# virusgw.ini read where it is installed: pre_spawn of each service
mkdir -p "$gw/opt/f-secure/fsigk/conf"
printf '[http]\npre_spawn = 60\n[smtp]\npre_spawn = 20\n[pop]\npre_spawn = 20\n[ftp]\npre_spawn = 10\n' >"$gw/opt/f-secure/fsigk/conf/virusgw.ini"
run unshare -n bash -c "ip link set lo up; '$HOSTDOCTOR' doctor -d '$HD_SRC/checks.d' -r '$gw' --only fsigk-semaphores -f json"
expect_json "the installed gateway's pre_spawn values count" '[c["status"] for c in j["checks"] if c["id"] == "fsigk-semaphores"][0]' OK
rm -rf "$gw/opt"
finish
