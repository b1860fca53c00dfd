/* ipsec-engine: the packet processing engine of the IPsec stack of vendor document 002 is
 * reachable: its kernel module is loaded (/proc/modules) and the device used to talk to it
 * exists, is a character device, and opens. Module and device names come from the check. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cleanup.h"
#include "ipsec_stack.h"
#include "paths.h"
#include "probe.h"
#include "util.h"

static void strv_freep(char ***v)
{
	hd_strv_free(*v);
}

/* The device: 1 fine, 0 a problem (reported), <0 cannot tell (reported). */
static int check_device(const struct hd_ctx *ctx, const char *device, const char *module,
			struct hd_result *r)
{
	char path[4096];
	struct stat st;
	int fd, e;

	if (hd_path(ctx, device, path, sizeof(path)) < 0 || stat(path, &st) < 0) {
		hd_result_detail(r, "%s: the device to the engine is missing: %s", device,
				 strerror(errno));
		hd_result_remedy_add(r,
				     "Create the engine's device %s (the stack's start-up or its "
				     "udev rule does; the major number is the one the module %s "
				     "registered in /proc/devices).",
				     device, module);
		return 0;
	}
	if (!S_ISCHR(st.st_mode)) {
		hd_result_detail(r, "%s: not a character device (mode %06o)", device,
				 (unsigned)st.st_mode);
		hd_result_remedy_add(r,
				     "Replace %s with the engine's character device (remove the "
				     "file, then let the stack's start-up create the device).",
				     device);
		return 0;
	}
	/* read-only, non-blocking, closed at once: the probe only asks whether it opens */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	e = errno;
	if (fd >= 0) {
		close(fd);
		hd_result_detail(r, "%s: character device %u:%u, opens", device, major(st.st_rdev),
				 minor(st.st_rdev));
		return 1;
	}
	if (e == EBUSY) { /* held open exclusively: by the daemon, normally */
		hd_result_detail(r, "%s: character device %u:%u, busy (held open by its user)",
				 device, major(st.st_rdev), minor(st.st_rdev));
		return 1;
	}
	if ((e == EACCES || e == EPERM) && !ctx->privileged) {
		hd_result_detail(r,
				 "%s: cannot open as uid %u: %s (the stack runs with super-user "
				 "privileges; run the check as root)",
				 device, (unsigned)geteuid(), strerror(e));
		return -e;
	}
	hd_result_detail(r, "%s: character device %u:%u does not open: %s", device,
			 major(st.st_rdev), minor(st.st_rdev), strerror(e));
	if (e == ENXIO || e == ENODEV)
		hd_result_remedy_add(r,
				     "No driver answers behind %s (%u:%u): load the engine module "
				     "%s, and re-create the device with the major number it "
				     "registered (grep in /proc/devices).",
				     device, major(st.st_rdev), minor(st.st_rdev), module);
	else if (e == EACCES || e == EPERM)
		hd_result_remedy_add(r,
				     "Root cannot open %s: the file system holding it is mounted "
				     "nodev, or a security module denies it (check 'findmnt -T %s' "
				     "and the audit log).",
				     device, device);
	else
		hd_result_remedy_add(r,
				     "Make %s openable by root (it is the stack's device to "
				     "the engine).",
				     device);
	return 0;
}

static int run(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	const char *module = hd_check_str(c, "module");
	const char *device = hd_check_str(c, "device");
	__attribute__((cleanup(strv_freep))) char **policies = NULL;
	struct ipsec_presence pr;
	char devpath[4096];
	struct stat st;
	bool device_there;
	int dev = 0, problems = 0;

	hd_check_list(c, "policy_files", &policies);
	ipsec_presence(ctx, policies, module, &pr);
	/* no /proc/modules: a kernel without loadable modules, where no module is loaded */
	if (pr.modules_rc < 0 && pr.modules_rc != -ENOENT) {
		hd_result_set(r, HD_UNKNOWN, "cannot read %s/proc/modules: %s", ctx->root,
			      strerror(-pr.modules_rc));
		return pr.modules_rc;
	}
	device_there =
	    hd_path(ctx, device, devpath, sizeof(devpath)) == 0 && lstat(devpath, &st) == 0;
	/* a device node left behind counts as "configured" too: the stack was set up here */
	if (!ipsec_configured(&pr) && !device_there) {
		_cleanup_free_ char *why = ipsec_not_configured_why(policies, module, &pr);
		hd_result_set(r, HD_SKIPPED, "IPsec is not configured: %s, no %s", why, device);
		return 0;
	}

	if (pr.module_loaded && strcmp(pr.module_state, "Live") != 0 && *pr.module_state) {
		hd_result_detail(r, "module %s is listed but %s", module, pr.module_state);
		hd_result_remedy_add(r, "Wait for module %s to finish loading, or reload it.",
				     module);
		problems++;
	} else if (pr.module_loaded) {
		hd_result_detail(r, "module %s is loaded (%s)", module, pr.module_state);
	} else {
		hd_result_detail(r, "module %s is not loaded (%s)", module,
				 pr.modules_rc == -ENOENT
				     ? "no /proc/modules: this kernel cannot load modules"
				     : "not in /proc/modules");
		hd_result_remedy_add(r,
				     "Load the IPsec engine module into the kernel: modprobe %s "
				     "(or the stack's own start-up script), then start the IPsec "
				     "daemon as root.",
				     module);
		problems++;
	}
	dev = check_device(ctx, device, module, r);
	if (dev == 0)
		problems++;

	hd_result_metric(r, "problems", problems, HD_UNIT_NONE)->has_min = true;
	hd_result_metric(r, "module_loaded", pr.module_loaded, HD_UNIT_NONE);
	hd_result_metric(r, "device_ok", dev > 0, HD_UNIT_NONE);
	if (!r->remedy)
		hd_result_remedy(r,
				 "Keep the engine module %s loaded and its device %s present; "
				 "the IPsec daemon opens the device as root.",
				 module, device);
	if (problems) {
		hd_result_set(r, HD_CRITICAL,
			      "no connection with the packet processing engine can be opened: "
			      "%s%s%s",
			      pr.module_loaded ? "" : "module not loaded",
			      !pr.module_loaded && dev == 0 ? ", " : "",
			      dev == 0 ? "device not usable" : "");
		return 0;
	}
	if (dev < 0) {
		hd_result_set(r, HD_UNKNOWN, "module %s loaded; cannot tell whether %s opens",
			      module, device);
		return dev;
	}
	hd_result_set(r, HD_OK, "engine module %s loaded, device %s opens", module, device);
	return 0;
}

static const struct hd_param params[] = {
    {.key = "module",
     .type = HD_P_STR,
     .required = true,
     .help = "the engine kernel module's name as /proc/modules lists it"},
    {.key = "device",
     .type = HD_P_STR,
     .required = true,
     .help = "the device used to talk to the engine (a character device)"},
    {.key = "policy_files",
     .type = HD_P_LIST,
     .help = "SPD policy files: when one exists, IPsec is configured here"},
    {0},
};

static const struct hd_metric_doc metrics[] = {
    {"problems", "Problems with the engine module and its device (0, 1 or 2)."},
    {"module_loaded", "1 when the engine module is in /proc/modules."},
    {"device_ok", "1 when the engine's device is a character device that opens."},
    {0},
};

const struct hd_probe probe_ipsec_engine = {
    .name = "ipsec-engine",
    .summary = "the IPsec engine kernel module is loaded and its device opens",
    .params = params,
    .metrics = metrics,
    .run = run,
};
