/* hostdoctor: the binary is the CLI over the shipped probe table. */
#include <string.h>

#include "baseline_cmd.h"
#include "cli.h"
#include "probes.h"
#include "watch.h"

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "baseline") == 0)
		return hd_baseline_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "watch") == 0)
		return hd_watch_main(argc - 1, argv + 1, hd_probes);
	if (argc > 1 && strcmp(argv[1], "evidence") == 0)
		return hd_evidence_main(argc - 1, argv + 1);
	return hd_main(argc, argv, hd_probes);
}
