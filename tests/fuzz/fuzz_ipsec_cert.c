/* ipsec-certs: certificate, private key and CRL files decoded with libcrypto (BER, then PEM),
 * as every kind in turn, then the checks over them. */
#include "fuzz.h"
#include "probe_ipsec_certs.h"
#include "result.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int loaded;
	struct ipsec_cred v[4];
	struct hd_result r;
	char err[256];

	if (!loaded)
		loaded = ipsec_crypto_load(err, sizeof(err)) == 0 ? 1 : -1;
	if (loaded < 0)
		abort(); /* libcrypto must be there for this harness to mean anything */
	for (int k = 0; k < 4; k++) {
		uint8_t *buf = fz_copy(data, size);
		v[k] = (struct ipsec_cred){
		    .kind = (enum ipsec_cred_kind)k, .path = "/etc/ipsec/x", .listed = k != 3};
		ipsec_cred_decode(&v[k], buf, size);
		free(buf);
	}
	hd_result_init(&r);
	ipsec_creds_evaluate(v, 4, &r);
	hd_result_free(&r);
	for (int k = 0; k < 4; k++)
		ipsec_cred_free(&v[k]);
	return 0;
}
