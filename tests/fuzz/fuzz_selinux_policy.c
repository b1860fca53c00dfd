/* A binary kernel policy (policy.NN) handed to libsepol and queried as selinux-allow does.
 *
 * libsepol 3.4 sizes its tables by the counts a policy declares (nprim), not by what it holds,
 * and then checks it by building, bit by bit, a bitmap of the values left unused
 * (create_gap_ebitmap in policydb_validate.c): quadratic, so a few hundred bytes that declare a
 * million types keep it busy for minutes. In a check, the child's memory limit and deadline end
 * that (UNKNOWN; tests/integration/faults.sh). Here, while libsepol runs, an allocation above
 * 1 MiB fails as it would at a limit: libFuzzer then explores the rest of libsepol instead of
 * finding that one path again. ASan's allocation functions are weak aliases of
 * __interceptor_*, so these wrappers take their place and hand every allocation on to them. */
#include <errno.h>

#include "fuzz.h"
#include "probe_selinux_allow.h"

/* HD_FUZZ_SEPOL_CAP=0 in the environment lifts the cap (to find such inputs again) */
static size_t cap = 1u << 20;

void *__interceptor_malloc(size_t n);
void *__interceptor_calloc(size_t n, size_t size);
void *__interceptor_realloc(void *p, size_t n);
void *malloc(size_t n);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t n);

static int in_sepol;

static int too_big(size_t n, size_t size)
{
	return in_sepol && cap && size && n > cap / size;
}

void *malloc(size_t n)
{
	if (too_big(n, 1)) {
		errno = ENOMEM;
		return NULL;
	}
	return __interceptor_malloc(n);
}

void *calloc(size_t n, size_t size)
{
	if (too_big(n, size)) {
		errno = ENOMEM;
		return NULL;
	}
	return __interceptor_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
	if (too_big(n, 1)) {
		errno = ENOMEM;
		return NULL;
	}
	return __interceptor_realloc(p, n);
}

static int bools(const char *name, void *arg)
{
	(void)arg;
	return name[0] == 'b' ? 1 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *perms[] = {"map_create", "map_read", "map_write",
				"prog_load",  "prog_run", NULL};
	const struct selinux_query q = {.source = "unconfined_service_t",
					.target = "unconfined_service_t",
					.cls = "bpf",
					.perms = perms,
					.bool_value = bools};
	uint8_t *buf = fz_copy(data, size);
	struct selinux_answer a;
	const char *env = getenv("HD_FUZZ_SEPOL_CAP");

	if (env)
		cap = strtoul(env, NULL, 10);
	in_sepol = 1;
	selinux_policy_query((const char *)buf, size, &q, &a);
	in_sepol = 0;
	selinux_answer_free(&a);
	free(buf);
	return 0;
}
