#!/usr/bin/env bash
# Shell completion: dist/bash-completion/hostdoctor loaded after bash-completion in a bash whose
# PATH finds the binary under test; compgen-style calls of the completion function for modes,
# options, formats, profiles, and check ids/tags from `hostdoctor list` of the checks dir on
# the command line. zsh: the file parses and its list helper gives the same ids.
. "$HD_SRC/tests/integration/lib.sh"
BC=$HD_SRC/dist/bash-completion/hostdoctor
mkdir -p "$HD_TMP/bin"
ln -s "$HOSTDOCTOR" "$HD_TMP/bin/hostdoctor"

# complete WORDS...: the completions bash offers for the line "WORDS" (the last word is the
# one being completed), one per line, sorted
complete_line() {
	env -i HOME="$HD_TMP" PATH="$HD_TMP/bin:/usr/bin:/bin" bash --norc --noprofile -c '
		. /usr/share/bash-completion/bash_completion
		. "$0"
		COMP_WORDS=("${@}")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="${COMP_WORDS[*]}"
		COMP_POINT=${#COMP_LINE}
		complete -p hostdoctor >/dev/null || { echo "no completion registered"; exit 1; }
		_hostdoctor hostdoctor "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}"' "$BC" "$@" | sort
}
expect_completion() { # NAME WANT-LINES WORDS...
	local name=$1 want=$2 got
	shift 2
	got=$(complete_line "$@")
	if [ "$got" = "$want" ]; then ok "$name"; else not_ok "$name" "got:
$got
wanted:
$want"; fi
}

# hostdoctor nagios fsigk-<TAB>: exactly the gateway's check ids of the default checks.d
want=$("$HOSTDOCTOR" list | awk '$1 ~ /^fsigk-/ {print $1}' | sort)
[ "$(wc -l <<<"$want")" -ge 10 ] && ok "the shipped checks have $(wc -l <<<"$want") fsigk- ids" ||
	not_ok "fsigk ids from list" "$want"
expect_completion "nagios fsigk-<TAB> gives the gateway's check ids" "$want" hostdoctor nagios fsigk-
expect_completion "nagios fsigk-http<TAB>" "$(grep '^fsigk-http' <<<"$want")" hostdoctor nagios fsigk-http
# from the checks dir named on the command line
conf site.conf <<'CONF'
[site-one]
probe = file-handles
tags  = sitetag, other
[site-two]
probe = memory
tags  = sitetag
CONF
expect_completion "-d DIR: the ids of that dir" "site-one
site-two" hostdoctor nagios -d "$HD_TMP/checks.d" site-
expect_completion "--checks-dir=DIR form" "site-one
site-two" hostdoctor --checks-dir="$HD_TMP/checks.d" nagios s
expect_completion "modes" "doctor
evidence
explain
list
nagios
preflight
watch" hostdoctor ""
expect_completion "evidence: its commands" "list
show" hostdoctor evidence ""
got=$(complete_line hostdoctor watch --hold)
[ "$got" = "--hold-off" ] && ok "watch: --hold-off" || not_ok "watch --hold" "$got"
got=$(complete_line hostdoctor evidence show la)
[ "$got" = "last" ] && ok "evidence show: last" || not_ok "evidence show la" "$got"
expect_completion "formats" "doctor
json
nagios
prometheus" hostdoctor doctor -f ""
expect_completion "profiles are tags" "other
sitetag" hostdoctor preflight -d "$HD_TMP/checks.d" --profile ""
expect_completion "--only takes ids and tags" "other
site-one
site-two
sitetag" hostdoctor doctor -d "$HD_TMP/checks.d" --only ""
expect_completion "profiles of the shipped checks include fsigk" "fsigk" hostdoctor preflight -p fsig
got=$(complete_line hostdoctor doctor --ex)
[ "$got" = "--exit-zero" ] && ok "options: --ex gives --exit-zero" || not_ok "options" "$got"
got=$(complete_line hostdoctor list --pro)
[ "$got" = "--probes" ] && ok "list: --probes" || not_ok "list --pro" "$got"
got=$(complete_line hostdoctor nagios -d "$HD_TMP/checks.d" --warn)
[ "$got" = "--warning" ] && ok "nagios: --warning" || not_ok "nagios --warn" "$got"
# a bad checks dir completes nothing rather than printing errors into the line
expect_completion "unreadable dir: no ids, no noise" "" hostdoctor nagios -d "$HD_TMP/none" x

# zsh: syntax, and its list helper on a command line with -d
if command -v zsh >/dev/null; then
	run zsh -n "$HD_SRC/dist/zsh/_hostdoctor"
	expect_rc "zsh -n _hostdoctor" 0
	run env -i PATH="$HD_TMP/bin:/usr/bin:/bin" zsh -f -c '
		source <(sed "/^_hostdoctor \"\$@\"$/d; /^#compdef/d" "$1")
		_hostdoctor_words=(hostdoctor nagios -d "$2" site)
		_hostdoctor_list ids; echo --; _hostdoctor_list tags' zsh "$HD_SRC/dist/zsh/_hostdoctor" "$HD_TMP/checks.d"
	expect_rc "zsh list helper runs" 0
	[ "$OUT" = $'site-one\nsite-two\n--\nsitetag\nother' ] && ok "zsh: ids and tags of -d DIR" || not_ok "zsh helper" "$OUT"
else
	not_ok "zsh is not installed (make deps)"
fi
finish
