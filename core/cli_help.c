/* The texts of --help and --version: hostdoctor's own, and the nagios mode's in the layout of the
 * Monitoring Plugins (revision line, description, usage, options, examples; exit 3). */
#include "cli_help.h"

#ifndef HD_VERSION
#define HD_VERSION "0.0.0"
#endif
#ifndef HD_SYSCONF_CHECKS_DIR
#define HD_SYSCONF_CHECKS_DIR "/etc/hostdoctor/checks.d"
#endif

void hd_usage(FILE *out)
{
	fputs(
	    "Usage:\n"
	    "  hostdoctor [doctor] [OPTIONS]                 run every enabled check; report for "
	    "a person\n"
	    "  hostdoctor nagios [OPTIONS] CHECK [CHECK...]  Nagios/Icinga plugin "
	    "('hostdoctor nagios --help');\n"
	    "                                                or --only ID|TAG instead of CHECK "
	    "ids\n"
	    "  hostdoctor nagios --probe PROBE [--set KEY=VALUE...]  one probe, no checks.d\n"
	    "  hostdoctor preflight --profile NAME [OPTIONS] readiness: exit 0 ready, 1 blocked\n"
	    "  hostdoctor list [OPTIONS]                     id, probe, tags, description of every "
	    "check\n"
	    "  hostdoctor explain [OPTIONS] [\"LOG LINE\"...]   what catalogued messages mean "
	    "(lines from\n"
	    "                                                stdin when none given); runs the "
	    "checks of\n"
	    "                                                their causes; exit 1 when nothing "
	    "matched\n"
	    "\n"
	    "Options:\n"
	    "  -d, --checks-dir DIR     read DIR/*.conf (repeatable; default " HD_SYSCONF_CHECKS_DIR
	    ")\n"
	    "  -r, --root DIR           read /proc, /sys, /etc, /var, /opt ... under DIR\n"
	    "      --only ID|TAG        run only these checks (repeatable)\n"
	    "      --skip ID|TAG        leave these checks out (repeatable)\n"
	    "  -p, --profile NAME       preflight: the product profile (a tag)\n"
	    "  -f, --format FMT         doctor, nagios, json, prometheus or npd "
	    "(node-problem-detector)\n"
	    "  -o, --output FILE        write the report to FILE atomically (temp file + rename)\n"
	    "  -s, --set KEY=VALUE      nagios: set a key of the one CHECK (or of --probe) as a "
	    "checks.d\n"
	    "                           line would (repeatable)\n"
	    "      --probe PROBE        nagios: run PROBE with the --set keys, without checks.d\n"
	    "  -w, --warning RANGE      override the warning range of the primary metric (nagios, "
	    "one CHECK)\n"
	    "  -c, --critical RANGE     override the critical range of the primary metric (nagios, "
	    "one CHECK)\n"
	    "  -t, --timeout SECONDS[:STATE]  deadline of the whole run; unfinished checks get "
	    "STATE (UNKNOWN)\n"
	    "  -j, --jobs N             checks run at once (default 4)\n"
	    "  -v, --verbose            more detail (repeatable: -v, -vv, -vvv)\n"
	    "  -h, --help               this text\n"
	    "  -V, --version            the version\n"
	    "\n"
	    "Exit: doctor and nagios give the worst state (0 OK, 1 WARNING, 2 CRITICAL, 3 "
	    "UNKNOWN);\n"
	    "preflight gives 0 when ready and 1 when blocked (with -f nagios: the state its line "
	    "shows);\n"
	    "-f npd gives 0 OK, 1 a problem, 3 UNKNOWN; bad usage or configuration gives 3 (with "
	    "-f json\n"
	    "an error document on stdout). --help and --version exit 0, in nagios mode 3 (as the\n"
	    "Monitoring Plugins do).\n",
	    out);
}

void hd_nagios_version(FILE *out)
{
	fputs("hostdoctor nagios v" HD_VERSION " (hostdoctor " HD_VERSION ")\n", out);
}

void hd_nagios_help(FILE *out)
{
	hd_nagios_version(out);
	fputs(
	    "\n"
	    "This plugin runs hostdoctor checks: the checks named (sections "
	    "of " HD_SYSCONF_CHECKS_DIR "),\n"
	    "or one probe with its keys given on the command line. It prints one status line with\n"
	    "performance data, then the details and the remedy of each problem.\n"
	    "\n"
	    "\n"
	    "Usage:\n"
	    " hostdoctor nagios [-d DIR] [-w RANGE] [-c RANGE] [-t SECONDS[:STATE]] [-v]\n"
	    "                   [--set KEY=VALUE]... CHECK [CHECK...]\n"
	    " hostdoctor nagios [-d DIR] [-t SECONDS[:STATE]] [-v] --only ID|TAG... [--skip "
	    "ID|TAG]\n"
	    " hostdoctor nagios --probe PROBE [--set KEY=VALUE]... [-w RANGE] [-c RANGE]\n"
	    "                   [-t SECONDS[:STATE]] [-v]\n"
	    "\n"
	    "Options:\n"
	    " -h, --help\n"
	    "    Print detailed help screen (exit 3)\n"
	    " -V, --version\n"
	    "    Print version information (exit 3)\n"
	    " -d, --checks-dir=DIR\n"
	    "    Read the checks from DIR/*.conf (repeatable; default " HD_SYSCONF_CHECKS_DIR ")\n"
	    " --only=ID|TAG, --skip=ID|TAG\n"
	    "    Instead of CHECK ids: the checks with this id or tag (repeatable)\n"
	    " -s, --set=KEY=VALUE\n"
	    "    Set a key of the one CHECK (or of --probe) as a checks.d line would: port=9080,\n"
	    "    expect=listening, dir=/var/tmp, warning=80 ... (repeatable). An unknown key or a\n"
	    "    bad value is UNKNOWN naming the key ('hostdoctor list -f json' gives every key)\n"
	    " --probe=PROBE\n"
	    "    Run the probe type PROBE (port, tmp-space, process ...) with the --set keys and\n"
	    "    no checks.d, as check_tcp -p 80 does\n"
	    " -w, --warning=RANGE\n"
	    "    Warning range of the check's primary metric\n"
	    " -c, --critical=RANGE\n"
	    "    Critical range of the check's primary metric\n"
	    " -t, --timeout=SECONDS[:STATE]\n"
	    "    Deadline of the whole run (default 30); a check it cuts off gets STATE\n"
	    "    (default UNKNOWN). Keep it below the caller's timeout (check_nrpe -t, Icinga's\n"
	    "    check_timeout)\n"
	    " -r, --root=DIR\n"
	    "    Read /proc, /sys, /etc, /var, /opt below DIR\n"
	    " -f, --format=FMT\n"
	    "    nagios (default), json, prometheus or npd\n"
	    " -v, --verbose\n"
	    "    -v: details of every check, not only of problems; -vv: also each check's\n"
	    "    configuration (every key with the file and line it came from); -vvv: also how\n"
	    "    the run went (version, root, privilege, durations)\n"
	    "\n"
	    "Ranges (Monitoring Plugins development guidelines): 10 alerts outside 0..10, 10: "
	    "below\n"
	    "10, ~:10 above 10, 10:20 outside 10..20, @10:20 inside 10..20; ends inclusive. The\n"
	    "performance data carries them in the same syntax.\n"
	    "\n"
	    "Examples:\n"
	    " hostdoctor nagios file-handles\n"
	    "    The shipped check file-handles\n"
	    " hostdoctor nagios --set port=8080 fsigk-http-port\n"
	    "    The shipped check, on another port\n"
	    " hostdoctor nagios --probe tmp-space --set dir=/var/tmp --set min_free_mb=100\n"
	    "    Free space in /var/tmp, CRITICAL below 100 MB, with no checks.d\n"
	    "\n"
	    "Exit: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (also for bad usage or configuration,\n"
	    "and for --help and --version, as the Monitoring Plugins do).\n",
	    out);
}
