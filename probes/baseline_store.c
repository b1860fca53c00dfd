/* Baselines in the state directory: baseline.NAME.json, 0600, replaced atomically. */
#include "baseline.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "statedir.h"
#include "util.h"

bool bl_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 64 || name[0] == '.')
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
	       n;
}

void bl_file_path(const char *dir, const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "%s/baseline.%s.json", dir, name);
}

int bl_load(const char *dir, const char *name, struct baseline *b, char *err, size_t errlen)
{
	_cleanup_close_ int dfd = -1;
	_cleanup_free_ char *text = NULL;
	char fname[128], path[4200], why[512];
	const char *dwhy = "";
	struct stat st;
	size_t len = 0;
	int rc;

	memset(b, 0, sizeof(*b));
	bl_file_path(dir, name, path, sizeof(path));
	snprintf(fname, sizeof(fname), "baseline.%s.json", name);
	/* reading creates nothing: no directory means no baseline */
	if (lstat(dir, &st) < 0 && errno == ENOENT) {
		snprintf(err, errlen, "%s: no such file (the directory %s does not exist)", path,
			 dir);
		return -ENOENT;
	}
	dfd = hd_statedir_open(dir, &dwhy);
	if (dfd < 0) {
		snprintf(err, errlen, "state directory %s %s: %s", dir, dwhy, strerror(-dfd));
		return dfd;
	}
	rc = hd_state_read(dfd, fname, &text, &len, 64u << 20);
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", path,
			 rc == -ELOOP	? "a symbolic link (refused)"
			 : rc == -EPERM ? "not a regular file of this user (refused)"
					: strerror(-rc));
		return rc;
	}
	rc = bl_from_json(text, len, b, why, sizeof(why));
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", path, why);
		return rc;
	}
	return 0;
}

int bl_save(const char *dir, const struct baseline *b, char *err, size_t errlen)
{
	_cleanup_close_ int dfd = -1;
	_cleanup_free_ char *text = bl_to_json(b);
	char fname[128], path[4200];
	const char *why = "";
	int rc;

	bl_file_path(dir, b->name, path, sizeof(path));
	snprintf(fname, sizeof(fname), "baseline.%s.json", b->name);
	dfd = hd_statedir_open(dir, &why);
	if (dfd < 0) {
		snprintf(err, errlen, "state directory %s %s: %s", dir, why, strerror(-dfd));
		return dfd;
	}
	rc = hd_state_write(dfd, fname, text, strlen(text));
	if (rc < 0)
		snprintf(err, errlen, "%s: cannot write: %s", path, strerror(-rc));
	return rc;
}
