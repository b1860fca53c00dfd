# secure-boot: efivarfs files as the firmware writes them (4 attribute bytes + 1 data byte) for
# Secure Boot on, off, setup mode, shim validation disabled and a wrong-size file; lockdown
# strings; a BIOS root without /sys/firmware/efi; an unmounted efivarfs.
. "$(dirname "$0")/lib.sh"

C='j["checks"][0]'
metric() { echo "int([x['value'] for x in $C['metrics'] if x['name']=='$1'][0])"; }
GLOBAL=8be4df61-93ca-11d2-aa0d-00e098032b8c
SHIM=605dab50-e046-4300-abb6-3dd810dd8b23

check() {
	local root=$1
	shift
	{ printf '[sb]\nprobe = secure-boot\n'; printf '%s\n' "$@"; } | conf sb.conf
	run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --root "$root" --format json
}
# mkroot NAME LOCKDOWN [VAR=BYTE...]: a UEFI root; BYTE "" leaves the variable out, "short"
# writes a 4-byte file
mkroot() {
	local r=$HD_TMP/roots/$1 v
	mkdir -p "$r/sys/firmware/efi/efivars" "$r/sys/kernel/security"
	[ -n "$2" ] && echo "$2" >"$r/sys/kernel/security/lockdown"
	shift 2
	for v in "$@"; do
		case ${v#*=} in
		short) printf '\x06\x00\x00\x00' >"$r/sys/firmware/efi/efivars/${v%%=*}" ;;
		*) printf "\\x06\\x00\\x00\\x00\\x0${v#*=}" >"$r/sys/firmware/efi/efivars/${v%%=*}" ;;
		esac
	done
	# other variables every UEFI machine has, so the directory looks mounted
	printf '\x07\x00\x00\x00\x00\x00' >"$r/sys/firmware/efi/efivars/BootCurrent-$GLOBAL"
	echo "$r"
}

R=$(mkroot on "none [integrity] confidentiality" SecureBoot-$GLOBAL=1 SetupMode-$GLOBAL=0)
check "$R"
expect_rc "secure boot on, agent needs nothing unsigned" 0
expect_json "on: secure_boot metric 1" "$(metric secure_boot)" 1
expect_json "on: lockdown metric 1 (integrity)" "$(metric lockdown)" 1
expect_json "on: summary" "$C['summary']" "Secure Boot on; lockdown integrity"

check "$R" "needs_unsigned_modules = yes"
expect_rc "secure boot on, unsigned modules needed" 1
expect_json "on: WARNING names the default modules" "'ampfsm, ampnetworkflow' in $C['summary'] and $C['status'] == 'WARNING'" True
expect_json "on: remedy says how to enroll a key" "'mokutil --import' in $C['remedy']" True

check "$R" "needs_unsigned_modules = yes" "modules = mydrv"
expect_json "on: modules key is used" "'mydrv' in $C['summary'] and 'ampfsm' not in $C['summary']" True

R=$(mkroot off "[none] integrity confidentiality" SecureBoot-$GLOBAL=0 SetupMode-$GLOBAL=0)
check "$R" "needs_unsigned_modules = yes"
expect_rc "secure boot off" 0
expect_json "off: secure_boot metric 0" "$(metric secure_boot)" 0
expect_json "off: summary" "$C['summary']" "Secure Boot off; lockdown none"

R=$(mkroot setup "[none] integrity confidentiality" SecureBoot-$GLOBAL=0 SetupMode-$GLOBAL=1)
check "$R" "needs_unsigned_modules = yes"
expect_rc "setup mode" 0
expect_json "setup mode: said so" "'setup mode' in $C['summary']" True

R=$(mkroot mok "[none] integrity confidentiality" SecureBoot-$GLOBAL=1 SetupMode-$GLOBAL=0 MokSBStateRT-$SHIM=1)
check "$R" "needs_unsigned_modules = yes"
expect_rc "shim validation disabled" 0
expect_json "mok: not enforced" "$(metric secure_boot)" 0
expect_json "mok: said so" "'validation disabled in shim' in $C['summary']" True

R=$(mkroot mok-on "none [integrity] confidentiality" SecureBoot-$GLOBAL=1 SetupMode-$GLOBAL=0 MokSBStateRT-$SHIM=0)
check "$R" "needs_unsigned_modules = yes"
expect_rc "shim validation on (MokSBStateRT=0)" 1

R=$(mkroot short "" SecureBoot-$GLOBAL=short)
check "$R"
expect_rc "wrong-size SecureBoot file" 3
expect_json "short: UNKNOWN names the file and size" "'SecureBoot-$GLOBAL is 4 bytes, expected 5' in $C['summary']" True

R=$(mkroot mokshort "" SecureBoot-$GLOBAL=1 MokSBStateRT-$SHIM=short)
check "$R"
expect_rc "wrong-size MokSBStateRT file" 3

R=$(mkroot nosb "none [integrity] confidentiality")
check "$R" "needs_unsigned_modules = yes"
expect_rc "UEFI without Secure Boot support, lockdown integrity" 1
expect_json "no SecureBoot variable: said so" "'the firmware has no Secure Boot' in $C['details']" True
expect_json "lockdown alone warns" "'kernel lockdown is on' in $C['summary']" True

R=$(mkroot conf "none integrity [confidentiality]" SecureBoot-$GLOBAL=1 SetupMode-$GLOBAL=0)
check "$R"
expect_json "confidentiality: lockdown metric 2" "$(metric lockdown)" 2
expect_json "confidentiality: BPF read restriction noted" "'bpf_probe_read_kernel' in $C['details']" True

R=$(mkroot badlock "none integrity confidentiality" SecureBoot-$GLOBAL=0)
check "$R"
expect_rc "lockdown without a selected mode" 3
expect_json "bad lockdown: UNKNOWN names the file" "'lockdown is malformed' in $C['summary']" True

# efivarfs not mounted: /sys/firmware/efi exists, efivars is an empty directory
R=$HD_TMP/roots/unmounted
mkdir -p "$R/sys/firmware/efi/efivars"
check "$R"
expect_rc "efivarfs not mounted" 3
expect_json "unmounted: remedy mounts it" "'mount -t efivarfs' in $C['remedy']" True

# legacy BIOS: no /sys/firmware/efi at all
R=$HD_TMP/roots/bios
mkdir -p "$R/sys/kernel/security" && echo "[none] integrity confidentiality" >"$R/sys/kernel/security/lockdown"
check "$R" "needs_unsigned_modules = yes"
expect_rc "legacy BIOS boot" 0
expect_json "bios: said so" "'legacy BIOS boot' in $C['summary']" True

R=$HD_TMP/roots/bios-sig
mkdir -p "$R/sys/module/module/parameters" && echo Y >"$R/sys/module/module/parameters/sig_enforce"
check "$R" "needs_unsigned_modules = yes"
expect_rc "BIOS with module.sig_enforce=Y" 1
expect_json "sig_enforce: named" "'module.sig_enforce=Y' in $C['summary']" True

# the live host must give a definite answer, whatever its firmware
{ printf '[sb]\nprobe = secure-boot\n'; } | conf sb.conf
run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --format json
expect_json "live host: OK" "$C['status']" OK
if [ ! -d /sys/firmware/efi ]; then
	expect_json "live host: BIOS" "'legacy BIOS boot' in $C['summary']" True
fi
finish
