/* ipsec-policy: the statements of an SPD policy file and the credential files it names. */
#include "fuzz.h"
#include "ipsec_stack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = fz_copy(data, size);
	struct ipsec_refs refs = {0};

	ipsec_policy_statements((const char *)buf, size);
	ipsec_policy_refs((const char *)buf, size, "/etc/ipsec", &refs);
	ipsec_policy_refs((const char *)buf, size, "/", &refs);
	for (size_t i = 0; i < refs.n; i++)
		ipsec_kind_name(refs.v[i].kind);
	ipsec_refs_free(&refs);
	free(buf);
	return 0;
}
