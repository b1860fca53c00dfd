# hostdoctor explain: real instances of catalogued messages, on the command line and on stdin;
# the checks of the causes run on this host; no match says so and exits 1.
. "$(dirname "$0")/lib.sh"

conf 10-fsigk.conf <<EOF
[fsigk-file-handles]
probe = file-handles
warning = 80
critical = 95
description = The gateway needs file handles.
EOF

run "$HOSTDOCTOR" explain -d "$HD_TMP/checks.d" "CRITICAL [http:accept.c:311] accept=Too many open files in system(23) main/accept_loop/accept(s=5)"
expect_rc "explain a known message" 0
expect_out "entry named" '^fsigk-too-many-open-files \(fsigk, critical/warning\)'
expect_out "explanation" 'What it means: The system-wide limit of open files'
expect_out "remedy with the document's value" "What to do: +Look for processes.*'fs.file-max = 65535'.*sysctl -p"
expect_out "the document named" 'Source: +vendor document 000'
expect_out "the check of the cause ran" 'fsigk-file-handles: [0-9.]+% of fs.file-max in use'

# every sample of the shipped catalogue, on stdin at once: each entry found once
samples=$(sed -n 's/^sample *= *//p' "$HD_SRC"/catalog/*.conf)
n=$(cat "$HD_SRC"/catalog/*.conf | grep -c "^\[")
run "$HOSTDOCTOR" explain -d "$HD_TMP/checks.d" <<<"$samples"
expect_rc "explain every sample on stdin" 0
got=$(grep -cE '^[a-z0-9-]+ \([a-z]+, (info|warning|critical|critical/warning)\)$' <<<"$OUT")
if [ "$got" = "$n" ]; then ok "all $n catalogue entries found"; else not_ok "found $got entries, wanted $n" "$OUT"; fi

run "$HOSTDOCTOR" explain -d "$HD_TMP/checks.d" "Mar 11 02:00:00 host systemd[1]: Started Session 1 of user root."
expect_rc "unknown message" 1
expect_out "says so" 'No catalogued message matches'

# a message of a crash event names the other lines the gateway logs with it
run "$HOSTDOCTOR" explain -d "$HD_TMP/checks.d" "WARNING [http:main.c:955] Error recovery: restarting service..."
expect_rc "one line of a three-line event" 0
expect_out "the event's other entries" 'Related: +fsigk-child-stopped, fsigk-child-core-dumped'

# the per-process EMFILE text is not a message of the document
run "$HOSTDOCTOR" explain -d "$HD_TMP/checks.d" "CRITICAL [http:accept.c:311] accept=Too many open files(24)"
expect_rc "an invented message is not explained" 1

# the vendor's misspelling is what matches
run "$HOSTDOCTOR" explain -d "$HD_TMP/checks.d" "[iau] Busy with existing update"
expect_rc "corrected spelling is not the product's message" 1
run "$HOSTDOCTOR" explain -d "$HD_TMP/checks.d" "[iau] Busy with exisiting update"
expect_rc "vendor spelling matches" 0
expect_out "ds entry" '^ds-update-busy'

finish
