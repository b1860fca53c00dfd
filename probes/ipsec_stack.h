/* The IPsec stack of vendor document 002 (an engine kernel module and its device, ipsecd, SPD
 * policy files naming certificates, private keys and CRLs) as the host shows it. Shared by the
 * ipsec-engine, ipsec-policy and ipsec-certs probes; the parsers take bytes. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct hd_ctx;

enum ipsec_cred_kind {
	IPSEC_CERT, /* a certificate (this host's or a peer's) */
	IPSEC_CA,   /* a CA certificate, a point of trust */
	IPSEC_KEY,  /* a private key */
	IPSEC_CRL,  /* a certificate revocation list */
};
const char *ipsec_kind_name(enum ipsec_cred_kind k); /* "certificate", "CA certificate" ... */

/* One credential file a policy file names. */
struct ipsec_ref {
	char *path; /* absolute (relative names are resolved against the policy file's dir) */
	enum ipsec_cred_kind kind;
	int line;
};
struct ipsec_refs {
	struct ipsec_ref *v;
	size_t n;
};
void ipsec_refs_free(struct ipsec_refs *refs);

/* /proc/modules bytes: 1 when module NAME is listed ('-' and '_' alike, as the kernel treats
 * them), with its state column ("Live", "Loading", "Unloading") in STATE; 0 when not listed. */
int ipsec_module_listed(const char *buf, size_t len, const char *name, char *state, size_t size);

/* Policy statements in a policy file: lines that are neither blank nor a comment ('#', ';' or
 * '//' first). */
size_t ipsec_policy_statements(const char *buf, size_t len);

/* The credential files a policy file names, appended to REFS (DIR: the policy file's
 * directory, for relative names). The rule is the project's own (the document does not give
 * the file's syntax): a word that starts with '/' or ends in .der .cer .crt .ber .pem .key .p8
 * .pk8 .crl is a file name; its kind comes from the words before it on the same line (since the
 * previous file name): "crl" -> CRL, "key" or "private" -> private key, "trusted" or "ca" ->
 * CA certificate, "cert" -> certificate; else from the extension (.crl, .key/.p8/.pk8, the
 * others a certificate); an absolute name with neither is not a credential (a log file). */
void ipsec_policy_refs(const char *buf, size_t len, const char *dir, struct ipsec_refs *refs);

/* Is the stack configured here: which POLICY_FILES exist under --root, is MODULE (may be NULL or
 * empty) loaded. */
struct ipsec_presence {
	size_t files_present;  /* policy files that exist */
	size_t files_listed;   /* policy files the check names */
	bool module_loaded;    /* listed in /proc/modules */
	int modules_rc;	       /* reading /proc/modules: 0 or a negative errno */
	char module_state[32]; /* its state column */
};
void ipsec_presence(const struct hd_ctx *ctx, char *const *policy_files, const char *module,
		    struct ipsec_presence *p);
bool ipsec_configured(const struct ipsec_presence *p);
/* "none of /etc/a, /etc/b exists and module m is not loaded" for a SKIPPED summary. */
char *ipsec_not_configured_why(char *const *policy_files, const char *module,
			       const struct ipsec_presence *p);

/* pid of a process whose comm is NAME under --root's /proc (comm is cut at 15 characters);
 * 0 when none, a negative errno when /proc cannot be read. */
pid_t ipsec_find_process(const struct hd_ctx *ctx, const char *name);
