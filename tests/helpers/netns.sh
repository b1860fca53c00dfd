# Sourced by the reachability tests: run the calling script in its own network and mount
# namespaces (loopback up, fixed ports free, /etc/resolv.conf replaceable), and start servers.

# netns_enter "$@": re-run the calling script inside fresh namespaces, once. Call before lib.sh.
netns_enter() {
	[ -n "${HD_NETNS:-}" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: needs root (network and mount namespaces)"
		exit 0
	fi
	HD_NETNS=1 exec unshare --net --mount --propagation private bash "$0" "$@"
}

# serve NAME MODE ADDR PORT [ARG]: start tests/helpers/hdt_netd.py (servers start in parallel;
# servers_ready waits until all of them are bound).
HD_SERVERS=()
serve() {
	python3 "$HD_SRC/tests/helpers/hdt_netd.py" "$2" "$3" "$4" "$HD_TMP/ready.$1" "${5:-}" &
	on_exit "kill $!"
	HD_SERVERS+=("$1")
}
servers_ready() {
	local s i
	for s in "${HD_SERVERS[@]}"; do
		for i in $(seq 200); do
			[ -e "$HD_TMP/ready.$s" ] && break
			sleep 0.05
		done
		[ -e "$HD_TMP/ready.$s" ] || { not_ok "server $s did not start"; finish; }
	done
}

# use_nameserver ADDR: this namespace's /etc/resolv.conf names only ADDR.
use_nameserver() {
	if [ ! -e "$HD_TMP/resolv.conf" ]; then
		echo "nameserver $1" >"$HD_TMP/resolv.conf"
		mount --bind "$HD_TMP/resolv.conf" /etc/resolv.conf
		on_exit "umount /etc/resolv.conf"
	else
		echo "nameserver $1" >"$HD_TMP/resolv.conf"
	fi
}

# elapsed_below NAME SECONDS: the last run's total duration (JSON) was under SECONDS.
elapsed_below() {
	local d
	d=$(json_get 'j["duration"]')
	if python3 -c "import sys; sys.exit(0 if $d < $2 else 1)"; then ok "$1 (took ${d%.*}.x s < $2 s)"; else not_ok "$1: took $d s, wanted < $2 s"; fi
}
