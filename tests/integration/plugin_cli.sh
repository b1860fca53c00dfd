# The nagios mode as a plugin: --help and --version as the Monitoring Plugins give them (exit 3),
# per-service parameters (--set, validated as checks.d is), ad-hoc probes (--probe, no checks.d),
# -v/-vv/-vvv, perfdata thresholds in range syntax, and preflight -f nagios exiting with the
# state its line shows.
. "$(dirname "$0")/lib.sh"
in_private_netns "$@"

# --- --help and --version ---
run "$HOSTDOCTOR" nagios --version
expect_rc "nagios --version: exit 3, as check_disk -V" 3
expect_out "nagios --version: revision line" '^hostdoctor nagios v[0-9.]+ \(hostdoctor [0-9.]+\)$'
run "$HOSTDOCTOR" nagios --help
expect_rc "nagios --help: exit 3, as check_disk -h" 3
expect_out "nagios --help: Usage" '^Usage:$'
expect_out "nagios --help: --set and --probe" '^ --probe=PROBE$'
expect_out "nagios --help: the exit codes" 'Exit: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN'
if [ -x /usr/lib/nagios/plugins/check_disk ]; then
	/usr/lib/nagios/plugins/check_disk -V >/dev/null
	[ $? -eq 3 ] && ok "check_disk -V exits 3 too (monitoring-plugins-basic)" || not_ok "check_disk -V does not exit 3"
fi
run "$HOSTDOCTOR" --version
expect_rc "hostdoctor --version (not a plugin): exit 0" 0
run "$HOSTDOCTOR" --help
expect_rc "hostdoctor --help: exit 0" 0

conf 10-p.conf <<'EOF'
[free-port]
probe = port
port = 1
expect = free
test_bind = no
tags = p
[fh]
probe = file-handles
tags = p
EOF
D=(-d "$HD_TMP/checks.d")

# --- --set: a key of the one check, validated as a checks.d line ---
# a listener of our own on a port nothing else uses here (a private network namespace)
port=45123
sockets --name cli-holder --listen "tcp4,127.0.0.1,$port"
run "$HOSTDOCTOR" nagios "${D[@]}" free-port
expect_rc "free-port as configured (port 1)" 0
run "$HOSTDOCTOR" nagios "${D[@]}" free-port --set "port=$port"
expect_rc "--set port=$port (a listener there): CRITICAL" 2
expect_out "--set: the check ran on the port given" "^HOSTDOCTOR CRITICAL: tcp/$port is not free"
run "$HOSTDOCTOR" nagios "${D[@]}" free-port --set nope=1
expect_rc "--set unknown key: exit 3" 3
expect_out "--set unknown key: UNKNOWN naming the key" "^HOSTDOCTOR UNKNOWN: --set 'nope=1': unknown key 'nope' for probe 'port' in \[free-port\] \(its keys: port,"
run "$HOSTDOCTOR" nagios "${D[@]}" free-port --set port=80x
expect_out "--set bad value: UNKNOWN naming the key and value" "^HOSTDOCTOR UNKNOWN: --set 'port=80x': port = '80x' is not a whole number$"
run "$HOSTDOCTOR" nagios "${D[@]}" free-port --set port=70000
expect_out "--set out of range, as in checks.d" "port = '70000' is out of range \(1\.\.65535\)"
run "$HOSTDOCTOR" nagios "${D[@]}" free-port --set expect=maybe
expect_out "--set bad choice" "expect = 'maybe' is not one of free\|listening"
run "$HOSTDOCTOR" nagios "${D[@]}" free-port --set port=2 --set port=3
expect_out "--set twice: as a key set twice in a file" "'port' is set twice"
run "$HOSTDOCTOR" nagios "${D[@]}" free-port --set warning=10:5
expect_out "--set a bad range" "warning = '10:5' is not a valid range: start is greater than end"
run "$HOSTDOCTOR" nagios "${D[@]}" free-port --set probe=tmp-space
expect_out "--set probe= refused" "^HOSTDOCTOR UNKNOWN: --set 'probe=tmp-space': the probe type is not a key to set"
run "$HOSTDOCTOR" nagios "${D[@]}" free-port fh --set port=2
expect_out "--set with two checks refused" "^HOSTDOCTOR UNKNOWN: --set applies to one CHECK"
run "$HOSTDOCTOR" nagios "${D[@]}" free-port --set noequals
expect_out "--set without =" "^HOSTDOCTOR UNKNOWN: --set 'noequals': expected KEY=VALUE$"

# --- --probe: no checks.d at all ---
run env -i "$HOSTDOCTOR" nagios --probe port --set "port=$port" --set expect=free
expect_rc "--probe port --set port=N: CRITICAL" 2
run "$HOSTDOCTOR" nagios -d "$HD_TMP/nonexistent" --probe port --set port=1
expect_rc "--probe with -d: the dir is still read (and missing)" 3
cp -r "$HD_TMP/checks.d" "$HD_TMP/broken.d"
printf '[other]\nprobe = file-handles\nwarning = 10:5\n' >"$HD_TMP/broken.d/99-broken.conf"
run "$HOSTDOCTOR" nagios -d "$HD_TMP/broken.d" fh
expect_rc "nagios CHECK: an error in another check's section does not stop it" 0
run "$HOSTDOCTOR" nagios -d "$HD_TMP/broken.d" other
expect_rc "nagios CHECK: an error in the named check's section stops it" 3
expect_out "... naming file and line" "^HOSTDOCTOR UNKNOWN: .*99-broken.conf:3: warning = '10:5' is not a valid range"
printf '[fh]\nwarning = x\n' >"$HD_TMP/broken.d/98-override.conf"
run "$HOSTDOCTOR" nagios -d "$HD_TMP/broken.d" fh
expect_out "nagios CHECK: a bad override of the named check stops it" "98-override.conf:2: warning = 'x'"
run "$HOSTDOCTOR" list -d "$HD_TMP/broken.d"
expect_rc "list reads every section: the error shows" 3
run "$HOSTDOCTOR" doctor -d "$HD_TMP/broken.d"
expect_rc "doctor reads every section: the error shows" 3
run "$HOSTDOCTOR" nagios --probe file-handles -w 90 -c 99
expect_rc "--probe file-handles -w -c: no checks.d needed" 0
expect_out "--probe: its primary metric with the ranges" "^HOSTDOCTOR OK: .* \| 'used'=[0-9.]+%;90;99;0;100 "
run "$HOSTDOCTOR" nagios --probe port
expect_out "--probe without a required key: UNKNOWN naming it" "^HOSTDOCTOR UNKNOWN: --probe port: \[port\] needs 'port'"
run "$HOSTDOCTOR" nagios --probe nosuchprobe
expect_out "--probe of an unknown type" "unknown probe type 'nosuchprobe'"
run "$HOSTDOCTOR" nagios --probe port --set port=1 fh
expect_out "--probe and a CHECK refused" "^HOSTDOCTOR UNKNOWN: --probe port runs that probe alone"

# --- perfdata thresholds in the plugin guidelines' range syntax ---
run "$HOSTDOCTOR" nagios "${D[@]}" fh -w 10: -c @0:100
expect_rc "-c @0:100 (inside): CRITICAL" 2
expect_out "perfdata carries 10: and @0:100 as given" "'used'=[0-9.]+%;10:;@0:100;0;100 "
run "$HOSTDOCTOR" nagios "${D[@]}" fh -w '~:0.0001' # quoted: the shell expands a bare ~
expect_out "perfdata ~:0.0001" "'used'=[0-9.]+%;~:0.0001;95;0;100 "

# --- -v, -vv, -vvv ---
run "$HOSTDOCTOR" nagios "${D[@]}" fh
[ "$(wc -l <<<"$OUT")" -eq 1 ] && ok "no -v: an OK check is one line" || not_ok "no -v: more than one line" "$OUT"
run "$HOSTDOCTOR" nagios "${D[@]}" fh -v
expect_out "-v: the details of an OK check" "^most: [0-9]+ open files: pid "
[ "$(wc -l <<<"$OUT")" -gt 1 ] && ok "-v: more lines" || not_ok "-v added nothing" "$OUT"
run "$HOSTDOCTOR" nagios "${D[@]}" fh -vv
expect_out "-vv: the check's configuration with file and line" "^config: \[fh\] probe file-handles, from $HD_TMP/checks.d/10-p.conf:[0-9]+$"
expect_out "-vv: the thresholds" "thresholds on used: warning 80, critical 95"
run "$HOSTDOCTOR" nagios "${D[@]}" free-port --set port=1 -vv
expect_out "-vv: a --set key says where it came from" "^  port = 1   \(--set:1\)$"
run "$HOSTDOCTOR" nagios "${D[@]}" fh -vvv
expect_out "-vvv: how the run went" "^diagnosis: hostdoctor [0-9.]+, 1 check, root '/', as root"
expect_out "-vvv: per check, one check in this process" "^diagnosis: probe file-handles ran [0-9.]+ s in this process \(one check\)$"
run env HOSTDOCTOR_ISOLATE=1 "$HOSTDOCTOR" nagios "${D[@]}" fh -vvv
expect_out "-vvv, HOSTDOCTOR_ISOLATE=1: in a child process" "^diagnosis: probe file-handles ran [0-9.]+ s in a child process$"
expect_rc "HOSTDOCTOR_ISOLATE=1: the same result" 0
run "$HOSTDOCTOR" nagios "${D[@]}" fh free-port -vvv
expect_out "-vvv, two checks: each in a child process" "^  diagnosis: probe port ran [0-9.]+ s in a child process$"

# --- preflight -f nagios: the exit code is the state of the line ---
conf 20-pre.conf <<EOF
[pre-crit]
probe = port
port = $port
expect = free
inhibitor = yes
tags = pre
[pre-warn]
probe = file-handles
warning = ~:0
tags = pre
EOF
run "$HOSTDOCTOR" preflight "${D[@]}" --profile pre
expect_rc "preflight (text): 1, not ready" 1
run "$HOSTDOCTOR" preflight "${D[@]}" --profile pre -f nagios
expect_rc "preflight -f nagios: CRITICAL line, exit 2" 2
expect_out "preflight -f nagios: the line" "^HOSTDOCTOR CRITICAL: 2 checks: 1 critical, 1 warning"
rm "$HD_TMP/checks.d/20-pre.conf"
conf 20-pre.conf <<'EOF'
[pre-warn]
probe = file-handles
warning = ~:0
tags = pre
EOF
run "$HOSTDOCTOR" preflight "${D[@]}" --profile pre
expect_rc "preflight (text), a warning only: ready (0)" 0
run "$HOSTDOCTOR" preflight "${D[@]}" --profile pre -f nagios
expect_rc "preflight -f nagios, a warning only: WARNING line, exit 1" 1
expect_out "preflight -f nagios: WARNING" "^HOSTDOCTOR WARNING: "

# --- nagios --only TAG ---
run "$HOSTDOCTOR" nagios "${D[@]}" --only p
expect_out "nagios --only TAG: every check of the tag" "^HOSTDOCTOR OK: 2 checks: "
run "$HOSTDOCTOR" nagios "${D[@]}" --only nosuchtag
expect_out "nagios --only selecting nothing: UNKNOWN" "^HOSTDOCTOR UNKNOWN: --only selects no check"
finish
