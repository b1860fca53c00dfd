/* `hostdoctor evidence list|show ID`: the evidence watch kept, for a person (or as JSON). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "evidence.h"
#include "result_json.h"
#include "util.h"
#include "watch.h"

static void usage(FILE *out)
{
	fputs("Usage: hostdoctor evidence list [OPTIONS]     the evidence reports watch kept, "
	      "oldest first\n"
	      "       hostdoctor evidence show ID|last [OPTIONS]  one report: the log lines, "
	      "the entry,\n"
	      "                                               the results of its checks\n"
	      "  -r, --root DIR        the state directory under DIR\n"
	      "      --state-dir DIR   where watch keeps it (default /var/lib/hostdoctor)\n"
	      "  -f, --format FMT      doctor (default) or json\n"
	      "  -h, --help            this text\n",
	      out);
}

static void list_json(FILE *out, int dfd)
{
	struct hd_evidence_file *v;
	size_t n = hd_evidence_files(dfd, &v);
	struct json_object *doc = hd_json_doc("evidence_list"), *a = json_object_new_array();

	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object(), *ev = NULL, *s;
		char err[256], id[320];
		json_object_object_add(o, "id", json_object_new_string(v[i].id));
		json_object_object_add(o, "entry", json_object_new_string(v[i].entry));
		json_object_object_add(o, "size", json_object_new_int64((int64_t)v[i].size));
		if (hd_evidence_load(dfd, v[i].id, &ev, id, sizeof(id), err, sizeof(err)) == 0) {
			if (json_object_object_get_ex(ev, "status", &s))
				json_object_object_add(o, "status", json_object_get(s));
			if (json_object_object_get_ex(ev, "checked", &s))
				json_object_object_add(o, "checked", json_object_get(s));
			json_object_put(ev);
		}
		json_object_array_add(a, o);
	}
	json_object_object_add(doc, "evidence", a);
	hd_json_print(out, doc);
	json_object_put(doc);
	hd_evidence_files_free(v, n);
}

int hd_evidence_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"root", required_argument, NULL, 'r'},
	    {"state-dir", required_argument, NULL, 1},
	    {"format", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	const char *state_opt = NULL, *what;
	char state[4096], why[512];
	bool json = false;
	_cleanup_free_ char *root = NULL;
	_cleanup_close_ int dfd = -1;
	int ch;

	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, ":r:f:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			free(root);
			root = hd_xstrdup(optarg);
			break;
		case 1: state_opt = optarg; break;
		case 'f':
			if (strcmp(optarg, "json") == 0)
				json = true;
			else if (strcmp(optarg, "doctor") != 0)
				return hd_usage_error(
				    "evidence: unknown format '%s' (doctor, json)", optarg);
			break;
		case 'h': usage(stdout); return 0;
		case ':':
			return hd_usage_error("option '%s' needs a value; see --help",
					      argv[optind - 1]);
		default: return hd_usage_error("unknown option '%s'; see --help", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return hd_usage_error("evidence needs list or show ID; see --help");
	what = argv[optind];
	if (strcmp(what, "list") == 0) {
		if (optind + 1 < argc)
			return hd_usage_error("unexpected argument '%s'", argv[optind + 1]);
	} else if (strcmp(what, "show") == 0) {
		if (optind + 2 != argc)
			return hd_usage_error(
			    "evidence show needs one ID (or last); 'hostdoctor evidence list' "
			    "shows them");
	} else {
		return hd_usage_error("unknown evidence command '%s' (list, show ID)", what);
	}
	if (root) {
		size_t l = strlen(root);
		while (l > 1 && root[l - 1] == '/')
			root[--l] = '\0';
		if (strcmp(root, "/") == 0)
			root[0] = '\0';
	}
	hd_evidence_state_dir(root ? root : "", state_opt, state, sizeof(state));
	dfd = hd_evidence_open(state, false, why, sizeof(why));
	if (dfd == -ENOENT && strcmp(what, "list") == 0) {
		if (json)
			list_json(stdout, -1);
		else
			printf("No evidence recorded (%s %s).\n", state, why);
		return 0;
	}
	if (dfd < 0)
		return hd_usage_error("state directory %s %s", state, why);
	if (strcmp(what, "list") == 0) {
		if (json)
			list_json(stdout, dfd);
		else
			hd_evidence_print_list(stdout, dfd);
		return 0;
	}
	{
		struct json_object *ev = NULL;
		char id[320], err[512];
		int r =
		    hd_evidence_load(dfd, argv[optind + 1], &ev, id, sizeof(id), err, sizeof(err));
		if (r < 0)
			return hd_usage_error("%s", err);
		if (json)
			hd_json_print(stdout, ev);
		else
			hd_evidence_print(stdout, ev);
		json_object_put(ev);
	}
	return 0;
}
