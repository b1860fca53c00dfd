/* ipsec-certs on bytes: certificates, keys and CRLs made here with the openssl command (DER and
 * PEM, a CA without Basic Constraints, CRLs whose issuer is or is not configured, a CRL of
 * another key under the same name, a broken and a passphrase-protected key, a subjectAltName IP
 * of 5 bytes), decoded and checked through libcrypto as the probe does. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "paths.h"
#include "probe_ipsec_certs.h"
#include "result.h"

static char dir[] = "/tmp/hd-ipsec-certs.XXXXXX";

/* Everything the cases read, made once. */
static const char script[] =
    "set -e\n"
    "cd \"$1\"\n"
    "o() { openssl \"$@\" 2>/dev/null; }\n"
    "ec='-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes'\n"
    /* a CA (openssl req -x509 adds Basic Constraints CA:TRUE) and its CRL */
    "o req -x509 $ec -keyout ca.key -out ca.pem -subj /CN=Test-CA -days 30\n"
    "o x509 -in ca.pem -outform der -out ca.der\n"
    "printf '[ca]\\ndefault_ca=d\\n[d]\\ndatabase=index.txt\\ndefault_md=sha256\\n"
    "default_crl_days=30\\n' >ca.cnf\n"
    ": >index.txt\n"
    "o ca -gencrl -config ca.cnf -keyfile ca.key -cert ca.pem -out crl.pem\n"
    "o crl -in crl.pem -outform der -out crl.der\n"
    /* a host certificate from that CA, its key in DER and PEM */
    "o req -new $ec -keyout host.key -out host.csr -subj /CN=gw1\n"
    "o x509 -req -in host.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out host.pem -days 30\n"
    "o x509 -in host.pem -outform der -out host.der\n"
    "o pkey -in host.key -outform der -out host.key.der\n"
    "o pkey -in host.key -aes128 -passout pass:secret -out host.enc.key\n"
    "o genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-256 -outform der -out other.key.der\n"
    /* a v1 self-signed certificate: no Basic Constraints */
    "o req -new $ec -keyout nobc.key -out nobc.csr -subj /CN=NoBC-CA\n"
    "o x509 -req -in nobc.csr -signkey nobc.key -outform der -out nobc.der -days 30\n"
    /* another CA under the same name: its CRL names Test-CA but does not verify with ca.der */
    "mkdir fake && cd fake && : >index.txt && cp ../ca.cnf .\n"
    "o req -x509 $ec -keyout ca.key -out ca.pem -subj /CN=Test-CA -days 30\n"
    "o ca -gencrl -config ca.cnf -keyfile ca.key -cert ca.pem -outform der -out ../fake.crl.der "
    "|| o ca -gencrl -config ca.cnf -keyfile ca.key -cert ca.pem -out c.pem\n"
    "[ -s ../fake.crl.der ] || o crl -in c.pem -outform der -out ../fake.crl.der\n"
    "cd ..\n"
    /* a subjectAltName iPAddress of 5 bytes */
    "printf 'subjectAltName=DER:30:07:87:05:01:02:03:04:05\\n' >san.ext\n"
    "o x509 -req -in nobc.csr -CA ca.pem -CAkey ca.key -CAcreateserial -extfile san.ext "
    "-outform der -out badsan.der -days 30\n"
    /* a key cut in half, and bytes that are nothing */
    "head -c 40 host.key.der >broken.key.der\n"
    "printf 'hello, not a certificate\\n' >junk.der\n";

static int setup(void **state)
{
	char cmd[256], err[256];

	(void)state;
	if (system("command -v openssl >/dev/null") != 0) {
		fprintf(stderr, "openssl command missing (apt-get install openssl)\n");
		return -1;
	}
	if (ipsec_crypto_load(err, sizeof(err)) < 0) {
		fprintf(stderr, "libcrypto: %s\n", err);
		return -1;
	}
	if (!mkdtemp(dir))
		return -1;
	snprintf(cmd, sizeof(cmd), "%s/make.sh", dir);
	FILE *f = fopen(cmd, "w");
	if (!f)
		return -1;
	fputs(script, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "sh %s/make.sh %s", dir, dir);
	if (system(cmd) != 0) {
		fprintf(stderr, "making the test certificates failed\n");
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	char cmd[256];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Up to 8 credentials of one case. */
struct set {
	struct ipsec_cred v[8];
	char paths[8][64];
	size_t n;
	struct hd_result r;
};

/* Add FILE (in the test dir) as KIND; returns ipsec_cred_decode()'s answer. */
static int add(struct set *s, const char *file, enum ipsec_cred_kind kind, bool listed)
{
	char path[512];
	char *buf = NULL;
	size_t len;
	struct ipsec_cred *c = &s->v[s->n];
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	assert_int_equal(hd_read_path(path, &buf, &len, 1 << 20), 0);
	snprintf(s->paths[s->n], sizeof(s->paths[0]), "%s", file);
	*c = (struct ipsec_cred){.kind = kind, .path = s->paths[s->n], .listed = listed};
	rc = ipsec_cred_decode(c, (const unsigned char *)buf, len);
	free(buf);
	s->n++;
	return rc;
}

static size_t evaluate(struct set *s)
{
	hd_result_init(&s->r);
	s->r.status = HD_OK;
	return ipsec_creds_evaluate(s->v, s->n, &s->r);
}

static void done(struct set *s)
{
	for (size_t i = 0; i < s->n; i++)
		ipsec_cred_free(&s->v[i]);
	hd_result_free(&s->r);
	memset(s, 0, sizeof(*s));
}

static void expect_detail(const struct set *s, const char *want)
{
	if (!s->r.details || !strstr(s->r.details, want))
		fail_msg("details lack '%s':\n%s", want, s->r.details ? s->r.details : "(none)");
}

static void expect_remedy(const struct set *s, const char *want)
{
	if (!s->r.remedy || !strstr(s->r.remedy, want))
		fail_msg("remedy lacks '%s':\n%s", want, s->r.remedy ? s->r.remedy : "(none)");
}

static void test_der_and_pem_certificates(void **state)
{
	struct set s = {0};
	(void)state;

	assert_int_equal(add(&s, "ca.der", IPSEC_CA, true), 0);
	assert_false(s.v[0].pem);
	assert_int_equal(add(&s, "host.der", IPSEC_CERT, true), 0);
	assert_int_equal(add(&s, "host.key.der", IPSEC_KEY, true), 0);
	assert_int_equal(evaluate(&s), 0);
	assert_int_equal(s.r.status, HD_OK);
	expect_detail(&s, "host.key.der: private key of the certificate host.der");
	done(&s);

	/* the same certificate as PEM text decodes, with a warning and the conversion */
	assert_int_equal(add(&s, "host.pem", IPSEC_CERT, true), 0);
	assert_true(s.v[0].pem);
	assert_int_equal(evaluate(&s), 1);
	assert_int_equal(s.r.status, HD_WARNING);
	expect_detail(&s, "host.pem: certificate in PEM text, not binary BER");
	expect_remedy(&s, "openssl x509 -in host.pem -outform der -out host.der");
	done(&s);

	/* bytes that are no certificate */
	assert_int_equal(add(&s, "junk.der", IPSEC_CERT, true), -EINVAL);
	assert_null(s.v[0].obj);
	assert_int_equal(evaluate(&s), 1);
	assert_int_equal(s.r.status, HD_CRITICAL);
	expect_detail(&s, "junk.der: cannot decode the certificate from binary BER/DER");
	done(&s);
}

static void test_basic_constraints(void **state)
{
	struct set s = {0};
	(void)state;

	assert_int_equal(add(&s, "nobc.der", IPSEC_CA, true), 0);
	assert_int_equal(evaluate(&s), 1);
	assert_int_equal(s.r.status, HD_WARNING);
	expect_detail(&s, "nobc.der: CA certificate without the Basic Constraints extension");
	expect_remedy(&s, "CA:TRUE");
	done(&s);

	/* the CA with Basic Constraints CA:TRUE passes */
	assert_int_equal(add(&s, "ca.der", IPSEC_CA, true), 0);
	assert_int_equal(evaluate(&s), 0);
	assert_int_equal(s.r.status, HD_OK);
	done(&s);

	/* a CA certificate configured as an ordinary one: ignored unless marked trusted */
	assert_int_equal(add(&s, "ca.der", IPSEC_CERT, true), 0);
	assert_int_equal(evaluate(&s), 1);
	assert_int_equal(s.r.status, HD_WARNING);
	expect_detail(&s, "configured as an ordinary certificate");
	done(&s);
}

static void test_crl_issuer(void **state)
{
	struct set s = {0};
	(void)state;

	/* the CRL's CA is configured: its signature verifies */
	assert_int_equal(add(&s, "ca.der", IPSEC_CA, true), 0);
	assert_int_equal(add(&s, "crl.der", IPSEC_CRL, true), 0);
	assert_int_equal(evaluate(&s), 0);
	assert_int_equal(s.r.status, HD_OK);
	expect_detail(&s, "crl.der: CRL of /CN=Test-CA, signature verified");
	done(&s);

	/* no CA certificate of the issuer */
	assert_int_equal(add(&s, "nobc.der", IPSEC_CA, true), 0);
	assert_int_equal(add(&s, "crl.der", IPSEC_CRL, true), 0);
	evaluate(&s);
	assert_int_equal(s.r.status, HD_CRITICAL);
	assert_int_equal(s.v[1].problems, 1);
	expect_detail(&s, "crl.der: no configured certificate is the CRL's issuer /CN=Test-CA");
	done(&s);

	/* a certificate of the same name with another key */
	assert_int_equal(add(&s, "ca.der", IPSEC_CA, true), 0);
	assert_int_equal(add(&s, "fake.crl.der", IPSEC_CRL, true), 0);
	assert_int_equal(evaluate(&s), 1);
	assert_int_equal(s.r.status, HD_CRITICAL);
	expect_detail(&s, "fake.crl.der: the signature does not verify");
	done(&s);

	/* a PEM CRL: decoded, with the warning and openssl crl */
	assert_int_equal(add(&s, "ca.der", IPSEC_CA, true), 0);
	assert_int_equal(add(&s, "crl.pem", IPSEC_CRL, true), 0);
	assert_int_equal(evaluate(&s), 1);
	assert_int_equal(s.r.status, HD_WARNING);
	expect_remedy(&s, "openssl crl -in crl.pem -outform der");
	done(&s);
}

static void test_private_keys(void **state)
{
	struct set s = {0};
	(void)state;

	assert_int_equal(add(&s, "broken.key.der", IPSEC_KEY, true), -EINVAL);
	assert_int_equal(add(&s, "host.enc.key", IPSEC_KEY, true), -EINVAL); /* passphrase */
	assert_int_equal(evaluate(&s), 2);
	assert_int_equal(s.r.status, HD_CRITICAL);
	expect_detail(&s, "broken.key.der: the private key is broken");
	expect_detail(&s, "host.enc.key: the private key is broken");
	done(&s);

	/* a PEM key decodes, with a warning; a key of no configured certificate */
	assert_int_equal(add(&s, "host.der", IPSEC_CERT, true), 0);
	assert_int_equal(add(&s, "host.key", IPSEC_KEY, true), 0);
	assert_int_equal(add(&s, "other.key.der", IPSEC_KEY, true), 0);
	assert_int_equal(evaluate(&s), 2);
	assert_int_equal(s.r.status, HD_WARNING);
	expect_remedy(&s, "openssl pkey -in host.key -outform der -out host.der");
	expect_detail(&s, "other.key.der: no configured certificate has this private key");
	done(&s);
}

static void test_subject_alt_name_ip(void **state)
{
	struct set s = {0};
	(void)state;

	assert_int_equal(add(&s, "badsan.der", IPSEC_CERT, true), 0);
	assert_int_equal(evaluate(&s), 1);
	assert_int_equal(s.r.status, HD_CRITICAL);
	expect_detail(&s, "badsan.der: bad IP address in subjectAltName: length=5");
	done(&s);
}

static void test_kind_guess(void **state)
{
	struct set s = {0};
	(void)state;

	/* named in a policy next to the word "certificate", but a CRL: taken as what it is */
	assert_int_equal(add(&s, "crl.der", IPSEC_CERT, false), 0);
	assert_int_equal(s.v[0].kind, IPSEC_CRL);
	/* listed by the check as a certificate: no guessing */
	assert_int_equal(add(&s, "crl.der", IPSEC_CERT, true), -EINVAL);
	/* a CA hint stays a CA when the file is a certificate */
	assert_int_equal(add(&s, "ca.der", IPSEC_CA, false), 0);
	assert_int_equal(s.v[2].kind, IPSEC_CA);
	done(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_der_and_pem_certificates),
	    cmocka_unit_test(test_basic_constraints),
	    cmocka_unit_test(test_crl_issuer),
	    cmocka_unit_test(test_private_keys),
	    cmocka_unit_test(test_subject_alt_name_ip),
	    cmocka_unit_test(test_kind_guess),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
