# kernel-bpf: roots for each distribution family with and without BTF and headers (live link,
# dangling link, incomplete tree, merged /usr), vmlinux ELF files built here with and without a
# .BTF section, and the live host.
. "$(dirname "$0")/lib.sh"

C='j["checks"][0]'
metric() { echo "int([x['value'] for x in $C['metrics'] if x['name']=='$1'][0])"; }

# check ROOT [KEY=VALUE...]: run one kernel-bpf check against ROOT ("" for the live host)
check() {
	local root=$1
	shift
	{ printf '[bpf]\nprobe = kernel-bpf\n'; printf '%s\n' "$@"; } | conf bpf.conf
	if [ -n "$root" ]; then
		run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --root "$root" --format json
	else
		run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --format json
	fi
}

# mkroot NAME DISTRO RELEASE: a root with the kernel release and the distribution's os-release
mkroot() {
	local r=$HD_TMP/roots/$1
	mkdir -p "$r/proc/sys/kernel" "$r/etc"
	echo "$3" >"$r/proc/sys/kernel/osrelease"
	cp "$HD_FIXTURES/kernel-bpf/os-release/$2" "$r/etc/os-release"
	echo "$r"
}
# headers ROOT RELEASE TARGET live|dangling|incomplete: /lib/modules/RELEASE/build -> TARGET
headers() {
	mkdir -p "$1/lib/modules/$2"
	ln -s "$3" "$1/lib/modules/$2/build"
	case $4 in
	live) mkdir -p "$1$3/include/generated" && echo '#define CONFIG_BPF 1' >"$1$3/include/generated/autoconf.h" ;;
	incomplete) mkdir -p "$1$3/include" ;;
	esac
}
# a raw BTF header (struct btf_header, little-endian) and ELF files with and without .BTF
printf '\x9f\xeb\x01\x00\x18\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00' >"$HD_TMP/btf.bin"
echo 'int kernel_text;' | gcc -c -x c - -o "$HD_TMP/nobtf.elf"
objcopy --add-section .BTF="$HD_TMP/btf.bin" --set-section-flags .BTF=readonly \
	"$HD_TMP/nobtf.elf" "$HD_TMP/btf.elf"

# --- RHEL: nothing, then live headers, then a dangling link
REL=5.14.0-362.8.1.el9_3.x86_64
R=$(mkroot rhel-none rhel9 $REL)
check "$R"
expect_rc "rhel without BTF and headers" 2
expect_json "rhel: CRITICAL" "$C['status']" CRITICAL
expect_json "rhel: btf metric 0" "$(metric btf)" 0
expect_json "rhel: headers metric 0" "$(metric headers)" 0
expect_json "rhel: remedy names kernel-devel-RELEASE" "'dnf install kernel-devel-$REL' in $C['remedy']" True
expect_json "rhel: upgrading the kernel comes first" "$C['remedy'].startswith('First choice: upgrade') and 'dnf upgrade kernel' in $C['remedy']" True
expect_json "rhel: details say build does not exist" "'/lib/modules/$REL/build does not exist' in $C['details']" True

R=$(mkroot rhel-headers rhel9 $REL)
headers "$R" $REL /usr/src/kernels/$REL live
check "$R"
expect_rc "rhel with live headers" 0
expect_json "rhel headers: headers metric 1" "$(metric headers)" 1
expect_json "rhel headers: found inside the root" "'headers at /usr/src/kernels/$REL' in $C['summary']" True

R=$(mkroot rhel-dangling rhel9 $REL)
headers "$R" $REL /usr/src/kernels/$REL dangling
check "$R"
expect_rc "rhel with a dangling build link" 2
expect_json "rhel dangling: named in details" "'dangling link' in $C['details'] and '/usr/src/kernels/$REL' in $C['details']" True

R=$(mkroot rhel-incomplete rhel9 $REL)
headers "$R" $REL /usr/src/kernels/$REL incomplete
check "$R"
expect_rc "rhel with headers lacking autoconf.h" 2
expect_json "rhel incomplete: named in details" "'lacks include/generated/autoconf.h' in $C['details']" True

R=$(mkroot rhel-headers-only rhel9 $REL)
headers "$R" $REL /usr/src/kernels/$REL live
check "$R" "require = btf"
expect_rc "require = btf with headers only" 2
expect_json "require btf: remedy is the kernel upgrade" "'dnf upgrade kernel' in $C['remedy'] and 'kernel-devel' not in $C['remedy']" True

# --- Oracle UEK: the release decides, not the os-release ID
REL=5.15.0-200.131.27.el8uek.x86_64
R=$(mkroot uek-none ol8 $REL)
check "$R"
expect_rc "oracle uek without BTF and headers" 2
expect_json "uek: remedy names kernel-uek-devel" "'dnf install kernel-uek-devel-$REL' in $C['remedy'] and 'dnf upgrade kernel-uek' in $C['remedy']" True

R=$(mkroot uek-btf ol8 $REL)
mkdir -p "$R/sys/kernel/btf" && cp "$HD_TMP/btf.bin" "$R/sys/kernel/btf/vmlinux"
check "$R"
expect_rc "oracle uek with /sys/kernel/btf/vmlinux" 0
expect_json "uek btf: btf metric 1" "$(metric btf)" 1
expect_json "uek btf: summary names the file" "'BTF at /sys/kernel/btf/vmlinux' in $C['summary']" True

R=$(mkroot ol-rhck ol8 4.18.0-513.5.1.el8_9.x86_64)
check "$R"
expect_json "oracle on the RHEL-compatible kernel: kernel-devel" "'dnf install kernel-devel-4.18.0-513.5.1.el8_9.x86_64' in $C['remedy']" True

# --- Debian: merged /usr (lib -> usr/lib) with live headers; nothing
REL=6.1.0-18-amd64
R=$(mkroot debian-none debian12 $REL)
check "$R"
expect_rc "debian without BTF and headers" 2
expect_json "debian: remedy names linux-headers-RELEASE" "'apt-get install linux-headers-$REL' in $C['remedy']" True

R=$(mkroot debian-merged debian12 $REL)
mkdir -p "$R/usr/lib" && ln -s usr/lib "$R/lib"
headers "$R" $REL /usr/src/linux-headers-$REL live
check "$R"
expect_rc "debian merged /usr with live headers" 0
expect_json "debian merged: headers metric 1" "$(metric headers)" 1

# --- Ubuntu: dangling headers; a vmlinux with .BTF in /boot
REL=5.15.0-91-generic
R=$(mkroot ubuntu-dangling ubuntu2204 $REL)
headers "$R" $REL /usr/src/linux-headers-$REL dangling
check "$R"
expect_rc "ubuntu with a dangling build link" 2
expect_json "ubuntu: remedy names linux-headers-RELEASE" "'apt-get install linux-headers-$REL' in $C['remedy']" True

R=$(mkroot ubuntu-vmlinux ubuntu2204 $REL)
mkdir -p "$R/boot" && cp "$HD_TMP/btf.elf" "$R/boot/vmlinux-$REL"
check "$R"
expect_rc "ubuntu with /boot/vmlinux-RELEASE carrying .BTF" 0
expect_json "ubuntu vmlinux: btf metric 1" "$(metric btf)" 1
expect_json "ubuntu vmlinux: summary names the file" "'BTF at /boot/vmlinux-$REL' in $C['summary']" True

# --- SUSE: a debug vmlinux without .BTF does not count
REL=5.14.21-150500.55.19-default
R=$(mkroot suse-nobtf sles15 $REL)
mkdir -p "$R/usr/lib/debug/boot" && cp "$HD_TMP/nobtf.elf" "$R/usr/lib/debug/boot/vmlinux-$REL.debug"
check "$R"
expect_rc "suse with a vmlinux lacking .BTF" 2
expect_json "suse: remedy names kernel-default-devel" "'zypper install kernel-default-devel' in $C['remedy']" True
expect_json "suse: the vmlinux without .BTF is named" "'vmlinux-$REL.debug: vmlinux without a .BTF section' in $C['details']" True

R=$(mkroot suse-debug sles15 $REL)
mkdir -p "$R/usr/lib/debug/lib/modules/$REL" && cp "$HD_TMP/btf.elf" "$R/usr/lib/debug/lib/modules/$REL/vmlinux"
check "$R"
expect_rc "suse with a debug vmlinux carrying .BTF" 0

# --- broken inputs: garbage in sys/kernel/btf/vmlinux, empty osrelease, no os-release
R=$(mkroot garbage debian12 6.1.0-18-amd64)
mkdir -p "$R/sys/kernel/btf" && echo "not btf" >"$R/sys/kernel/btf/vmlinux"
check "$R"
expect_rc "garbage BTF file does not count" 2
expect_json "garbage BTF: reason given" "'neither BTF (magic 0xEB9F) nor ELF' in $C['details']" True

R=$(mkroot empty-release debian12 "")
check "$R"
expect_rc "empty osrelease" 3
expect_json "empty osrelease: UNKNOWN naming the file" "'osrelease is malformed' in $C['summary']" True

R=$(mkroot no-os-release debian12 6.6.13)
rm "$R/etc/os-release"
check "$R"
expect_rc "no os-release still judged" 2
expect_json "no os-release: generic package text" "'the kernel headers package for 6.6.13' in $C['remedy']" True

# --- the live host
check ""
if [ -r /sys/kernel/btf/vmlinux ]; then
	expect_rc "live host with BTF" 0
	expect_json "live host: btf metric 1" "$(metric btf)" 1
else
	expect_json "live host: btf metric 0" "$(metric btf)" 0
fi
finish
