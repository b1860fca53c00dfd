/* node_exporter's textfile directory: series another *.prom file there already has. */
#pragma once

#include <stddef.h>

/* How many series of OURS (a text exposition, OURSLEN bytes, about to be written to TARGET)
 * another *.prom file in TARGET's directory already has; MSG names the first file and series.
 * TARGET itself (the file being replaced) and unreadable files are not counted. */
int hd_textfile_collisions(const char *ours, size_t ourslen, const char *target, char *msg,
			   size_t size);
