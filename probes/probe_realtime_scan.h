/* Parsers of fanotify/inotify fdinfo and of /proc/PID/cgroup for the realtime-scan probe. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum rt_kind {
	RT_FAN_INODE, /* fanotify inode mark: "fanotify ino:.. sdev:.. mask:.." */
	RT_FAN_MOUNT, /* fanotify mount mark: "fanotify mnt_id:.. mask:.." */
	RT_FAN_FS,    /* fanotify filesystem mark: "fanotify sdev:.. mask:.." */
	RT_INOTIFY,   /* inotify watch: "inotify wd:.. ino:.. sdev:.. mask:.." */
};

struct rt_mark {
	enum rt_kind kind;
	uint64_t ino;
	uint32_t sdev; /* kernel dev_t encoding: major << 20 | minor */
	int mnt_id;    /* global mount id (the watcher's /proc/PID/mountinfo names it) */
	uint64_t mask, ignored_mask;
};

/* Every mark line of one fdinfo file. *fan_flags gets the "fanotify flags:" value (class bits),
 * 0 for inotify. Returns 0 with *marks (free()) and *n, or -EINVAL for a mark line that lacks
 * its fields or holds a bad number. */
int rt_fdinfo_parse(const char *buf, size_t len, struct rt_mark **marks, size_t *n,
		    unsigned int *fan_flags);

/* The userspace dev_t of a kernel-encoded sdev. */
dev_t rt_sdev_dev(uint32_t sdev);

/* Whether M covers a directory with device DEV, inode INO on mount MNT_ID (-1: unknown). */
bool rt_covers(const struct rt_mark *m, dev_t dev, ino_t ino, int mnt_id);

/* Events of marks in MARKS (one fanotify group) that an ignore mark on the directory DEV/INO
 * suppresses for the directory and its children: the ignored_mask of an inode mark on it that
 * carries FAN_EVENT_ON_CHILD (how scanners exclude a directory). */
uint64_t rt_ignored(const struct rt_mark *marks, size_t n, dev_t dev, ino_t ino);

/* Event bits of a mask without the FAN_ONDIR and FAN_EVENT_ON_CHILD flags. */
uint64_t rt_events(uint64_t mask);

/* Permission (blocking) events in a fanotify mask: FAN_OPEN_PERM, FAN_ACCESS_PERM,
 * FAN_OPEN_EXEC_PERM (0x70000) and FAN_PRE_ACCESS (0x100000, kernel >= 6.14). */
bool rt_blocking(const struct rt_mark *m);

/* The systemd unit (".service"/".scope") of a process from /proc/PID/cgroup; 0 or -ENOENT. */
int rt_cgroup_unit(const char *buf, size_t len, char *out, size_t size);
