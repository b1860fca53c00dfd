/* ipsec-certs: two credential files (certificate, CA certificate, private key or CRL, as the
 * first byte says; a file not named by the check may turn out to be any kind) decoded with
 * libcrypto (BER, then PEM), then the checks over the pair (a key that matches no certificate,
 * a CRL whose issuer is none of them ...). The rest of the input is split between the two. */
#include "fuzz.h"
#include "probe_ipsec_certs.h"
#include "result.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int loaded;
	struct fz f = {data, size};
	uint8_t sel = fz_u8(&f);
	size_t half = f.n / 2;
	struct ipsec_cred v[2];
	struct hd_result r;
	char err[256];

	if (!loaded)
		loaded = ipsec_crypto_load(err, sizeof(err)) == 0 ? 1 : -1;
	if (loaded < 0)
		abort(); /* libcrypto must be there for this harness to mean anything */
	for (int k = 0; k < 2; k++) {
		const uint8_t *p = k ? f.d + half : f.d;
		size_t n = k ? f.n - half : half;
		uint8_t *buf = fz_copy(p, n);

		v[k] = (struct ipsec_cred){.kind = (enum ipsec_cred_kind)((sel >> (2 * k)) & 3),
					   .path = k ? "/etc/ipsec/b" : "/etc/ipsec/a",
					   .listed = !(sel & (0x10 << k))};
		ipsec_cred_decode(&v[k], buf, n);
		free(buf);
	}
	hd_result_init(&r);
	ipsec_creds_evaluate(v, 2, &r);
	hd_result_free(&r);
	for (int k = 0; k < 2; k++)
		ipsec_cred_free(&v[k]);
	return 0;
}
