/* Evaluation of one statvfs() answer for the tmp-space probe, shared with the tests. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/statvfs.h>

struct tmp_space {
	double free_mb;	      /* f_bavail * f_frsize: what an unprivileged writer can still use */
	double size_mb;	      /* f_blocks * f_frsize */
	double used_pct;      /* (f_blocks - f_bfree) / f_blocks */
	bool has_inode_limit; /* f_files != 0 */
	uint64_t inodes_free; /* f_favail */
	double inodes_used_pct;
	bool readonly; /* ST_RDONLY */
};

void tmp_space_eval(const struct statvfs *st, struct tmp_space *out);
