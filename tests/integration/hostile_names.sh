# Text other users control, as root reads it: a process whose name holds a terminal escape, a
# shell command and bytes that are not UTF-8 holds a port; a file named like a command substitution
# is a core file. No escape byte reaches the terminal, the JSON report is valid UTF-8, and the
# remedies' commands, pasted into a shell, act on those names and run nothing else.
. "$(dirname "$0")/lib.sh"
in_private_netns "$@"

# the name a process gives itself: /proc/PID/comm takes any bytes but NUL and '/' (15 of them)
python3 - "$HD_TMP/ready" <<'PY' &
import socket, sys, time
with open("/proc/self/comm", "wb") as f:
    f.write(b"x\x1b[2J\xff;id>p")
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 9080))
s.listen()
open(sys.argv[1], "w").close()
time.sleep(120)
PY
on_exit "kill $!"
for i in $(seq 100); do [ -e "$HD_TMP/ready" ] && break; sleep 0.05; done
comm=$(cat /proc/$!/comm)

mkdir -p "$HD_TMP/product"
touch "$HD_TMP/product/core.\$(touch PWNED)" "$HD_TMP/product/core.1;touch PWNED2"
conf hostile.conf <<CONF
[http-port]
probe  = port
port   = 9080
expect = free

[cores]
probe = core-files
dir   = $HD_TMP/product
CONF

for fmt in doctor nagios; do
	run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" -f $fmt
	expect_rc "$fmt: the port is held, there are cores" 2
	if printf '%s' "$OUT" | LC_ALL=C grep -q $'\033'; then not_ok "$fmt: an escape byte reached the output" "$OUT"; else ok "$fmt: no escape byte in the output"; fi
	if printf '%s' "$OUT" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1; then ok "$fmt: the output is UTF-8"; else not_ok "$fmt: the output is not UTF-8"; fi
done
expect_out "the name is shown escaped" 'x\\x1b\[2J\\xff;id>p \(pid'

run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" -f json
if python3 -c 'import json,sys; json.loads(sys.stdin.buffer.read().decode("utf-8", "strict"))' <<<"$OUT"; then
	ok "the JSON report is valid UTF-8 and JSON"
else
	not_ok "the JSON report is not valid UTF-8 JSON" "$OUT"
fi
remedy=$(j http-port "['remedy']")
word=$(grep -o "disable --now [^ ]*" <<<"$remedy" | cut -d' ' -f3)
if [ "$(bash -c "printf %s $word")" = "$comm" ]; then
	ok "the remedy's systemctl argument is the process name, quoted ($word)"
else
	not_ok "the remedy's argument '$word' is not the process name" "$remedy"
fi

# the core files' remedy, run as pasted: removes exactly those files and runs nothing else
rmcmd=$(j cores "['remedy']" | grep -o 'cd .* && rm -f .*')
(cd "$HD_TMP" && bash -c "$rmcmd")
if [ -e "$HD_TMP/PWNED" ] || [ -e "$HD_TMP/product/PWNED" ] || [ -e "$HD_TMP/product/PWNED2" ]; then
	not_ok "the remedy ran a command hidden in a file name" "$rmcmd"
else
	ok "the remedy ran no command hidden in a file name"
fi
if [ -z "$(ls -A "$HD_TMP/product")" ]; then ok "the remedy removed exactly the core files"; else not_ok "left: $(ls "$HD_TMP/product")" "$rmcmd"; fi
finish
