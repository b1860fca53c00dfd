/* --help and --version texts. */
#pragma once

#include <stdio.h>

void hd_usage(FILE *out);
void hd_nagios_help(FILE *out);
void hd_nagios_version(FILE *out);
