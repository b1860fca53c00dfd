#!/usr/bin/env bash
# kernel-module: .ko files built here (gcc + objcopy, a .modinfo section with the vermagic of one
# kernel release or another, with and without __versions) in roots with a /proc/modules of their
# own (modules cannot be loaded on the test machine); weak-updates links; the shipped connector
# check; the live host.
. "$(dirname "$0")/lib.sh"

C='j["checks"][0]'
REL=4.18.0-513.5.1.el8_9.x86_64
OLD=4.18.0-305.el8.x86_64

echo 'int module_text;' | gcc -c -x c - -o "$HD_TMP/empty.o"
# ko OUT NAME RELEASE [versions]: a module file whose .modinfo says NAME and RELEASE
ko() {
	local info=$HD_TMP/modinfo.$RANDOM
	mkdir -p "$(dirname "$1")"
	printf 'license=GPL\0name=%s\0vermagic=%s SMP mod_unload modversions \0' "$2" "$3" >"$info"
	if [ "${4:-}" = versions ]; then
		head -c 64 /dev/zero >"$info.v"
		objcopy --add-section .modinfo="$info" --add-section __versions="$info.v" "$HD_TMP/empty.o" "$1"
	else
		objcopy --add-section .modinfo="$info" "$HD_TMP/empty.o" "$1"
	fi
}
# mkroot NAME: a root running $REL with an empty /proc/modules
mkroot() {
	local r=$HD_TMP/roots/$1
	mkdir -p "$r/proc/sys/kernel"
	echo "$REL" >"$r/proc/sys/kernel/osrelease"
	: >"$r/proc/modules"
	echo "$r"
}
# check ROOT [KEY=VALUE...]
check() {
	local root=$1
	shift
	{ printf '[mods]\nprobe = kernel-module\nmodules = ampfsm, ampnetworkflow\ndirs = /opt/cisco/amp, /lib/modules/{release}\n'; printf '%s\n' "$@"; } | conf mods.conf
	run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --root "$root" --format json
}

# --- nothing installed: does not apply
R=$(mkroot none)
check "$R"
expect_rc "no module files" 0
expect_json "none: SKIPPED" "$C['status']" SKIPPED
expect_json "none: names where it looked" "'under /opt/cisco/amp, /lib/modules/$REL' in $C['summary']" True

# --- both built for the running kernel, one loaded
R=$(mkroot match)
ko "$R/opt/cisco/amp/kmod/ampfsm.ko" ampfsm $REL
ko "$R/opt/cisco/amp/kmod/ampnetworkflow.ko" ampnetworkflow $REL
printf 'ampfsm 45056 2 - Live 0xffffffffc0a1e000 (OE)\n' >"$R/proc/modules"
check "$R"
expect_rc "built for the running kernel" 0
expect_json "match: summary" "$C['summary']" "kernel $REL: ampfsm loaded (Live); ampnetworkflow built for $REL, not loaded"
expect_json "match: loaded metric" "[m['value'] for m in $C['metrics'] if m['name']=='loaded'][0]" 1.0
check "$R" "require_loaded = yes"
expect_rc "require_loaded: one not loaded" 1

# --- ampfsm only for an older kernel, without symbol versions: will not load
R=$(mkroot old)
ko "$R/opt/cisco/amp/kmod/ampfsm.ko" ampfsm $OLD
ko "$R/opt/cisco/amp/kmod/ampnetworkflow.ko" ampnetworkflow $REL
check "$R"
expect_rc "a module built for another kernel" 2
expect_json "old: CRITICAL names both releases" "'ampfsm not built for $REL: will not load' in $C['summary'] and '/opt/cisco/amp/kmod/ampfsm.ko built for $OLD' in $C['details']" True
expect_json "old: mismatched metric" "[m['value'] for m in $C['metrics'] if m['name']=='mismatched'][0]" 1.0
expect_json "old: remedy" "'boot a kernel it was built for' in $C['remedy']" True
# the same build loaded anyway (forced, or a kABI match): loaded wins
printf 'ampfsm 45056 2 - Live 0xffffffffc0a1e000 (OE)\n' >"$R/proc/modules"
check "$R"
expect_rc "loaded although built for another release" 0

# --- only for an older kernel, with symbol versions (kABI): may load
R=$(mkroot kabi)
ko "$R/opt/cisco/amp/kmod/ampfsm.ko" ampfsm $OLD versions
check "$R"
expect_rc "symbol versions: a warning" 1
expect_json "kabi: says symbol versions" "'with symbol versions' in $C['summary']" True

# --- RHEL weak-updates: a link from the running kernel's tree to another kernel's build
R=$(mkroot weak)
ko "$R/lib/modules/$OLD/extra/ampfsm/ampfsm.ko" ampfsm $OLD versions
mkdir -p "$R/lib/modules/$REL/weak-updates/ampfsm"
ln -s "/lib/modules/$OLD/extra/ampfsm/ampfsm.ko" "$R/lib/modules/$REL/weak-updates/ampfsm/ampfsm.ko"
check "$R"
expect_json "weak-updates link followed inside the root" "'/lib/modules/$REL/weak-updates/ampfsm/ampfsm.ko built for $OLD' in $C['details']" True

# --- a file of another module with a name that starts the same, and a broken .ko
R=$(mkroot other)
ko "$R/opt/cisco/amp/kmod/ampfsm_helper.ko" ampfsm_helper $OLD
check "$R"
expect_json "another module's file is not counted" "$C['status']" SKIPPED
echo 'not an ELF file' >"$R/opt/cisco/amp/kmod/ampfsm.ko"
check "$R"
expect_rc "an unreadable module file" 3
expect_json "broken: named in the details" "'/opt/cisco/amp/kmod/ampfsm.ko: not an ELF file' in $C['details']" True

# --- no /proc/modules (a kernel without module support): loaded is unknown, the files judged
R=$(mkroot noproc)
rm "$R/proc/modules"
ko "$R/opt/cisco/amp/ampfsm.ko" ampfsm $REL
check "$R"
expect_rc "no /proc/modules" 0
expect_json "noproc: says it" "'whether a module is loaded is not known' in $C['details']" True

# --- the shipped connector check, on a root with the connector installed
R=$(mkroot shipped)
ko "$R/opt/cisco/amp/lib/ampfsm.ko" ampfsm $OLD
run "$HOSTDOCTOR" doctor -d "$HD_SRC/checks.d" --root "$R" --only amp-modules-kernel --format json
expect_rc "amp-modules-kernel: ampfsm for another kernel" 2
expect_json "amp-modules-kernel: remedy from the document" "'build custom ampfsm and ampnetworkflow kernel modules for the running kernel' in $C['remedy'] and '/var/log/messages' in $C['remedy']" True

# --- the live host: whatever it has, a clear answer
printf '[live]\nprobe = kernel-module\nmodules = no_such_module_here\n' | conf mods.conf
run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --format json
expect_rc "live host" 0
expect_json "live: SKIPPED" "$C['status']" SKIPPED
finish
