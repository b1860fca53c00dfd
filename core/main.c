/* hostdoctor: the binary is the CLI over the shipped probe table. */
#include "cli.h"
#include "probes.h"

int main(int argc, char **argv)
{
	return hd_main(argc, argv, hd_probes);
}
