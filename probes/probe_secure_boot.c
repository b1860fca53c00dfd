/* secure-boot: UEFI Secure Boot, shim validation and kernel lockdown, which decide whether
 * unsigned kernel modules load. */
#include "probe_secure_boot.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "paths.h"
#include "probe.h"
#include "util.h"

#define EFI_GLOBAL "8be4df61-93ca-11d2-aa0d-00e098032b8c"
#define SHIM_GUID  "605dab50-e046-4300-abb6-3dd810dd8b23"
#define EFIVARS	   "/sys/firmware/efi/efivars"

int efivar_u8_parse(const void *buf, size_t len, uint8_t *val)
{
	if (len != 5)
		return -EINVAL;
	*val = ((const uint8_t *)buf)[4];
	return 0;
}

int lockdown_parse(const char *buf, size_t len)
{
	static const char *const names[] = {"none", "integrity", "confidentiality"};
	const char *open = memchr(buf, '[', len), *close;
	size_t n;

	if (!open)
		return -EINVAL;
	close = memchr(open, ']', len - (size_t)(open - buf));
	if (!close || memchr(close, '[', len - (size_t)(close - buf)))
		return -EINVAL;
	n = (size_t)(close - open - 1);
	for (int i = 0; i < 3; i++)
		if (strlen(names[i]) == n && memcmp(open + 1, names[i], n) == 0)
			return i;
	return -EINVAL;
}

const char *lockdown_name(int mode)
{
	static const char *const names[] = {"none", "integrity", "confidentiality"};

	return mode >= 0 && mode <= 2 ? names[mode] : "unknown";
}

/* One byte variable NAME from efivarfs: 1/0, -ENOENT when absent, -EINVAL (with the summary
 * set) when the file has the wrong size. */
static int efivar(const struct hd_ctx *ctx, const char *name, struct hd_result *r)
{
	char path[256];
	_cleanup_free_ char *buf = NULL;
	size_t len;
	uint8_t v;
	int rc;

	snprintf(path, sizeof(path), EFIVARS "/%s", name);
	rc = hd_read_file(ctx, path, &buf, &len, 4096);
	if (rc == -ENOENT)
		return rc;
	if (rc < 0) {
		hd_result_set(r, HD_UNKNOWN, "cannot read %s%s: %s", ctx->root, path,
			      strerror(-rc));
		return rc;
	}
	if (efivar_u8_parse(buf, len, &v) < 0) {
		hd_result_set(
		    r, HD_UNKNOWN,
		    "%s%s is %zu bytes, expected 5 (4 bytes of attributes and 1 data byte)",
		    ctx->root, path, len);
		return -EINVAL;
	}
	return v;
}

static bool dir_empty(const char *host)
{
	_cleanup_closedir_ DIR *d = opendir(host);
	struct dirent *e;

	if (!d)
		return true;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			return false;
	return true;
}

static int run(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	bool need_unsigned = hd_check_bool(c, "needs_unsigned_modules");
	char **mods = NULL;
	size_t nmods = hd_check_list(c, "modules", &mods);
	struct hd_buf modlist = {0};
	_cleanup_free_ char *lock = NULL, *sig = NULL, *mlist = NULL;
	char host[4096], state[256] = "";
	struct stat st;
	bool uefi, enforced = false, sig_enforce = false;
	int sb = -1, setup = -1, mok = -1, lockdown = -1;
	size_t len;
	int rc;

	for (size_t i = 0; i < nmods; i++)
		hd_buf_printf(&modlist, "%s%s", i ? ", " : "", mods[i]);
	hd_strv_free(mods);
	mlist = hd_buf_steal(&modlist);

	/* lockdown first: it matters on BIOS hosts too (lockdown=integrity on the command line) */
	rc = hd_read_file(ctx, "/sys/kernel/security/lockdown", &lock, &len, 4096);
	if (rc == 0) {
		lockdown = lockdown_parse(lock, len);
		if (lockdown < 0) {
			lock[strcspn(lock, "\n")] = '\0';
			hd_result_set(
			    r, HD_UNKNOWN,
			    "%s/sys/kernel/security/lockdown is malformed: '%.60s' (expected "
			    "'none [integrity] confidentiality')",
			    ctx->root, lock);
			return -EINVAL;
		}
	} else {
		hd_result_detail(r,
				 "lockdown: unknown (%s/sys/kernel/security/lockdown: %s; "
				 "securityfs not mounted or no lockdown LSM)",
				 ctx->root, strerror(-rc));
	}
	/* module.sig_enforce=1 refuses unsigned modules whatever the firmware says */
	if (hd_read_file(ctx, "/sys/module/module/parameters/sig_enforce", &sig, NULL, 64) == 0)
		sig_enforce = sig[0] == 'Y' || sig[0] == '1';

	hd_path(ctx, "/sys/firmware/efi", host, sizeof(host));
	uefi = stat(host, &st) == 0 && S_ISDIR(st.st_mode);
	if (!uefi) {
		snprintf(state, sizeof(state),
			 "legacy BIOS boot (no /sys/firmware/efi): no Secure Boot");
	} else {
		hd_path(ctx, EFIVARS, host, sizeof(host));
		sb = efivar(ctx, "SecureBoot-" EFI_GLOBAL, r);
		if (sb == -ENOENT && dir_empty(host)) {
			hd_result_set(r, HD_UNKNOWN,
				      "UEFI boot, but efivarfs is not mounted at %s" EFIVARS,
				      ctx->root);
			hd_result_remedy(r, "mount -t efivarfs efivarfs " EFIVARS);
			hd_result_command(r, "mount", "-t", "efivarfs", "efivarfs", EFIVARS, NULL);
			return -ENOENT;
		}
		if (sb < 0 && sb != -ENOENT)
			return sb;
		setup = efivar(ctx, "SetupMode-" EFI_GLOBAL, r);
		if (setup < 0 && setup != -ENOENT)
			return setup;
		mok = efivar(ctx, "MokSBStateRT-" SHIM_GUID, r);
		if (mok < 0 && mok != -ENOENT)
			return mok;
		if (sb == -ENOENT)
			snprintf(
			    state, sizeof(state),
			    "UEFI boot; the firmware has no Secure Boot (no SecureBoot variable)");
		else if (setup == 1)
			snprintf(state, sizeof(state),
				 "UEFI in setup mode (no platform key enrolled): Secure Boot not "
				 "enforced");
		else if (sb == 1 && mok == 1)
			snprintf(state, sizeof(state),
				 "Secure Boot on in the firmware, but validation disabled in shim "
				 "(MokSBStateRT=1): not enforced");
		else if ((enforced = sb == 1))
			snprintf(state, sizeof(state), "Secure Boot on");
		else
			snprintf(state, sizeof(state), "Secure Boot off");
	}

	hd_result_metric(r, "secure_boot", enforced, HD_UNIT_NONE);
	if (lockdown >= 0)
		hd_result_metric(r, "lockdown", lockdown, HD_UNIT_NONE);
	if (uefi)
		hd_result_detail(r,
				 "efivars: SecureBoot=%d SetupMode=%d MokSBStateRT=%d (-2: absent)",
				 sb == -ENOENT ? -2 : sb, setup == -ENOENT ? -2 : setup,
				 mok == -ENOENT ? -2 : mok);
	if (lockdown >= 0)
		hd_result_detail(r, "lockdown: %s", lockdown_name(lockdown));
	if (lockdown == LOCKDOWN_CONFIDENTIALITY)
		hd_result_detail(r,
				 "lockdown confidentiality also stops BPF programs reading kernel "
				 "memory (bpf_probe_read_kernel)");
	if (sig_enforce)
		hd_result_detail(r, "module.sig_enforce=Y: only signed modules load");

	hd_result_set(r, HD_OK, "%s; lockdown %s", state, lockdown_name(lockdown));
	hd_result_remedy(
	    r, "Enroll the vendor's module signing key (mokutil --import KEY.der, confirm "
	       "in MokManager at the next boot), or turn Secure Boot off in the firmware "
	       "setup, or disable shim validation (mokutil --disable-validation).");
	if (!need_unsigned)
		return 0;
	if (enforced || lockdown > LOCKDOWN_NONE || sig_enforce) {
		const char *why = enforced		     ? "Secure Boot is on"
				  : lockdown > LOCKDOWN_NONE ? "kernel lockdown is on"
							     : "module.sig_enforce=Y";
		hd_result_set(r, HD_WARNING,
			      "%s: unsigned kernel modules (%s) will not load; lockdown %s", why,
			      mlist[0] ? mlist : "the agent's", lockdown_name(lockdown));
		hd_result_detail(r, "firmware: %s", state); /* the summary no longer says it */
		if (!enforced) {
			hd_result_remedy(
			    r,
			    "Enroll the vendor's module signing key (mokutil --import "
			    "KEY.der), or boot without %s (remove it from "
			    "GRUB_CMDLINE_LINUX in /etc/default/grub, then update-grub "
			    "or grub2-mkconfig -o /boot/grub2/grub.cfg, and reboot).",
			    lockdown > LOCKDOWN_NONE ? "lockdown=" : "module.sig_enforce=1");
			hd_result_concerns(r, HD_CONCERN_FILE, "/etc/default/grub");
		}
	}
	return 0;
}

static const struct hd_param params[] = {
    {.key = "needs_unsigned_modules",
     .type = HD_P_BOOL,
     .def = "no",
     .help = "the agent loads kernel modules not signed by an enrolled key: Secure Boot is a "
	     "WARNING"},
    {.key = "modules",
     .type = HD_P_LIST,
     .def = "ampfsm, ampnetworkflow",
     .help = "the kernel modules named in the warning"},
    {0},
};

static const struct hd_metric_doc metrics[] = {
    {"secure_boot", "1 when Secure Boot is enforced (on, not in setup mode, not disabled in "
		    "shim), else 0."},
    {"lockdown", "Kernel lockdown: 0 none, 1 integrity, 2 confidentiality (absent when unknown)."},
    {0},
};

const struct hd_probe probe_secure_boot = {
    .name = "secure-boot",
    .summary = "UEFI Secure Boot, shim validation and kernel lockdown",
    .params = params,
    .metrics = metrics,
    .run = run,
};
