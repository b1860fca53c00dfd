/* Parsers of the SysV semaphore limits and table, shared with the tests. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* /proc/sys/kernel/sem: "SEMMSL SEMMNS SEMOPM SEMMNI". */
struct sem_limits {
	uint64_t semmsl; /* semaphores per array */
	uint64_t semmns; /* semaphores system-wide */
	uint64_t semopm; /* operations per semop() call */
	uint64_t semmni; /* arrays system-wide */
};

/* One row of /proc/sysvipc/sem. */
struct sem_set {
	int32_t key;
	int32_t semid;
	unsigned int perms;
	uint64_t nsems;
	uint32_t uid, gid, cuid, cgid;
	int64_t otime, ctime;
};

/* Exactly four unsigned fields. Returns 0 or -EINVAL. */
int sem_limits_parse(const char *buf, size_t len, struct sem_limits *out);

/* The header line and one row per set (key semid perms nsems uid gid cuid cgid otime ctime).
 * Returns 0 with *sets (free()) and *n, or -EINVAL with the reason in WHY. */
int sem_table_parse(const char *buf, size_t len, struct sem_set **sets, size_t *n, char *why,
		    size_t whysize);

/* Field 22 (starttime, clock ticks since boot) of /proc/PID/stat. 0 or -EINVAL. */
int proc_stat_starttime(const char *buf, size_t len, uint64_t *ticks);
