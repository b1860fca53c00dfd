/* Parsers of the ipsec-certs probe: certificates, private keys and CRLs decoded with libcrypto
 * (opened with dlopen, core/lazylib.h), and the checks vendor document 002 implies on them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "ipsec_stack.h"

struct hd_result;

/* Open libcrypto (the soname set at build time). 0, or -ENOENT with the loader's message. */
int ipsec_crypto_load(char *err, size_t errlen);
const char *ipsec_crypto_soname(void);

/* One credential file. */
struct ipsec_cred {
	enum ipsec_cred_kind kind;
	const char *path;  /* for messages; owned by the caller */
	bool listed;	   /* named by the check (else found in a policy file: kind is a guess) */
	bool unread;	   /* could not be read: the caller reported it, the checks skip it */
	bool pem;	   /* decoded from PEM text, not binary BER/DER */
	bool looks_pem;	   /* the bytes start with "-----BEGIN" */
	void *obj;	   /* X509 *, X509_CRL * or EVP_PKEY * after decoding; NULL: failed */
	char why[200];	   /* libcrypto's reason when decoding failed */
	unsigned problems; /* counted by ipsec_creds_evaluate() */
};

/* Decode BUF as C->kind: binary BER/DER first, then PEM text. When C is not LISTED and its kind
 * does not decode, the other kinds are tried (the kind found is kept). 0 or -EINVAL. */
int ipsec_cred_decode(struct ipsec_cred *c, const unsigned char *buf, size_t len);
void ipsec_cred_free(struct ipsec_cred *c);

/* The checks over N decoded credentials: decoding failures, PEM instead of BER, CA
 * certificates without Basic Constraints or subject, subjectAltName IP addresses of a bad
 * length, CRLs without an issuer or whose issuer is no configured certificate (or whose
 * signature it does not verify), private keys that match no configured certificate. Adds
 * details and remedies to R, raises its status; returns the number of problems. */
size_t ipsec_creds_evaluate(struct ipsec_cred *v, size_t n, struct hd_result *r);
