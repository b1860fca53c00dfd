/* /proc/modules as kernel-module, ipsec-engine and tproxy read it. */
#include "fuzz.h"
#include "ipsec_stack.h"
#include "probe_kernel_module.h"
#include "probe_tproxy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = fz_copy(data, size);
	const char *b = (const char *)buf;
	char state[32];

	proc_modules_find(b, size, "ampfsm", state, sizeof(state));
	proc_modules_find(b, size, "a-b_c", state, 4);
	ipsec_module_listed(b, size, "ipsec_engine", state, sizeof(state));
	tproxy_module_loaded(b, size, "nf_tproxy_ipv4");
	free(buf);
	return 0;
}
