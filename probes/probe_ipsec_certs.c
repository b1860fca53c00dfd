/* ipsec-certs: the certificate, private key and CRL files of the IPsec stack of vendor document
 * 002 (listed in the check and named in its policy files) are readable and decode as binary
 * BER/DER; CA certificates carry Basic Constraints; each CRL's issuer is a configured
 * certificate. Decoding is libcrypto's, opened with dlopen when such a check runs. */
#include "probe_ipsec_certs.h"

#include <errno.h>
#include <libgen.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "lazylib.h"
#include "paths.h"
#include "probe.h"
#include "util.h"

#ifndef HD_LIBCRYPTO_SONAME
#define HD_LIBCRYPTO_SONAME "libcrypto.so.3"
#endif

/* libcrypto's functions, opened by ipsec_crypto_load() before anything below is called */
static struct {
	__typeof__(d2i_X509) *d2i_X509;
	__typeof__(X509_free) *X509_free;
	__typeof__(d2i_X509_CRL) *d2i_X509_CRL;
	__typeof__(X509_CRL_free) *X509_CRL_free;
	__typeof__(d2i_AutoPrivateKey) *d2i_AutoPrivateKey;
	__typeof__(EVP_PKEY_free) *EVP_PKEY_free;
	__typeof__(BIO_new_mem_buf) *BIO_new_mem_buf;
	__typeof__(BIO_free) *BIO_free;
	__typeof__(PEM_read_bio_X509) *PEM_read_bio_X509;
	__typeof__(PEM_read_bio_X509_CRL) *PEM_read_bio_X509_CRL;
	__typeof__(PEM_read_bio_PrivateKey) *PEM_read_bio_PrivateKey;
	__typeof__(X509_get_subject_name) *X509_get_subject_name;
	__typeof__(X509_NAME_entry_count) *X509_NAME_entry_count;
	__typeof__(X509_NAME_cmp) *X509_NAME_cmp;
	__typeof__(X509_NAME_oneline) *X509_NAME_oneline;
	__typeof__(X509_get_ext_d2i) *X509_get_ext_d2i;
	__typeof__(BASIC_CONSTRAINTS_free) *BASIC_CONSTRAINTS_free;
	__typeof__(GENERAL_NAMES_free) *GENERAL_NAMES_free;
	__typeof__(OPENSSL_sk_num) *sk_num;
	__typeof__(OPENSSL_sk_value) *sk_value;
	__typeof__(ASN1_STRING_length) *ASN1_STRING_length;
	__typeof__(X509_CRL_get_issuer) *X509_CRL_get_issuer;
	__typeof__(X509_CRL_verify) *X509_CRL_verify;
	__typeof__(X509_get0_pubkey) *X509_get0_pubkey;
	__typeof__(X509_check_private_key) *X509_check_private_key;
	__typeof__(ERR_get_error) *ERR_get_error;
	__typeof__(ERR_error_string_n) *ERR_error_string_n;
	__typeof__(ERR_clear_error) *ERR_clear_error;
} crypto_fn, *C;

const char *ipsec_crypto_soname(void)
{
	return HD_LIBCRYPTO_SONAME;
}

int ipsec_crypto_load(char *err, size_t errlen)
{
	static const struct hd_lazy_sym syms[] = {
	    HD_LAZY_SYM(crypto_fn, d2i_X509, "d2i_X509"),
	    HD_LAZY_SYM(crypto_fn, X509_free, "X509_free"),
	    HD_LAZY_SYM(crypto_fn, d2i_X509_CRL, "d2i_X509_CRL"),
	    HD_LAZY_SYM(crypto_fn, X509_CRL_free, "X509_CRL_free"),
	    HD_LAZY_SYM(crypto_fn, d2i_AutoPrivateKey, "d2i_AutoPrivateKey"),
	    HD_LAZY_SYM(crypto_fn, EVP_PKEY_free, "EVP_PKEY_free"),
	    HD_LAZY_SYM(crypto_fn, BIO_new_mem_buf, "BIO_new_mem_buf"),
	    HD_LAZY_SYM(crypto_fn, BIO_free, "BIO_free"),
	    HD_LAZY_SYM(crypto_fn, PEM_read_bio_X509, "PEM_read_bio_X509"),
	    HD_LAZY_SYM(crypto_fn, PEM_read_bio_X509_CRL, "PEM_read_bio_X509_CRL"),
	    HD_LAZY_SYM(crypto_fn, PEM_read_bio_PrivateKey, "PEM_read_bio_PrivateKey"),
	    HD_LAZY_SYM(crypto_fn, X509_get_subject_name, "X509_get_subject_name"),
	    HD_LAZY_SYM(crypto_fn, X509_NAME_entry_count, "X509_NAME_entry_count"),
	    HD_LAZY_SYM(crypto_fn, X509_NAME_cmp, "X509_NAME_cmp"),
	    HD_LAZY_SYM(crypto_fn, X509_NAME_oneline, "X509_NAME_oneline"),
	    HD_LAZY_SYM(crypto_fn, X509_get_ext_d2i, "X509_get_ext_d2i"),
	    HD_LAZY_SYM(crypto_fn, BASIC_CONSTRAINTS_free, "BASIC_CONSTRAINTS_free"),
	    HD_LAZY_SYM(crypto_fn, GENERAL_NAMES_free, "GENERAL_NAMES_free"),
	    HD_LAZY_SYM(crypto_fn, sk_num, "OPENSSL_sk_num"),
	    HD_LAZY_SYM(crypto_fn, sk_value, "OPENSSL_sk_value"),
	    HD_LAZY_SYM(crypto_fn, ASN1_STRING_length, "ASN1_STRING_length"),
	    HD_LAZY_SYM(crypto_fn, X509_CRL_get_issuer, "X509_CRL_get_issuer"),
	    HD_LAZY_SYM(crypto_fn, X509_CRL_verify, "X509_CRL_verify"),
	    HD_LAZY_SYM(crypto_fn, X509_get0_pubkey, "X509_get0_pubkey"),
	    HD_LAZY_SYM(crypto_fn, X509_check_private_key, "X509_check_private_key"),
	    HD_LAZY_SYM(crypto_fn, ERR_get_error, "ERR_get_error"),
	    HD_LAZY_SYM(crypto_fn, ERR_error_string_n, "ERR_error_string_n"),
	    HD_LAZY_SYM(crypto_fn, ERR_clear_error, "ERR_clear_error"),
	    {0},
	};
	int rc = C ? 0 : hd_lazy_load(HD_LIBCRYPTO_SONAME, syms, err, errlen);

	if (rc == 0)
		C = &crypto_fn;
	return rc;
}

/* ---- decoding ---- */

static bool is_cert(enum ipsec_cred_kind k)
{
	return k == IPSEC_CERT || k == IPSEC_CA;
}

/* A key protected by a passphrase cannot be read by a daemon: never prompt for one. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return 0;
}

static void *decode_der(enum ipsec_cred_kind k, const unsigned char *buf, size_t len)
{
	const unsigned char *p = buf;

	if (is_cert(k))
		return C->d2i_X509(NULL, &p, (long)len);
	if (k == IPSEC_CRL)
		return C->d2i_X509_CRL(NULL, &p, (long)len);
	return C->d2i_AutoPrivateKey(NULL, &p, (long)len);
}

static void *decode_pem(enum ipsec_cred_kind k, const unsigned char *buf, size_t len)
{
	BIO *b = C->BIO_new_mem_buf(buf, (int)len);
	void *obj;

	if (!b)
		return NULL;
	if (is_cert(k))
		obj = C->PEM_read_bio_X509(b, NULL, no_passphrase, NULL);
	else if (k == IPSEC_CRL)
		obj = C->PEM_read_bio_X509_CRL(b, NULL, no_passphrase, NULL);
	else
		obj = C->PEM_read_bio_PrivateKey(b, NULL, no_passphrase, NULL);
	C->BIO_free(b);
	return obj;
}

static bool looks_pem(const unsigned char *buf, size_t len)
{
	size_t i = 0;

	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
		i++;
	/* text before the block is allowed (openssl's "Bag Attributes"): look a little further */
	for (size_t end = len < 4096 ? len : 4096; i + 10 <= end; i++)
		if (memcmp(buf + i, "-----BEGIN", 10) == 0)
			return true;
	return false;
}

static bool try_kind(struct ipsec_cred *c, enum ipsec_cred_kind k, const unsigned char *buf,
		     size_t len)
{
	void *obj = decode_der(k, buf, len);
	bool pem = false;

	if (!obj && c->looks_pem) {
		obj = decode_pem(k, buf, len);
		pem = obj != NULL;
	}
	if (!obj)
		return false;
	c->obj = obj;
	c->pem = pem;
	/* a CA hint stays a CA certificate */
	if (!(is_cert(k) && is_cert(c->kind)))
		c->kind = k;
	return true;
}

int ipsec_cred_decode(struct ipsec_cred *c, const unsigned char *buf, size_t len)
{
	static const enum ipsec_cred_kind order[] = {IPSEC_CERT, IPSEC_CRL, IPSEC_KEY};
	unsigned long e;

	c->obj = NULL;
	c->pem = false;
	c->why[0] = '\0';
	c->looks_pem = looks_pem(buf, len);
	C->ERR_clear_error();
	if (len && len < (1u << 30) && try_kind(c, c->kind, buf, len))
		goto done;
	e = C->ERR_get_error(); /* the first error is the innermost: "wrong tag", "too long" */
	if (e)
		C->ERR_error_string_n(e, c->why, sizeof(c->why));
	else
		snprintf(c->why, sizeof(c->why), len ? "not decodable" : "empty file");
	/* a file found in a policy: the words around it may have misled the guess */
	for (size_t i = 0; !c->listed && len && i < HD_ARRAY_SIZE(order); i++)
		if (!(is_cert(order[i]) && is_cert(c->kind)) && order[i] != c->kind &&
		    try_kind(c, order[i], buf, len))
			goto done;
	C->ERR_clear_error();
	return -EINVAL;
done:
	C->ERR_clear_error();
	return 0;
}

void ipsec_cred_free(struct ipsec_cred *c)
{
	if (c->obj && C) {
		if (is_cert(c->kind))
			C->X509_free(c->obj);
		else if (c->kind == IPSEC_CRL)
			C->X509_CRL_free(c->obj);
		else
			C->EVP_PKEY_free(c->obj);
	}
	c->obj = NULL;
}

/* ---- checks ---- */

static void problem(struct ipsec_cred *c, struct hd_result *r, enum hd_status s)
{
	c->problems++;
	hd_result_raise(r, s);
}

static const char *openssl_cmd(enum ipsec_cred_kind k)
{
	return is_cert(k) ? "x509" : k == IPSEC_CRL ? "crl" : "pkey";
}

/* F.pem -> F.der (any extension of PEM text: .pem .crt .cer .key .crl), else F.der appended */
static char *der_name(const char *path)
{
	static const char *const exts[] = {".pem", ".crt", ".cer", ".key", ".crl"};
	size_t n = strlen(path);

	for (size_t i = 0; i < HD_ARRAY_SIZE(exts); i++) {
		size_t e = strlen(exts[i]);
		if (n > e && strcasecmp(path + n - e, exts[i]) == 0)
			return hd_asprintf("%.*s.der", (int)(n - e), path);
	}
	return hd_asprintf("%s.der", path);
}

static void name_str(const X509_NAME *n, char *buf, int size)
{
	if (!n || !C->X509_NAME_oneline(n, buf, size))
		snprintf(buf, (size_t)size, "(none)");
}

static void check_decoding(struct ipsec_cred *c, struct hd_result *r)
{
	const char *kind = ipsec_kind_name(c->kind);

	if (!c->obj) {
		if (c->kind == IPSEC_KEY) {
			hd_result_detail(r,
					 "%s: the private key is broken: not a valid private key "
					 "(or protected by a passphrase): %s",
					 c->path, c->why);
			hd_result_remedy_add(r,
					     "Put a valid private key without a passphrase at %s, "
					     "readable by root.",
					     c->path);
		} else {
			hd_result_detail(
			    r, "%s: cannot decode the %s from binary BER/DER%s: %s", c->path, kind,
			    c->looks_pem ? " (PEM text that does not decode either)" : "", c->why);
			_cleanup_free_ char *der = der_name(c->path);
			hd_result_remedy_add(
			    r,
			    "Replace %s with the %s as a binary BER/DER file; from PEM: openssl "
			    "%s -in %s -outform der -out %s, then name %s in the policy.",
			    c->path, kind, openssl_cmd(c->kind), c->path, der, der);
		}
		problem(c, r, HD_CRITICAL);
		return;
	}
	if (c->pem) {
		hd_result_detail(r,
				 "%s: %s in PEM text, not binary BER: the document requires "
				 "certificates and CRLs as binary BER blobs%s",
				 c->path, kind,
				 c->kind == IPSEC_KEY ? " (it names no other encoding for keys)"
						      : "");
		_cleanup_free_ char *der = der_name(c->path);
		hd_result_remedy_add(r,
				     "Convert %s to binary DER (a form of BER): openssl %s -in %s "
				     "-outform der -out %s, and name %s in the policy.",
				     c->path, openssl_cmd(c->kind), c->path, der, der);
		problem(c, r, HD_WARNING);
	}
}

static void check_certificate(struct ipsec_cred *c, struct hd_result *r)
{
	X509 *x = c->obj;
	BASIC_CONSTRAINTS *bc;
	GENERAL_NAMES *names;
	int crit = -1;

	names = C->X509_get_ext_d2i(x, NID_subject_alt_name, &crit, NULL);
	for (int i = 0; names && i < C->sk_num((const OPENSSL_STACK *)names); i++) {
		const GENERAL_NAME *g = C->sk_value((const OPENSSL_STACK *)names, i);
		int l;

		if (!g || g->type != GEN_IPADD)
			continue;
		l = C->ASN1_STRING_length(g->d.iPAddress);
		if (l == 4 || l == 16)
			continue;
		hd_result_detail(r,
				 "%s: bad IP address in subjectAltName: length=%d (4 bytes for "
				 "IPv4, 16 for IPv6)",
				 c->path, l);
		hd_result_remedy_add(r,
				     "Have %s reissued with a valid subjectAltName IP address (4 "
				     "bytes for IPv4, 16 for IPv6).",
				     c->path);
		problem(c, r, HD_CRITICAL);
	}
	if (names)
		C->GENERAL_NAMES_free(names);

	bc = C->X509_get_ext_d2i(x, NID_basic_constraints, &crit, NULL);
	if (c->kind == IPSEC_CA) {
		if (C->X509_NAME_entry_count(C->X509_get_subject_name(x)) == 0) {
			hd_result_detail(r,
					 "%s: CA certificate without a subject name: not usable as "
					 "an IPsec authenticator, not inserted into the trusted "
					 "roots",
					 c->path);
			hd_result_remedy_add(r,
					     "Configure the CA certificate with its subject name "
					     "in place of %s.",
					     c->path);
			problem(c, r, HD_CRITICAL);
		}
		if (!bc) {
			hd_result_detail(r,
					 "%s: CA certificate without the Basic Constraints "
					 "extension (against RFC 2459; trusted only because the "
					 "policy marks it so)",
					 c->path);
			hd_result_remedy_add(
			    r,
			    "Have the CA certificate %s reissued with Basic "
			    "Constraints CA:TRUE (basicConstraints = critical,CA:TRUE).",
			    c->path);
			problem(c, r, HD_WARNING);
		} else if (!bc->ca) {
			hd_result_detail(r,
					 "%s: configured as a CA certificate, but its Basic "
					 "Constraints say CA:FALSE",
					 c->path);
			hd_result_remedy_add(
			    r,
			    "Configure the CA's own certificate (Basic Constraints "
			    "CA:TRUE) in place of %s.",
			    c->path);
			problem(c, r, HD_WARNING);
		}
	} else if (bc && bc->ca) {
		hd_result_detail(
		    r,
		    "%s: a CA certificate (Basic Constraints CA:TRUE) configured as an "
		    "ordinary certificate: the certificate manager ignores a CA "
		    "certificate that is not marked as trusted",
		    c->path);
		hd_result_remedy_add(r,
				     "If %s is a point of trust, mark it as trusted in the policy "
				     "(and list it in the check's ca_certificates); else configure "
				     "the end certificate.",
				     c->path);
		problem(c, r, HD_WARNING);
	}
	if (bc)
		C->BASIC_CONSTRAINTS_free(bc);
}

static void check_crl(struct ipsec_cred *c, struct ipsec_cred *v, size_t n, struct hd_result *r)
{
	const X509_NAME *issuer = C->X509_CRL_get_issuer(c->obj);
	bool named = false, verified = false;
	char who[256];

	if (!issuer || C->X509_NAME_entry_count(issuer) == 0) {
		hd_result_detail(r,
				 "%s: the CRL names no issuer: its validity cannot be checked, the "
				 "stack discards it",
				 c->path);
		hd_result_remedy_add(r, "Replace %s with the CRL as its CA publishes it.", c->path);
		problem(c, r, HD_CRITICAL);
		return;
	}
	name_str(issuer, who, sizeof(who));
	for (size_t i = 0; i < n; i++) {
		EVP_PKEY *pub;

		if (!is_cert(v[i].kind) || !v[i].obj ||
		    C->X509_NAME_cmp(C->X509_get_subject_name(v[i].obj), issuer) != 0)
			continue;
		named = true;
		pub = C->X509_get0_pubkey(v[i].obj);
		if (pub && C->X509_CRL_verify(c->obj, pub) == 1)
			verified = true;
	}
	C->ERR_clear_error();
	if (!named) {
		hd_result_detail(r,
				 "%s: no configured certificate is the CRL's issuer %s: the CA "
				 "certificate of this CRL is not configured, so the stack cannot "
				 "check the CRL and discards it",
				 c->path, who);
		hd_result_remedy_add(r,
				     "Configure the CA certificate of %s (the issuer of %s) in the "
				     "policy, as binary BER/DER.",
				     who, c->path);
		problem(c, r, HD_CRITICAL);
	} else if (!verified) {
		hd_result_detail(r,
				 "%s: the signature does not verify with the key of the configured "
				 "certificate %s",
				 c->path, who);
		hd_result_remedy_add(
		    r,
		    "Fetch %s again from the CA %s, or configure the CA certificate "
		    "that signed it.",
		    c->path, who);
		problem(c, r, HD_CRITICAL);
	} else {
		hd_result_detail(r, "%s: CRL of %s, signature verified with its CA certificate",
				 c->path, who);
	}
}

static void check_key(struct ipsec_cred *c, struct ipsec_cred *v, size_t n, struct hd_result *r)
{
	size_t certs = 0;

	for (size_t i = 0; i < n; i++) {
		if (v[i].kind != IPSEC_CERT || !v[i].obj)
			continue;
		certs++;
		if (C->X509_check_private_key(v[i].obj, c->obj) == 1) {
			C->ERR_clear_error();
			hd_result_detail(r, "%s: private key of the certificate %s", c->path,
					 v[i].path);
			return;
		}
	}
	C->ERR_clear_error();
	if (!certs)
		return; /* no end certificate configured here: nothing to pair it with */
	hd_result_detail(r,
			 "%s: no configured certificate has this private key's public key: the "
			 "policy manager would not find the private key of the authentication "
			 "certificate",
			 c->path);
	hd_result_remedy_add(r,
			     "Name in the policy the private key that belongs to this host's "
			     "certificate (%s holds another key).",
			     c->path);
	problem(c, r, HD_WARNING);
}

size_t ipsec_creds_evaluate(struct ipsec_cred *v, size_t n, struct hd_result *r)
{
	size_t problems = 0;

	for (size_t i = 0; i < n; i++) {
		struct ipsec_cred *c = &v[i];

		if (c->unread)
			continue;
		check_decoding(c, r);
		if (!c->obj)
			continue;
		if (is_cert(c->kind))
			check_certificate(c, r);
		else if (c->kind == IPSEC_CRL)
			check_crl(c, v, n, r);
		else
			check_key(c, v, n, r);
	}
	for (size_t i = 0; i < n; i++)
		problems += v[i].problems;
	return problems;
}

/* ---- the probe ---- */

static void strv_freep(char ***v)
{
	hd_strv_free(*v);
}

struct files {
	struct ipsec_cred *v;
	size_t n;
	char **paths; /* owned copies of every path in v */
};

static void add_file(struct files *f, const char *path, enum ipsec_cred_kind kind, bool listed)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].path, path) == 0)
			return; /* listed in the check and named in the policy: once */
	f->v = hd_xrealloc(f->v, (f->n + 1) * sizeof(*f->v));
	f->paths = hd_xrealloc(f->paths, (f->n + 1) * sizeof(*f->paths));
	f->paths[f->n] = hd_xstrdup(path);
	f->v[f->n] = (struct ipsec_cred){.kind = kind, .path = f->paths[f->n], .listed = listed};
	f->n++;
}

static void files_free(struct files *f)
{
	for (size_t i = 0; i < f->n; i++) {
		ipsec_cred_free(&f->v[i]);
		free(f->paths[i]);
	}
	free(f->v);
	free(f->paths);
}

/* Read one file as root would; 1 when read, 0 when a problem was reported, <0 cannot tell. */
static int read_cred(const struct hd_ctx *ctx, const struct ipsec_cred *c, bool strict,
		     struct hd_result *r, char **buf, size_t *len, unsigned *problems)
{
	char path[4096];
	struct stat st;
	int rc;

	if (hd_path(ctx, c->path, path, sizeof(path)) < 0 || stat(path, &st) < 0) {
		hd_result_detail(r, "%s: %s: %s", c->path, ipsec_kind_name(c->kind),
				 strerror(errno));
		hd_result_remedy_add(r, "Put the %s back at %s, or correct its name in the %s.",
				     ipsec_kind_name(c->kind), c->path,
				     c->listed ? "check" : "policy");
		hd_result_raise(r, HD_CRITICAL);
		(*problems)++;
		return 0;
	}
	if (!S_ISREG(st.st_mode)) {
		hd_result_detail(r, "%s: not a regular file", c->path);
		hd_result_remedy_add(r, "Put the %s file itself at %s.", ipsec_kind_name(c->kind),
				     c->path);
		hd_result_raise(r, HD_CRITICAL);
		(*problems)++;
		return 0;
	}
	if (strict && c->kind == IPSEC_KEY && (st.st_uid != 0 || (st.st_mode & 077))) {
		/* the project's own rule: the document asks only that root can read the key */
		hd_result_detail(r,
				 "%s: private key owned by uid %u with mode %04o: strict_key_mode "
				 "wants root's alone",
				 c->path, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		hd_result_remedy_add(r, "chown root:root %s && chmod 600 %s", c->path, c->path);
		hd_result_raise(r, HD_CRITICAL);
		(*problems)++;
	}
	rc = hd_read_file(ctx, c->path, buf, len, 1 << 20);
	if (rc == -EACCES && !ctx->privileged) {
		hd_result_detail(r, "%s: cannot read as uid %u: run as root, as the stack does",
				 c->path, (unsigned)geteuid());
		hd_result_raise(r, HD_UNKNOWN);
		return rc;
	}
	if (rc < 0) {
		hd_result_detail(r, "%s: root cannot read the %s: %s", c->path,
				 ipsec_kind_name(c->kind), strerror(-rc));
		hd_result_remedy_add(r, "Make %s readable by root (it is read as root).", c->path);
		hd_result_raise(r, HD_CRITICAL);
		(*problems)++;
		return 0;
	}
	return 1;
}

static int run(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	static const struct {
		const char *key;
		enum ipsec_cred_kind kind;
	} lists[] = {{"ca_certificates", IPSEC_CA},
		     {"certificates", IPSEC_CERT},
		     {"private_keys", IPSEC_KEY},
		     {"crls", IPSEC_CRL}};
	__attribute__((cleanup(strv_freep))) char **policies = NULL;
	const char *module = hd_check_str(c, "module");
	bool strict = hd_check_bool(c, "strict_key_mode");
	struct ipsec_presence pr;
	struct ipsec_refs refs = {0};
	struct files f = {0};
	size_t problems = 0, pem = 0, decoded = 0, unreadable = 0, unread_policies = 0;
	unsigned read_problems = 0;
	char err[512];

	hd_check_list(c, "policy_files", &policies);
	ipsec_presence(ctx, policies, module, &pr);
	for (size_t l = 0; l < HD_ARRAY_SIZE(lists); l++) {
		__attribute__((cleanup(strv_freep))) char **v = NULL;
		hd_check_list(c, lists[l].key, &v);
		for (size_t i = 0; v && v[i]; i++)
			add_file(&f, v[i], lists[l].kind, true);
	}
	/* the files the policy files name */
	for (size_t i = 0; policies && policies[i]; i++) {
		_cleanup_free_ char *buf = NULL, *dir = hd_xstrdup(policies[i]);
		size_t len;

		int rc = hd_read_file(ctx, policies[i], &buf, &len, 16 << 20);

		if (rc == -EACCES && !ctx->privileged) {
			hd_result_detail(r, "%s: cannot read the policy file as uid %u",
					 policies[i], (unsigned)geteuid());
			unread_policies++;
		}
		if (rc < 0)
			continue; /* missing or broken: ipsec-policy-files reports it */
		ipsec_policy_refs(buf, len, dirname(dir), &refs);
	}
	for (size_t i = 0; i < refs.n; i++)
		add_file(&f, refs.v[i].path, refs.v[i].kind, false);
	ipsec_refs_free(&refs);

	if (!f.n && unread_policies) {
		hd_result_set(r, HD_UNKNOWN,
			      "cannot tell which credential files the policy names: the policy "
			      "files are unreadable here (run as root, as the stack does)");
		files_free(&f);
		return -EACCES;
	}
	if (!f.n) {
		if (ipsec_configured(&pr))
			hd_result_set(r, HD_SKIPPED,
				      "does not apply: no certificate, private key or CRL is "
				      "listed or named in the policy files");
		else {
			_cleanup_free_ char *why = ipsec_not_configured_why(policies, module, &pr);
			hd_result_set(r, HD_SKIPPED, "IPsec is not configured: %s", why);
		}
		files_free(&f);
		return 0;
	}
	if (ipsec_crypto_load(err, sizeof(err)) < 0) {
		hd_result_set(r, HD_UNKNOWN, "cannot load libcrypto (%s): %s", HD_LIBCRYPTO_SONAME,
			      err);
		hd_result_remedy(r, "Install OpenSSL's libcrypto: apt-get install libssl3 "
				    "(Debian/Ubuntu); dnf install openssl-libs (RHEL/Fedora).");
		files_free(&f);
		return -ENOENT;
	}

	hd_result_set(r, HD_OK, "-");
	for (size_t i = 0; i < f.n; i++) {
		_cleanup_free_ char *buf = NULL;
		size_t len = 0;
		int rc = read_cred(ctx, &f.v[i], strict, r, &buf, &len, &read_problems);

		if (rc <= 0) {
			unreadable += rc < 0;
			f.v[i].unread = true; /* reported by read_cred() */
			continue;
		}
		if (ipsec_cred_decode(&f.v[i], (const unsigned char *)buf, len) == 0)
			decoded++;
	}
	problems = ipsec_creds_evaluate(f.v, f.n, r);
	for (size_t i = 0; i < f.n; i++)
		pem += f.v[i].pem;
	problems += read_problems;

	if (problems)
		hd_result_set(r, r->status,
			      "%zu problem%s in %zu IPsec certificate, key and CRL "
			      "file%s (%zu decoded%s)",
			      problems, problems == 1 ? "" : "s", f.n, f.n == 1 ? "" : "s", decoded,
			      pem ? ", PEM instead of binary BER" : "");
	else if (unreadable || unread_policies)
		hd_result_set(r, HD_UNKNOWN,
			      "%zu of %zu IPsec credential files and %zu policy files unreadable "
			      "here",
			      unreadable, f.n, unread_policies);
	else
		hd_result_set(r, HD_OK,
			      "%zu IPsec certificate, key and CRL file%s decode as binary BER/DER",
			      f.n, f.n == 1 ? "" : "s");
	if ((unreadable || unread_policies) && problems)
		hd_result_raise(r, HD_UNKNOWN);
	if (!r->remedy)
		hd_result_remedy(r,
				 "Keep certificates and CRLs as binary BER/DER files readable by "
				 "root, CA certificates with Basic Constraints CA:TRUE, and the "
				 "CA certificate of every CRL configured.");
	hd_result_metric(r, "problems", (double)problems, HD_UNIT_NONE)->has_min = true;
	hd_result_metric(r, "files", (double)f.n, HD_UNIT_NONE);
	hd_result_metric(r, "pem_files", (double)pem, HD_UNIT_NONE);
	files_free(&f);
	return 0;
}

static const struct hd_param params[] = {
    {.key = "policy_files",
     .type = HD_P_LIST,
     .help = "SPD policy files: the credential files they name are checked too"},
    {.key = "module",
     .type = HD_P_STR,
     .help = "the engine kernel module (with policy_files: is IPsec configured here)"},
    {.key = "certificates", .type = HD_P_LIST, .help = "certificates (binary BER/DER)"},
    {.key = "ca_certificates",
     .type = HD_P_LIST,
     .help = "CA certificates, points of trust (BER/DER, Basic Constraints CA:TRUE)"},
    {.key = "private_keys", .type = HD_P_LIST, .help = "private keys (readable by root, valid)"},
    {.key = "crls",
     .type = HD_P_LIST,
     .help = "CRLs (BER/DER; the issuer's CA certificate configured)"},
    {.key = "strict_key_mode",
     .type = HD_P_BOOL,
     .def = "no",
     .help = "also want private keys owned by root with mode 600 or stricter (ours)"},
    {0},
};

static const struct hd_metric_doc metrics[] = {
    {"problems", "Problems found in the certificate, private key and CRL files."},
    {"files", "Certificate, private key and CRL files checked."},
    {"pem_files", "Files in PEM text instead of binary BER/DER."},
    {0},
};

const struct hd_probe probe_ipsec_certs = {
    .name = "ipsec-certs",
    .summary = "IPsec certificates, private keys and CRLs readable and decodable as binary BER",
    .params = params,
    .metrics = metrics,
    .run = run,
};
