#!/usr/bin/env bash
# selinux-avc on roots laid out here (SELinux cannot be switched on in this test's kernel):
# enforcing with the gateway's denials in audit.log and in /var/log/messages, old ones, another
# program's, permissive mode, SELinux off, and no log at all.
. "$(dirname "$0")/lib.sh"

now=$(date +%s)
mkroot() { # mkroot DIR ENFORCE(1|0|-): /proc/self/mounts with selinuxfs unless "-"
	mkdir -p "$1/proc/self" "$1/sys/fs/selinux" "$1/var/log/audit"
	if [ "$2" = - ]; then
		echo "proc /proc proc rw 0 0" >"$1/proc/self/mounts"
	else
		printf 'proc /proc proc rw 0 0\nselinuxfs /sys/fs/selinux selinuxfs rw 0 0\n' >"$1/proc/self/mounts"
		printf '%s' "$2" >"$1/sys/fs/selinux/enforce"
	fi
}
avc() { # avc SECONDS-AGO SERIAL COMM NAME [PERMISSIVE]
	printf 'type=AVC msg=audit(%s.120:%s): avc:  denied  { read } for  pid=2211 comm="%s" name="%s" dev="sda1" ino=42 scontext=system_u:system_r:unconfined_service_t:s0 tcontext=system_u:object_r:default_t:s0 tclass=file permissive=%s\n' \
		"$((now - $1))" "$2" "$3" "$4" "${5:-0}"
}
syscall() { # syscall SECONDS-AGO SERIAL COMM EXE
	printf 'type=SYSCALL msg=audit(%s.120:%s): arch=c000003e syscall=257 success=no exit=-13 pid=2211 comm="%s" exe="%s"\n' \
		"$(($now - $1))" "$2" "$3" "$4"
}
conf avc.conf <<'CONF'
[fsigk-selinux-avc]
probe = selinux-avc
dir   = /opt/f-secure/fsigk
comm  = fsigk_*, fsavd, fsasd
note  = The product's advice goes first.
CONF
hd() { run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" -r "$1" -f json; }

R=$HD_TMP/enforcing
mkroot "$R" 1
{
	avc 600 501 fsavd fsmgr.so
	syscall 600 501 fsavd /opt/f-secure/fsigk/bin/fsavd
	avc 500 502 worker libengine.so
	syscall 500 502 worker /opt/f-secure/fsigk/libexec/worker
	avc 400 503 sshd authorized_keys
	avc 300 504 fsigk_http tmp 1
	avc $((30 * 86400)) 505 fsavd old.db
} >"$R/var/log/audit/audit.log"
hd "$R"
expect_check "enforcing, gateway denied: WARNING" fsigk-selinux-avc "['status']" WARNING
expect_check_re "counts the gateway's two" fsigk-selinux-avc "['summary']" "denied the product 2 times; newest: worker \{ read \} on file libengine.so"
expect_check_re "by the event's executable" fsigk-selinux-avc "['details']" "worker /opt/f-secure/fsigk/libexec/worker denied \{ read \}"
expect_check_re "the older one left out" fsigk-selinux-avc "['details']" "1 older denial"
expect_check "note first" fsigk-selinux-avc "['remedy'].splitlines()[0]" "The product's advice goes first."
expect_check "then ausearch for the process" fsigk-selinux-avc "['remedy'].splitlines()[1]" "See the denials: ausearch -m AVC -c worker -ts recent"
expect_check "metric" fsigk-selinux-avc "['metrics'][0]['value']" 2.0

# kernel-logged denials in /var/log/messages (no auditd)
R2=$HD_TMP/messages
mkroot "$R2" 1
rm -rf "$R2/var/log/audit"
printf 'Mar  4 02:14:09 gw01 kernel: audit: %s' "$(avc 60 601 fsigk_smtp libfsasd-lnx32.so | sed 's/^type=AVC msg=/type=1400 /')" >"$R2/var/log/messages"
hd "$R2"
expect_check "from /var/log/messages: WARNING" fsigk-selinux-avc "['status']" WARNING
expect_check_re "names the process" fsigk-selinux-avc "['summary']" "1 time; newest: fsigk_smtp"

# only other programs' or permissive denials: OK
R3=$HD_TMP/clean
mkroot "$R3" 1
{ avc 400 503 sshd authorized_keys; avc 300 504 fsigk_http tmp 1; } >"$R3/var/log/audit/audit.log"
hd "$R3"
expect_check "no denial for the gateway: OK" fsigk-selinux-avc "['status']" OK

# permissive, disabled, not enforcing: SKIPPED even with the denials there
R4=$HD_TMP/permissive
mkroot "$R4" 0
cp "$R/var/log/audit/audit.log" "$R4/var/log/audit/"
hd "$R4"
expect_check "permissive: SKIPPED" fsigk-selinux-avc "['status']" SKIPPED
expect_check_re "says why" fsigk-selinux-avc "['summary']" "not enforcing"
R5=$HD_TMP/disabled
mkroot "$R5" -
hd "$R5"
expect_check "no selinuxfs: SKIPPED" fsigk-selinux-avc "['status']" SKIPPED

# enforcing without any log: UNKNOWN, not OK
R6=$HD_TMP/nolog
mkroot "$R6" 1
hd "$R6"
expect_check "no log to read: UNKNOWN" fsigk-selinux-avc "['status']" UNKNOWN
finish
