/* Test-only probe types for runner isolation: segfault, abort, sleep forever, read a FIFO,
 * fork a grandchild that keeps the pipe, print a fixed result. */
#include "testprobes.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probes.h"
#include "util.h"

static int run_segv(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	(void)c;
	(void)ctx;
	(void)r;
	raise(SIGSEGV);
	return 0;
}

static int run_abort(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	(void)c;
	(void)ctx;
	(void)r;
	abort();
}

static int __attribute__((noreturn))
run_sleep(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	(void)c;
	(void)ctx;
	(void)r;
	for (;;)
		pause();
}

static int run_fifo(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	char buf[16];
	int fd = open(hd_check_str(c, "path"), O_RDONLY); /* blocks: no writer */

	(void)ctx;
	if (fd >= 0 && read(fd, buf, sizeof(buf)) >= 0)
		hd_result_set(r, HD_OK, "read the fifo");
	return 0;
}

static int run_orphan(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	(void)c;
	(void)ctx;
	if (fork() == 0) { /* a grandchild holding the result pipe open */
		sleep(60);
		_exit(0);
	}
	hd_result_set(r, HD_OK, "left a grandchild behind");
	return 0;
}

static int run_fixed(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	enum hd_status st = HD_OK;

	(void)ctx;
	hd_status_parse(hd_check_str(c, "status"), &st);
	hd_result_set(r, st, "fixed result %s", hd_check_str(c, "status"));
	hd_result_metric(r, "value", hd_check_num(c, "value"), HD_UNIT_NONE);
	hd_result_remedy(r, "nothing to do");
	return 0;
}

static int run_errno(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	(void)c;
	(void)ctx;
	(void)r;
	return -EACCES;
}

/* Allocate MB MiB with the engine's allocator and touch every page. */
static int run_alloc(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	size_t n = (size_t)hd_check_int(c, "mb") << 20;
	char *p = hd_xmalloc(n);

	(void)ctx;
	for (size_t i = 0; i < n; i += 4096)
		p[i] = 1;
	hd_result_set(r, HD_OK, "allocated %zu MiB", n >> 20);
	free(p);
	return 0;
}

/* How many file descriptors the probe's process holds (/proc/self/fd, its own listing too). */
static int run_fds(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	(void)c;
	(void)ctx;
	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	hd_result_set(r, HD_OK, "%d descriptors", n);
	hd_result_metric(r, "fds", n, HD_UNIT_NONE);
	return 0;
}

/* A result of 20 MiB. */
static int run_flood(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	char *big = hd_xmalloc(20u << 20);

	(void)c;
	(void)ctx;
	memset(big, 'x', (20u << 20) - 1);
	big[(20u << 20) - 1] = '\0';
	hd_result_set(r, HD_OK, "flood");
	hd_result_detail(r, "%s", big);
	free(big);
	return 0;
}

/* Busy on the CPU until killed. */
static int __attribute__((noreturn))
run_spin(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	volatile unsigned long x = 0;

	(void)c;
	(void)ctx;
	(void)r;
	for (;;)
		x++;
}

static const struct hd_param fifo_params[] = {{.key = "path", .type = HD_P_STR}, {0}};
static const struct hd_param fixed_params[] = {{.key = "status",
						.type = HD_P_ENUM,
						.def = "OK",
						.choices = "OK|WARNING|CRITICAL|UNKNOWN|SKIPPED"},
					       {.key = "value", .type = HD_P_NUM, .def = "0"},
					       {0}};
static const struct hd_metric_doc fixed_metrics[] = {{"value", "test value"}, {0}};

static const struct hd_probe t_segv = {.name = "test-segv", .run = run_segv};
static const struct hd_probe t_abort = {.name = "test-abort", .run = run_abort};
static const struct hd_probe t_sleep = {.name = "test-sleep", .run = run_sleep};
static const struct hd_probe t_fifo = {.name = "test-fifo", .params = fifo_params, .run = run_fifo};
static const struct hd_probe t_orphan = {.name = "test-orphan", .run = run_orphan};
static const struct hd_probe t_fixed = {
    .name = "test-fixed", .params = fixed_params, .metrics = fixed_metrics, .run = run_fixed};
static const struct hd_probe t_errno = {.name = "test-errno", .run = run_errno};
static const struct hd_param alloc_params[] = {{.key = "mb", .type = HD_P_INT, .def = "1"}, {0}};
static const struct hd_metric_doc fds_metrics[] = {{"fds", "open descriptors"}, {0}};
static const struct hd_probe t_alloc = {
    .name = "test-alloc", .params = alloc_params, .run = run_alloc};
static const struct hd_probe t_fds = {.name = "test-fds", .metrics = fds_metrics, .run = run_fds};
static const struct hd_probe t_spin = {.name = "test-spin", .run = run_spin};
static const struct hd_probe t_flood = {.name = "test-flood", .run = run_flood};

const struct hd_probe *const *hd_test_probe_table(void)
{
	static const struct hd_probe **table;
	static const struct hd_probe *const extra[] = {&t_segv,	  &t_abort, &t_sleep, &t_fifo,
						       &t_orphan, &t_fixed, &t_errno, &t_alloc,
						       &t_fds,	  &t_spin,  &t_flood};
	size_t n = 0, k = 0;

	if (table)
		return table;
	while (hd_probes[n])
		n++;
	table = hd_xcalloc(n + sizeof(extra) / sizeof(extra[0]) + 1, sizeof(*table));
	for (size_t i = 0; i < n; i++)
		table[k++] = hd_probes[i];
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
		table[k++] = extra[i];
	return (const struct hd_probe *const *)table;
}
