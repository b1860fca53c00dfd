# Icinga 2 (Debian's icinga2-bin): the shipped CheckCommands and examples, placed in a copy of
# Debian's own /etc/icinga2 as docs/integrations/icinga2.md says, validate with
# `icinga2 daemon -C`; a single node started here runs hostdoctor checks (OK, CRITICAL, --set
# from vars, a probe with a range, a preflight) and the PerfdataWriter file gives their states,
# output and perfdata back; then a master and an agent on 127.0.0.1 with the agent example:
# the master schedules, the agent runs hostdoctor through command_endpoint.
. "$(dirname "$0")/lib.sh"
in_private_netns "$@"
need_root

command -v icinga2 >/dev/null || { not_ok "icinga2 is missing (make deps installs icinga2-bin and icinga2-common)"; finish; }
[ -d /etc/icinga2 ] || { not_ok "/etc/icinga2 is missing (icinga2-common)"; finish; }
id nagios >/dev/null 2>&1 || { not_ok "no user nagios (icinga2-common creates it)"; finish; }
runuser -u nagios -- test -x "$HOSTDOCTOR" || { not_ok "user nagios cannot run $HOSTDOCTOR"; finish; }
chmod 755 "$HD_TMP"
sudoers_install || finish
DIST="$HD_SRC/dist/icinga2"

# node DIR: a fresh copy of Debian's /etc/icinga2 in DIR/etc, with the run-time directories an
# instance of its own needs; ic DIR ARGS...: icinga2 with those directories
node() {
	rm -rf "$1"
	mkdir -p "$1"/{data,cache,log,spool/tmp,spool/perfdata,run}
	cp -a /etc/icinga2 "$1/etc"
	rm -f "$1/etc/features-enabled/notification.conf" # no mail from a test
}
icargs() {
	local d=$1
	chown -R nagios:nagios "$d"
	IC=(icinga2 daemon -c "$d/etc/icinga2.conf" -DDataDir="$d/data" -DCacheDir="$d/cache"
		-DLogDir="$d/log" -DSpoolDir="$d/spool" -DInitRunDir="$d/run" -DZonesDir="$d/etc/zones.d")
}
ic() {
	icargs "$1"
	shift
	"${IC[@]}" "$@"
}
# start NAME DIR ARGS...: the daemon in the background, $DP its session; fails when it exits
start() {
	local name=$1 d=$2
	shift 2
	icargs "$d"
	daemon "$name" "${IC[@]}" "$@"
	sleep 1
	kill -0 "$DP" 2>/dev/null || { not_ok "$name did not start" "$(tail -20 "$HD_TMP/$name.log")"; finish; }
}
# validate NAME DIR ARGS...
validate() {
	local name=$1 d=$2
	shift 2
	run ic "$d" -C "$@"
	if [ "$RC" -eq 0 ]; then ok "$name: icinga2 daemon -C"; else not_ok "$name: icinga2 daemon -C: exit $RC" "$(grep -v information/ <<<"$OUT$ERR" | head -30)"; fi
}
# fast DIR: the check intervals of the copies made 2 s, so a test needs no 5 minutes
fast() { find "$1/etc" -name 'hostdoctor*.conf' -exec sed -i -E 's/(check|retry)_interval = [0-9]+[smh]/\1_interval = 2s/' {} +; }
# perfdata DIR: a PerfdataWriter whose lines carry host, service, state, output and perfdata
perfdata() {
	cat >"$1/etc/features-enabled/perfdata-test.conf" <<'EOF'
object PerfdataWriter "perfdata-test" {
  service_format_template = "HOST::$host.name$\tSERVICE::$service.name$\tSTATE::$service.state$\tPERFDATA::$service.perfdata$\tOUTPUT::$service.output$"
  host_format_template = ""
  rotation_interval = 1s
}
EOF
}
# result DIR HOST SERVICE: the newest line for the service (empty until there is one)
result() { cat "$1"/spool/perfdata/service-perfdata.* 2>/dev/null | grep -F "HOST::$2	SERVICE::$3	" | tail -1; }
has_result() { result "$@" | grep -q 'OUTPUT::HOSTDOCTOR'; }
field() { tr '\t' '\n' <<<"$1" | sed -n "s/^$2:://p"; }
# expect_service NAME LINE STATE OUTPUT-REGEX [PERFDATA-REGEX]
expect_service() {
	local st out pd
	st=$(field "$2" STATE) out=$(field "$2" OUTPUT) pd=$(field "$2" PERFDATA)
	if [ "$st" = "$3" ] && grep -Eq -- "$4" <<<"$out" && { [ -z "${5:-}" ] || grep -Eq -- "$5" <<<"$pd"; }; then
		ok "$1: $st"
	else
		not_ok "$1: state '$st' (wanted $3), output /$4/, perfdata /${5:-}/" "$2"
	fi
}

# ---------------------------------------------------------------- single node
S="$HD_TMP/single"
node "$S"
installed_copy "$DIST/hostdoctor.conf" "$S/etc/conf.d/hostdoctor.conf"
installed_copy "$DIST/single-node/conf.d/hostdoctor-services.conf" "$S/etc/conf.d/hostdoctor-services.conf"
# the guide's step for the host: vars that the example's apply rules assign on
sed -i 's/^\(\s*\)vars.os = "Linux"/&\n\1vars.hostdoctor_fsigk = true\n\1vars.hostdoctor_fsigk_port = 8080/' "$S/etc/conf.d/hosts.conf"
grep -q hostdoctor_fsigk_port "$S/etc/conf.d/hosts.conf" || not_ok "Debian's conf.d/hosts.conf has no vars.os line to add the host's vars to"
validate "single node, files as shipped" "$S"
# the test can fail: the old guide's CheckCommand (argument dictionaries without separators)
cp -a "$S" "$HD_TMP/broken"
cat >"$HD_TMP/broken/etc/conf.d/old-guide.conf" <<'EOF'
object CheckCommand "hostdoctor-old" {
  command = [ "/usr/bin/hostdoctor", "nagios" ]
  arguments = {
    "--warning"  = { value = "$hostdoctor_warning$" set_if = {{ macro("$hostdoctor_warning$") != false }} }
  }
}
EOF
run ic "$HD_TMP/broken" -C
[ "$RC" -ne 0 ] && ok "the old guide's CheckCommand does not validate (exit $RC)" || not_ok "icinga2 -C accepted a broken CheckCommand"
rm -rf "$HD_TMP/broken"

fast "$S"
perfdata "$S"
# 8080 for the --set service, 9080 (the gateway's HTTP port) for the preflight and the group
sockets --name holder8080 --listen tcp4,0.0.0.0,8080 --listen tcp4,0.0.0.0,9080
HOLDER=$SP
start icinga2-single "$S"
H=$(hostname) # NodeName: Debian's constants.conf leaves it to the host name
for svc in hostdoctor-file-handles hostdoctor-fsigk-http-port-8080 hostdoctor-var-tmp hostdoctor-preflight-fsigk hostdoctor-fsigk-preinstall; do
	wait_until 40 has_result "$S" "$H" "$svc" && continue
	not_ok "no result for $svc within 40 s" "$(tail -20 "$HD_TMP/icinga2-single.log")"
	break
done
expect_service "OK check (hostdoctor-file-handles)" "$(result "$S" "$H" hostdoctor-file-handles)" \
	OK '^HOSTDOCTOR OK: .*% of fs.file-max in use' "^used=[0-9.]+%;80;95;0;100 allocated="
# --set port=8080 from vars.hostdoctor_set; sudo names the holder
expect_service "CRITICAL check with --set from vars (port 8080 held)" "$(result "$S" "$H" hostdoctor-fsigk-http-port-8080)" \
	CRITICAL "^HOSTDOCTOR CRITICAL: tcp/8080 is not free: held by holder8080 \(pid $HOLDER\)" "^holders=1;;;0;"
# --probe with --set and a warning range: the range reaches the perfdata as written
expect_service "probe with --set and -w 500: (hostdoctor-var-tmp)" "$(result "$S" "$H" hostdoctor-var-tmp)" \
	"$("$HOSTDOCTOR" nagios --probe tmp-space --set dir=/var/tmp --set min_free_mb=100 -w 500: | sed -n '1s/^HOSTDOCTOR \([A-Z]*\):.*/\1/p')" \
	'^HOSTDOCTOR [A-Z]+: /var/tmp: ' "^free=[0-9.]+MB;500:;;0;"
# preflight -f nagios exits with the state its line shows (it used to exit 1, WARNING)
expect_service "preflight: Icinga's state is the line's" "$(result "$S" "$H" hostdoctor-preflight-fsigk)" \
	CRITICAL '^HOSTDOCTOR CRITICAL: [0-9]+ checks: 1 critical, .*\(fsigk-http-port\)'
expect_service "several checks in one service: labels CHECK::METRIC" "$(result "$S" "$H" hostdoctor-fsigk-preinstall)" \
	CRITICAL '^HOSTDOCTOR CRITICAL: 4 checks: 1 critical' "fsigk-http-port::holders=1;;;0;"
stop_session "$DP"
stop "$HOLDER"

# ---------------------------------------------------------------- master and agent
M="$HD_TMP/master" A="$HD_TMP/agent"
node "$M"
node "$A"
# PKI: a CA on the master, a certificate for each node (what `icinga2 node setup` does)
chown -R nagios:nagios "$M" "$A"
mkdir -p "$M/data/certs" "$A/data/certs"
chown nagios:nagios "$M/data/certs" "$A/data/certs"
pki() { runuser -u nagios -- icinga2 pki "$@" -DDataDir="$M/data" >/dev/null 2>&1; }
pki new-ca || not_ok "icinga2 pki new-ca"
for n in master1.example.org:"$M" agent1.example.org:"$A"; do
	cn=${n%%:*} d=${n#*:}
	pki new-cert --cn "$cn" --key "$d/data/certs/$cn.key" --csr "$d/data/certs/$cn.csr" &&
		pki sign-csr --csr "$d/data/certs/$cn.csr" --cert "$d/data/certs/$cn.crt" &&
		cp "$M/data/ca/ca.crt" "$d/data/certs/ca.crt" || not_ok "certificate for $cn"
done

# the master: the shipped zones.conf, zones.d/global-templates and zones.d/master
cp "$DIST/agent/master/zones.conf" "$M/etc/zones.conf"
mkdir -p "$M/etc/zones.d/global-templates" "$M/etc/zones.d/master"
installed_copy "$DIST/hostdoctor.conf" "$M/etc/zones.d/global-templates/hostdoctor.conf"
installed_copy "$DIST/agent/master/zones.d/master/hostdoctor-agents.conf" "$M/etc/zones.d/master/hostdoctor-agents.conf"
sed -i 's/192\.0\.2\.11/127.0.0.1/' "$M/etc/zones.d/master/hostdoctor-agents.conf"
cat >"$M/etc/features-enabled/api.conf" <<'EOF'
object ApiListener "api" {
  bind_host = "127.0.0.1"
  bind_port = 5665
  ticket_salt = TicketSalt
}
EOF
# the agent: the shipped zones.conf (the master's address made ours), its api feature taking
# configuration and commands from the master, no local conf.d (as `node setup` leaves it)
sed -e 's/192\.0\.2\.10/127.0.0.1/' "$DIST/agent/agent/zones.conf" >"$A/etc/zones.conf"
cat >"$A/etc/features-enabled/api.conf" <<'EOF'
object ApiListener "api" {
  accept_config = true
  accept_commands = true
  bind_host = "127.0.0.1"
  bind_port = 5664
  ticket_salt = TicketSalt
}
EOF
sed -i 's/^include_recursive "conf.d"/\/\/ &/' "$A/etc/icinga2.conf"
MDEF=(-DNodeName=master1.example.org -DZoneName=master)
ADEF=(-DNodeName=agent1.example.org -DZoneName=agent1.example.org)
validate "master with the agent example, files as shipped" "$M" "${MDEF[@]}"
validate "agent with the agent example, files as shipped" "$A" "${ADEF[@]}"

fast "$M"
perfdata "$M"
sockets --name holder9080 --listen tcp4,0.0.0.0,9080
HOLDER=$SP
start icinga2-master "$M" "${MDEF[@]}"
MP=$DP
start icinga2-agent "$A" "${ADEF[@]}"
AP=$DP
for svc in hostdoctor-file-handles hostdoctor-fsigk-preinstall; do
	wait_until 60 has_result "$M" agent1.example.org "$svc" && continue
	not_ok "agent: no hostdoctor result for $svc within 60 s" "$(result "$M" agent1.example.org "$svc"; grep -h -E 'warning|critical' "$HD_TMP"/icinga2-*.log | tail -15)"
	break
done
expect_service "agent: OK check run on the agent (command_endpoint)" "$(result "$M" agent1.example.org hostdoctor-file-handles)" \
	OK '^HOSTDOCTOR OK: .*% of fs.file-max in use' "^used=[0-9.]+%;80;95;0;100"
expect_service "agent: CRITICAL through hostdoctor-sudo on the agent" "$(result "$M" agent1.example.org hostdoctor-fsigk-preinstall)" \
	CRITICAL '^HOSTDOCTOR CRITICAL: 4 checks: 1 critical.*\(fsigk-http-port\)' "fsigk-http-port::holders=1;;;0;"
if [ -d "$A/data/api/zones/global-templates" ]; then ok "agent: global-templates came from the master"; else not_ok "agent: no global-templates in its api/zones"; fi
stop_session "$AP"
stop_session "$MP"
stop "$HOLDER"
finish
