# Prometheus: `promtool check metrics` (Debian's prometheus) on doctor and preflight output;
# Debian's node_exporter on 127.0.0.1 with a textfile directory holding a doctor file and a
# preflight file: the scrape has every hostdoctor series once and node_textfile_scrape_error 0.
# A run whose file would repeat another file's series is refused and says which. HELP texts
# name the unit of the series; interfaces are labels, not parts of metric names.
. "$(dirname "$0")/lib.sh"
need_root
# the doctor report of the host's own network namespace (its NICs have rings) is made before
# the script moves into a private one for its servers
if [ -z "${HD_NETNS:-}" ]; then
	HD_HOST_DIR=$(mktemp -d /tmp/hostdoctor-host.XXXXXX)
	HD_HOST_PROM=$HD_HOST_DIR/hostdoctor.prom
	HD_HOST_NICS=$(ls /sys/class/net)
	export HD_HOST_DIR HD_HOST_PROM HD_HOST_NICS
	"$HOSTDOCTOR" doctor -f prometheus -o "$HD_HOST_PROM"
	export HD_HOST_RC=$?
fi
in_private_netns "$@"
on_exit 'rm -rf "$HD_HOST_DIR"'

PROMTOOL=/usr/bin/promtool
NODE_EXPORTER=/usr/bin/prometheus-node-exporter
for f in "$PROMTOOL" "$NODE_EXPORTER"; do
	[ -x "$f" ] || { not_ok "$f is missing (make deps installs prometheus and prometheus-node-exporter)"; finish; }
done
D="$HD_TMP/textfile"
mkdir -p "$D"
chmod 755 "$HD_TMP" "$D"
# --- promtool: doctor (the host, its NICs included) and preflight output ---
cp "$HD_HOST_PROM" "$D/hostdoctor.prom"
[ "$HD_HOST_RC" -le 3 ] && [ -s "$D/hostdoctor.prom" ] && ok "doctor -f prometheus -o FILE (exit $HD_HOST_RC)" || not_ok "doctor -f prometheus: exit $HD_HOST_RC"
"$HOSTDOCTOR" preflight --profile fsigk -f prometheus -o "$D/hostdoctor-preflight-fsigk.prom"
RC=$?
[ "$RC" -le 1 ] && ok "preflight --profile fsigk -o ... (exit $RC)" || not_ok "preflight -f prometheus: exit $RC"
for f in hostdoctor.prom hostdoctor-preflight-fsigk.prom; do
	run "$PROMTOOL" check metrics <"$D/$f"
	if [ "$RC" -eq 0 ] && [ -z "$OUT$ERR" ]; then ok "promtool check metrics: $f clean"; else not_ok "promtool check metrics: $f" "$OUT$ERR"; fi
done
run "$PROMTOOL" check metrics <"$HD_SRC/tests/golden/prometheus.prom"
[ "$RC" -eq 0 ] && [ -z "$OUT$ERR" ] && ok "promtool check metrics: the golden file" || not_ok "promtool: golden" "$OUT$ERR"
# the test can fail: the names of the old output
printf '# HELP hostdoctor_process_count x\n# TYPE hostdoctor_process_count gauge\nhostdoctor_process_count{check="zombies"} 94\n' >"$HD_TMP/old.txt"
run "$PROMTOOL" check metrics <"$HD_TMP/old.txt"
[ "$RC" -ne 0 ] && ok "promtool rejects the old hostdoctor_process_count" || not_ok "promtool accepted _count on a gauge"

# --- the series: one name per quantity, what it is of in labels, the units in the HELP ---
HD_NICS="$HD_HOST_NICS" python3 - "$D/hostdoctor.prom" "$D/hostdoctor-preflight-fsigk.prom" <<'EOF' >"$HD_TMP/series.txt"
import re, sys, os
nics = os.environ.get('HD_NICS', '').split()
problems = []
for path in sys.argv[1:]:
    helps = {}
    for line in open(path):
        m = re.match(r'# HELP (\S+) (.*)', line)
        if m:
            helps[m.group(1)] = m.group(2)
            continue
        if line.startswith('#') or not line.strip():
            continue
        name, labels = re.match(r'([a-z_:][a-z0-9_:]*)\{(.*)\} ', line).groups()
        if 'report="' not in labels:
            problems.append('%s: no report label: %s' % (path, line.strip()))
        parts = name.split('_')
        for nic in nics:
            if re.sub('[^a-z0-9]', '_', nic.lower()) in parts and nic not in ('lo',):
                problems.append('%s: interface %s in a metric name: %s' % (path, nic, name))
    for name, text in helps.items():
        bad = None
        if name.endswith('_bytes'):
            bad = re.search(r'MiB|KiB|\bMB\b|\bKB\b|kB|percent', text) or 'Unit: bytes' not in text
        elif name.endswith('_ratio'):
            bad = re.search(r'percent|%', text) or 'ratio' not in text
        elif name.endswith('_seconds'):
            bad = re.search(r'\bms\b|milli', text) or 'Unit: seconds' not in text
        if bad:
            problems.append('%s: HELP of %s does not match its unit: %s' % (path, name, text))
if problems:
    print('\n'.join(problems))
EOF
if [ -s "$HD_TMP/series.txt" ]; then not_ok "series names, labels and HELP units" "$(cat "$HD_TMP/series.txt")"; else ok "report label on every series, no interface in a name, HELP texts name the units"; fi
if grep -q '^hostdoctor_nic_rings_interfaces{.*} [1-9]' "$D/hostdoctor.prom"; then
	grep -q '^hostdoctor_nic_rings_rx{check="nic-rings",device="[^"]*",report="doctor"} ' "$D/hostdoctor.prom" &&
		ok "a NIC's ring size: hostdoctor_nic_rings_rx{device=...}" || not_ok "nic-rings: no device label" "$(grep nic_rings "$D/hostdoctor.prom")"
else
	ok "no NIC with rings on this host: device labels not shown"
fi
grep -q '^hostdoctor_build_info{version="[^"]*",report="doctor"} 1$' "$D/hostdoctor.prom" && ok "hostdoctor_build_info{version=...} 1" || not_ok "no build_info" "$(head "$D/hostdoctor.prom")"
grep -q '^hostdoctor_last_run_timestamp_seconds{report="preflight-fsigk"} [0-9]' "$D/hostdoctor-preflight-fsigk.prom" && ok "hostdoctor_last_run_timestamp_seconds per report" || not_ok "no last_run_timestamp"

# --- the guide's alert rules, as pasted ---
awk '/^## Alerts/{a=1;next} a&&/^```/{if(b){exit}else{b=1;next}} a&&b' "$HD_SRC/docs/integrations/prometheus.md" >"$HD_TMP/rules.yml"
run "$PROMTOOL" check rules "$HD_TMP/rules.yml"
expect_rc "promtool check rules: the guide's alerts" 0
expect_out "the guide's alerts: four rules" "SUCCESS: 4 rules found"

# --- a check that could not run has its series ---
conf 50-unknown.conf <<'EOF'
[cannot-tell]
probe = semaphores
EOF
mkdir -p "$HD_TMP/emptyroot"
run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --root "$HD_TMP/emptyroot" -f prometheus
expect_out "a check that could not tell: status 3" '^hostdoctor_check_status\{check="cannot-tell",probe="semaphores",report="doctor"\} 3$'
expect_out "a check that could not tell: success 0" '^hostdoctor_check_success\{check="cannot-tell",probe="semaphores",report="doctor"\} 0$'

# --- node_exporter's textfile collector: both files, every series once ---
daemon node_exporter "$NODE_EXPORTER" --web.listen-address=127.0.0.1:9100 --collector.disable-defaults \
	--collector.textfile --collector.textfile.directory="$D"
scrape() { python3 -c "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:9100/metrics', timeout=5).read().decode())"; }
if wait_until 10 scrape; then ok "node_exporter answers on 127.0.0.1:9100"; else not_ok "node_exporter did not start" "$(cat "$HD_TMP/node_exporter.log")"; finish; fi
scrape >"$HD_TMP/scrape.txt"
python3 - "$HD_TMP/scrape.txt" "$D/hostdoctor.prom" "$D/hostdoctor-preflight-fsigk.prom" <<'EOF' >"$HD_TMP/scrape-check.txt"
import re, sys, collections
def series(path):
    out = []
    for line in open(path):
        if line.startswith('#') or not line.strip():
            continue
        name, rest = re.match(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? ', line).group(1, 2)
        labels = tuple(sorted(re.findall(r'([a-z_]+)="((?:[^"\\]|\\.)*)"', rest or '')))
        out.append((name, labels))
    return out
scraped = collections.Counter(s for s in series(sys.argv[1]) if s[0].startswith('hostdoctor_'))
wanted = collections.Counter(s for f in sys.argv[2:] for s in series(f))
problems = []
for s, n in scraped.items():
    if n != 1:
        problems.append('scraped %d times: %s' % (n, s))
for s in wanted:
    if s not in scraped:
        problems.append('written, not scraped: %s' % (s,))
for s in scraped:
    if s not in wanted:
        problems.append('scraped, not written: %s' % (s,))
if problems:
    print('\n'.join(problems))
EOF
if [ -s "$HD_TMP/scrape-check.txt" ]; then not_ok "the scrape has every hostdoctor series of both files once" "$(head -20 "$HD_TMP/scrape-check.txt")"; else ok "the scrape has every hostdoctor series of both files once ($(grep -c '^hostdoctor_' "$HD_TMP/scrape.txt") series)"; fi
grep -q '^node_textfile_scrape_error 0$' "$HD_TMP/scrape.txt" && ok "node_textfile_scrape_error 0" || not_ok "node_textfile_scrape_error" "$(grep textfile "$HD_TMP/scrape.txt")"

# --- a file that would repeat another file's series: refused, the other file named ---
cp "$D/hostdoctor.prom" "$D/old-hostdoctor.prom"
before=$(stat -c %Y.%s "$D/hostdoctor.prom")
sleep 1
run "$HOSTDOCTOR" doctor -f prometheus -o "$D/hostdoctor.prom"
expect_rc "a doctor file beside a copy of itself" 3
expect_err "the refusal names the other file and a series" "hostdoctor.prom not written: [0-9]+ series are also in $D/old-hostdoctor.prom \(first: hostdoctor_"
[ "$(stat -c %Y.%s "$D/hostdoctor.prom")" = "$before" ] && ok "the refused file was left as it was" || not_ok "the refused run replaced the file"
run "$HOSTDOCTOR" doctor --exit-zero -f json -o "$D/x.json"
expect_rc "a JSON file in the directory is not compared" 0
rm -f "$D/old-hostdoctor.prom"
# what node_exporter does with such a pair (why hostdoctor refuses): shown, not asserted
cp "$D/hostdoctor.prom" "$D/copy.prom"
scrape >"$HD_TMP/scrape2.txt"
echo "note: node_exporter with two files of the same series: $(grep -c '^hostdoctor_' "$HD_TMP/scrape2.txt") hostdoctor series scraped (of $(grep -c '^hostdoctor_' "$D/hostdoctor.prom") in each file), $(grep '^node_textfile_scrape_error' "$HD_TMP/scrape2.txt")"
finish
