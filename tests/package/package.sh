#!/usr/bin/env bash
# The Debian package end to end, on this machine: built once from a clean copy of the tree
# (dpkg-buildpackage -b -us -uc), lintian without errors or warnings, `apt-get install
# ./hostdoctor_*.deb`, a smoke test of the installed files (doctor, nagios, list, explain, man,
# completion, the units verified and the service's command run with the unit's capabilities),
# `make install DESTDIR` laying out the same files, then `apt-get purge` leaving nothing.
# Plain build only (tests/CMakeLists.txt): it builds the package once, without sanitizers.
. "$HD_SRC/tests/integration/lib.sh"
need_root
command -v dpkg-buildpackage >/dev/null && command -v lintian >/dev/null ||
	{ not_ok "dpkg-buildpackage and lintian are needed (make deps)"; finish; }
# one package test at a time on this machine (install and purge are machine-wide)
exec 9>/run/lock/hostdoctor-package-test.lock
flock -w 900 9 || { not_ok "another package test holds the lock"; finish; }
APT=(env DEBIAN_FRONTEND=noninteractive apt-get -y -q -o DPkg::Lock::Timeout=600)
D=$HD_TMP/deb

# --- build ---
t0=$(date +%s)
HD_JOBS=2 bash "$HD_SRC/tests/package/build-deb.sh" "$D" "$HD_SRC" >"$HD_TMP/build.out" 2>&1
RC=$?
OUT=$(cat "$HD_TMP/build.out")
expect_rc "dpkg-buildpackage -b -us -uc from a clean copy ($(($(date +%s) - t0)) s)" 0
DEB=$(ls "$D"/hostdoctor_*_*.deb 2>/dev/null | head -1)
[ -n "$DEB" ] || { not_ok "no .deb built" "$OUT"; finish; }

# --- lintian: no error, no warning (overrides carry their reasons) ---
run lintian --fail-on error,warning --display-level '>=warning' "$DEB"
expect_rc "lintian: no errors or warnings" 0
grep -Eq '^[EW]: ' <<<"$OUT" && not_ok "lintian tags" "$OUT" || ok "lintian printed no E:/W: tag"

# --- what the package holds ---
run dpkg-deb -c "$DEB"
for f in ./usr/bin/hostdoctor ./etc/hostdoctor/checks.d/10-base.conf ./usr/share/hostdoctor/catalog/fsigk.conf \
	./usr/share/doc/hostdoctor/README.md ./usr/share/man/man1/hostdoctor.1.gz \
	./usr/share/man/man5/hostdoctor.conf.5.gz ./usr/share/man/man7/hostdoctor-probes.7.gz \
	"./$(pkg-config --variable=completionsdir bash-completion | sed 's#^/##')/hostdoctor" \
	./usr/share/zsh/vendor-completions/_hostdoctor ./lib/systemd/system/hostdoctor.service \
	./lib/systemd/system/hostdoctor.timer ./lib/systemd/system/hostdoctor-watch.service ./etc/default/hostdoctor \
	./usr/share/doc/hostdoctor/examples/cron/hostdoctor.cron; do
	grep -Eq " $f(\.gz)?$" <<<"$OUT" && ok "package has $f" || not_ok "package lacks $f"
done
grep -Eq '^drwx------ root/root .* \./var/lib/hostdoctor/$' <<<"$OUT" && ok "state dir /var/lib/hostdoctor 0700 root" ||
	not_ok "state dir" "$(grep var/lib <<<"$OUT")"
run dpkg-deb -f "$DEB" Depends Recommends
expect_out "Depends names libproc2 (opened with dlopen)" "^Depends: .*libproc2-0"
expect_out "Recommends names libcurl4 (opened with dlopen)" "^Recommends: .*libcurl4"

# --- make install DESTDIR lays out the same files (the package's build tree, no rebuild) ---
OBJ=$(ls -d "$D"/src/obj-* 2>/dev/null | head -1)
run make -C "$D/src" install BUILD="$OBJ" PREFIX=/usr DESTDIR="$HD_TMP/stage"
expect_rc "make install PREFIX=/usr DESTDIR=..." 0
(cd "$HD_TMP/stage" && find . -mindepth 1 | sed 's/\.gz$//' | sort) >"$HD_TMP/stage.list"
dpkg-deb -c "$DEB" | awk '{print $6}' | sed 's#/$##; s/\.gz$//' | grep -v '^\.$' |
	grep -Ev '^\./usr/share/(lintian|doc/hostdoctor/(changelog|copyright))' | sort >"$HD_TMP/deb.list"
grep -Ev '^\./usr/share/lintian' "$HD_TMP/stage.list" >"$HD_TMP/stage2.list"
diff "$HD_TMP/deb.list" "$HD_TMP/stage2.list" >"$HD_TMP/layout.diff" && ok "make install lays out the package's files" ||
	not_ok "layouts differ (< package, > make install)" "$(cat "$HD_TMP/layout.diff")"
run make -C "$D/src" uninstall BUILD="$OBJ" PREFIX=/usr DESTDIR="$HD_TMP/stage"
expect_rc "make uninstall" 0
left=$(cd "$HD_TMP/stage" && find . -type f)
[ -z "$left" ] && ok "make uninstall removes every installed file" || not_ok "left after uninstall" "$left"

# --- install ---
on_exit "${APT[*]} purge hostdoctor"
run "${APT[@]}" install --no-install-recommends "$DEB"
expect_rc "apt-get install ./hostdoctor_*.deb" 0
[ "$RC" -eq 0 ] || { echo "$OUT$ERR" | tail -20; finish; }
run dpkg-query -W -f='${Status}' hostdoctor
expect_out "installed" "install ok installed"
run dpkg-query -W -f='${Conffiles}\n' hostdoctor
expect_out "checks.d files are conffiles" "/etc/hostdoctor/checks.d/50-fsigk.conf [0-9a-f]{32}"
expect_out "/etc/default/hostdoctor is a conffile" "/etc/default/hostdoctor [0-9a-f]{32}"
[ "$(stat -c '%a %U' /var/lib/hostdoctor)" = "700 root" ] && ok "/var/lib/hostdoctor 0700 root" ||
	not_ok "state dir $(stat -c '%a %U' /var/lib/hostdoctor 2>&1)"

# --- smoke test of the installed files (PATH, default checks dir, catalogue) ---
H=/usr/bin/hostdoctor
cd /
run $H --version
expect_out "hostdoctor --version" "^hostdoctor [0-9]"
run $H doctor
[ "$RC" -le 2 ] && ok "hostdoctor doctor on this host (exit $RC)" || not_ok "doctor exit $RC" "$OUT$ERR"
[ -z "$ERR" ] && ok "doctor: nothing on stderr" || not_ok "doctor stderr" "$ERR"
expect_out "doctor reads /etc/hostdoctor/checks.d" "file-handles: [0-9.]+% of fs.file-max in use"
run $H nagios file-handles
expect_rc "hostdoctor nagios file-handles" 0
expect_out "status line and perfdata" "^HOSTDOCTOR OK: .* \| 'used'="
run $H list
expect_rc "hostdoctor list" 0
n_inst=$(wc -l <<<"$OUT")
n_tree=$("$HOSTDOCTOR" list -d "$HD_SRC/checks.d" | wc -l)
[ "$n_inst" = "$n_tree" ] && ok "list: the $n_inst shipped checks" || not_ok "list has $n_inst checks, the tree $n_tree"
run $H explain "CRITICAL [http:main.c:1289] bind=Address already in use(98) (addr=0.0.0.0, port=9080)."
expect_rc "explain finds the installed catalogue" 0
expect_out "explain names the checks of the cause" "fsigk-http-port"
run $H list --probes
expect_out "list --probes" "^file-handles: "
run env MANPAGER=cat MANWIDTH=100 man hostdoctor
expect_rc "man hostdoctor" 0
expect_out "man hostdoctor shows the page" "hostdoctor - look at the live state"
for p in "5 hostdoctor.conf" "7 hostdoctor-probes"; do
	# shellcheck disable=SC2086
	run env MANPAGER=cat MANWIDTH=100 man $p
	expect_rc "man $p" 0
done
run env MANPAGER=cat MANWIDTH=100 man --warnings 7 hostdoctor-probes
[ -z "$(grep -v '^$' <<<"$ERR")" ] && ok "man --warnings on the installed probes page" || not_ok "man warnings" "$ERR"
run bash --norc -c '. /usr/share/bash-completion/bash_completion; _completion_loader hostdoctor; complete -p hostdoctor'
expect_out "bash-completion loads the completion on demand" "complete -F _hostdoctor hostdoctor"

# --- the installed units: verify, then the service's command line with the unit's
# capabilities (the unit cannot be started here: no systemd as PID 1 on CI) ---
run systemd-analyze verify /lib/systemd/system/hostdoctor.service /lib/systemd/system/hostdoctor.timer \
	/lib/systemd/system/hostdoctor-watch.service
expect_rc "systemd-analyze verify on the installed units (man pages checked too)" 0
[ -z "$OUT$ERR" ] && ok "verify: no complaint" || not_ok "verify output" "$OUT$ERR"
UNIT=/lib/systemd/system/hostdoctor.service
TF=/var/lib/prometheus/node-exporter
made_tf=
[ -d $TF ] || { mkdir -p $TF && made_tf=1 && on_exit "rmdir $TF /var/lib/prometheus"; }
caps=$(sed -n 's/^CapabilityBoundingSet=//p' $UNIT | tr 'A-Z' 'a-z' | sed 's/cap_/+/g; s/ /,/g')
line=$(sed -n 's/^ExecStart=//p' $UNIT)
line=${line//'$HOSTDOCTOR_ARGS'/doctor -t 240}
line=${line//'${HOSTDOCTOR_REPORT}'//var/lib/hostdoctor/report.json}
line=${line//'${HOSTDOCTOR_TEXTFILE}'/$TF/hostdoctor.prom}
# shellcheck disable=SC2086
run setpriv --no-new-privs --inh-caps=-all --bounding-set="-all,$caps" $line
expect_rc "the service's command exits 0 whatever the host's state" 0
grep -q '^hostdoctor_last_run_timestamp_seconds{report="doctor"} ' $TF/hostdoctor.prom && ok "the textfile is filled" ||
	not_ok "textfile" "$(head -5 $TF/hostdoctor.prom 2>&1)"
OUT=$(cat /var/lib/hostdoctor/report.json 2>&1)
expect_json "the JSON report is written" "j['mode']" doctor

# --- purge: nothing of the package left ---
touch "$HD_TMP/before-purge"
sleep 0.01
run "${APT[@]}" purge hostdoctor
expect_rc "apt-get purge hostdoctor" 0
run dpkg-query -W -f='${Status}' hostdoctor
grep -q "installed" <<<"$OUT" && not_ok "still known to dpkg: $OUT" || ok "dpkg forgot the package"
# man-db's cache of the pages formatted by the `man` calls above is man-db's (its daily job drops
# cat pages whose source is gone): allowed, and removed here
rm -f /var/cache/man/cat[157]/hostdoctor*
# /var/lib/hostdoctor: the purge removes it; a live run of another test may make it again at
# once (its state and the matcher's cache), so only what is older than the purge counts
old_state=$(find /var/lib/hostdoctor ! -newer "$HD_TMP/before-purge" -print 2>/dev/null || true)
[ -z "$old_state" ] && ok "purge removed /var/lib/hostdoctor" || not_ok "state left after purge" "$old_state"
left=$(find /etc /usr /lib /var /opt -xdev \( -path /var/tmp -o -path /var/cache/apt -o -path /var/log \
	-o -path /var/lib/hostdoctor \) -prune -o -name '*hostdoctor*' -print 2>/dev/null |
	grep -v "^$HD_SRC" || true)
[ -z "$left" ] && ok "purge leaves no file or directory named hostdoctor" || not_ok "left after purge" "$left"
[ ! -e $TF/hostdoctor.prom ] && ok "purge removed the timer's textfile" || not_ok "textfile left"
[ -n "$made_tf" ] && rmdir $TF /var/lib/prometheus 2>/dev/null
finish
