/* nic-rings: NIC RX/TX ring sizes against their maxima, and whether packets are dropped. */
#include "probe_nic_rings.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>

#include "cleanup.h"
#include "netlink.h"
#include "paths.h"
#include "probe.h"
#include "util.h"

/* ---- parsers (bytes in, structs out; shared with the tests) ---- */

static int family_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (mnl_attr_type_valid(a, CTRL_ATTR_MAX) < 0)
		return MNL_CB_OK; /* newer kernel: attributes we do not know */
	if (type == CTRL_ATTR_FAMILY_ID && mnl_attr_validate(a, MNL_TYPE_U16) < 0)
		return MNL_CB_ERROR;
	tb[type] = a;
	return MNL_CB_OK;
}

int nic_rings_family_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1] = {0};
	uint16_t *id = data;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(struct genlmsghdr)))
		return MNL_CB_ERROR;
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb, tb) < 0 ||
	    !tb[CTRL_ATTR_FAMILY_ID]) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	*id = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	return MNL_CB_OK;
}

static int header_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (mnl_attr_type_valid(a, ETHTOOL_A_HEADER_MAX) < 0)
		return MNL_CB_OK;
	if (type == ETHTOOL_A_HEADER_DEV_NAME && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
		return MNL_CB_ERROR;
	tb[type] = a;
	return MNL_CB_OK;
}

static int rings_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (mnl_attr_type_valid(a, ETHTOOL_A_RINGS_MAX) < 0)
		return MNL_CB_OK;
	switch (type) {
	case ETHTOOL_A_RINGS_HEADER:
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
			return MNL_CB_ERROR;
		break;
	case ETHTOOL_A_RINGS_RX_MAX:
	case ETHTOOL_A_RINGS_RX:
	case ETHTOOL_A_RINGS_TX_MAX:
	case ETHTOOL_A_RINGS_TX:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		break;
	}
	tb[type] = a;
	return MNL_CB_OK;
}

int nic_rings_parse(const struct nlmsghdr *nlh, struct nic_rings *out)
{
	const struct nlattr *tb[ETHTOOL_A_RINGS_MAX + 1] = {0};
	const struct nlattr *hb[ETHTOOL_A_HEADER_MAX + 1] = {0};
	const char *name;

	memset(out, 0, sizeof(*out));
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(struct genlmsghdr)))
		return -EBADMSG;
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), rings_attr_cb, tb) < 0)
		return -EBADMSG;
	if (!tb[ETHTOOL_A_RINGS_HEADER] ||
	    mnl_attr_parse_nested(tb[ETHTOOL_A_RINGS_HEADER], header_attr_cb, hb) < 0 ||
	    !hb[ETHTOOL_A_HEADER_DEV_NAME])
		return -EBADMSG;
	name = mnl_attr_get_str(hb[ETHTOOL_A_HEADER_DEV_NAME]);
	if (!*name || strlen(name) >= sizeof(out->ifname))
		return -EBADMSG;
	strcpy(out->ifname, name);
	/* the kernel sends a pair or neither (when the driver's maximum is 0) */
	if (!tb[ETHTOOL_A_RINGS_RX_MAX] != !tb[ETHTOOL_A_RINGS_RX] ||
	    !tb[ETHTOOL_A_RINGS_TX_MAX] != !tb[ETHTOOL_A_RINGS_TX])
		return -EBADMSG;
	if (tb[ETHTOOL_A_RINGS_RX_MAX]) {
		out->has_rx = true;
		out->rx_max = mnl_attr_get_u32(tb[ETHTOOL_A_RINGS_RX_MAX]);
		out->rx = mnl_attr_get_u32(tb[ETHTOOL_A_RINGS_RX]);
	}
	if (tb[ETHTOOL_A_RINGS_TX_MAX]) {
		out->has_tx = true;
		out->tx_max = mnl_attr_get_u32(tb[ETHTOOL_A_RINGS_TX_MAX]);
		out->tx = mnl_attr_get_u32(tb[ETHTOOL_A_RINGS_TX]);
	}
	return 0;
}

int nic_rings_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nic_rings_list *l = data;
	const struct genlmsghdr *g;
	struct nic_rings one;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(struct genlmsghdr)))
		goto bad;
	g = mnl_nlmsg_get_payload(nlh);
	if (g->cmd != ETHTOOL_MSG_RINGS_GET_REPLY)
		return MNL_CB_OK; /* not ours (e.g. a notification) */
	if (nic_rings_parse(nlh, &one) < 0)
		goto bad;
	l->v = hd_xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = one;
	return MNL_CB_OK;
bad:
	if (!l->err)
		l->err = -EBADMSG;
	errno = EBADMSG;
	return MNL_CB_ERROR;
}

void nic_rings_list_free(struct nic_rings_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int nic_counter_parse(const char *bytes, size_t len, uint64_t *out)
{
	const char *p = bytes, *end = bytes + len;
	uint64_t v = 0;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || !isdigit((unsigned char)*p))
		return -EINVAL;
	for (; p < end && isdigit((unsigned char)*p); p++) {
		uint64_t d = (uint64_t)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	while (p < end && isspace((unsigned char)*p))
		p++;
	if (p != end)
		return -EINVAL;
	*out = v;
	return 0;
}

bool nic_rings_below_max(const struct nic_rings *r)
{
	return (r->has_rx && r->rx < r->rx_max) || (r->has_tx && r->tx < r->tx_max);
}

/* ---- transport ---- */

static struct nlmsghdr *genl_start(char *buf, uint16_t type, uint16_t flags, uint8_t cmd,
				   uint8_t version)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

/* The id of the "ethtool" generic netlink family; -ENOENT when the kernel has none. */
static int ethtool_family(double deadline, uint16_t *id)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = genl_start(buf, GENL_ID_CTRL, NLM_F_ACK, CTRL_CMD_GETFAMILY, 1);
	int rc;

	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, ETHTOOL_GENL_NAME);
	*id = 0;
	rc = hd_nl_request(NETLINK_GENERIC, nlh, nic_rings_family_cb, id, deadline);
	if (rc == 0 && *id == 0)
		rc = -ENOENT;
	return rc;
}

/* Rings of IFNAME, or of every interface that supports the query when IFNAME is NULL
 * (a dump leaves out devices that answer EOPNOTSUPP). */
static int rings_netlink(uint16_t family, const char *ifname, double deadline,
			 struct nic_rings_list *l)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = genl_start(buf, family, ifname ? NLM_F_ACK : NLM_F_DUMP,
					  ETHTOOL_MSG_RINGS_GET, ETHTOOL_GENL_VERSION);
	struct nlattr *nest = mnl_attr_nest_start(nlh, ETHTOOL_A_RINGS_HEADER);
	int rc;

	if (ifname)
		mnl_attr_put_strz(nlh, ETHTOOL_A_HEADER_DEV_NAME, ifname);
	mnl_attr_nest_end(nlh, nest);
	rc = hd_nl_request(NETLINK_GENERIC, nlh, nic_rings_cb, l, deadline);
	return l->err ? l->err : rc;
}

/* The ioctl the ethtool command used before netlink: for kernels without the genl family. */
static int rings_ioctl(const char *ifname, struct nic_rings *out)
{
	_cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ethtool_ringparam rp = {.cmd = ETHTOOL_GRINGPARAM};
	struct ifreq ifr = {0};

	if (fd < 0)
		return -errno;
	if (strlen(ifname) >= sizeof(ifr.ifr_name))
		return -ENODEV;
	strcpy(ifr.ifr_name, ifname);
	ifr.ifr_data = (char *)&rp;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
		return -errno;
	memset(out, 0, sizeof(*out));
	strcpy(out->ifname, ifname);
	/* same meaning as on netlink: a maximum of 0 means the ring does not exist */
	out->has_rx = rp.rx_max_pending > 0;
	out->rx_max = rp.rx_max_pending;
	out->rx = rp.rx_pending;
	out->has_tx = rp.tx_max_pending > 0;
	out->tx_max = rp.tx_max_pending;
	out->tx = rp.tx_pending;
	return 0;
}

/* ---- the check ---- */

struct iface {
	char name[IFNAMSIZ];
	int err; /* 0: rings known; -EOPNOTSUPP: no ring query; else cannot tell */
	struct nic_rings rings;
	bool counters;
	uint64_t missed[2], dropped[2];
};

static int read_counter(const struct hd_ctx *ctx, const char *ifname, const char *name,
			uint64_t *out)
{
	char path[256];
	_cleanup_free_ char *bytes = NULL;
	size_t len;
	int rc;

	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/%s", ifname, name);
	rc = hd_read_file(ctx, path, &bytes, &len, 256);
	if (rc < 0)
		return rc;
	return nic_counter_parse(bytes, len, out);
}

static void sample(const struct hd_ctx *ctx, struct iface *v, size_t n, int k)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i].err)
			continue;
		if (k == 0)
			v[i].counters = true;
		if (read_counter(ctx, v[i].name, "rx_missed_errors", &v[i].missed[k]) < 0 ||
		    read_counter(ctx, v[i].name, "rx_dropped", &v[i].dropped[k]) < 0)
			v[i].counters = false;
	}
}

static void sleep_for(double secs)
{
	struct timespec ts = {.tv_sec = (time_t)secs,
			      .tv_nsec = (long)((secs - (double)(time_t)secs) * 1e9)};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* A per-interface metric: one name on every host, the interface in the "device" label. */
static struct hd_metric *if_metric(struct hd_result *r, const char *what, double value,
				   const char *ifname)
{
	return hd_result_metric_of(r, what, "device", ifname, value, HD_UNIT_NONE);
}

static uint64_t growth(const uint64_t c[2])
{
	return c[1] >= c[0] ? c[1] - c[0] : 0; /* a counter reset is not a drop */
}

static void ring_text(const struct nic_rings *r, char *buf, size_t size)
{
	int n = 0;

	buf[0] = '\0';
	if (r->has_rx)
		n = snprintf(buf, size, "rx %" PRIu32 "/%" PRIu32, r->rx, r->rx_max);
	if (r->has_tx && n >= 0 && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n, "%stx %" PRIu32 "/%" PRIu32, n ? ", " : "",
			 r->tx, r->tx_max);
	if (!r->has_rx && !r->has_tx)
		snprintf(buf, size, "no rx/tx rings reported");
}

static void ethtool_args(const struct nic_rings *r, char *buf, size_t size)
{
	int n = snprintf(buf, size, "ethtool -G %s", r->ifname);

	if (r->has_rx && n >= 0 && (size_t)n < size)
		n += snprintf(buf + n, size - (size_t)n, " rx %" PRIu32, r->rx_max);
	if (r->has_tx && n >= 0 && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n, " tx %" PRIu32, r->tx_max);
}

static void remedy(struct hd_result *r, const struct iface *v, size_t n, bool only_below)
{
	bool any = false;

	for (size_t i = 0; i < n; i++) {
		char cmd[128];

		if (v[i].err || (only_below && !nic_rings_below_max(&v[i].rings)))
			continue;
		if (!v[i].rings.has_rx && !v[i].rings.has_tx)
			continue;
		ethtool_args(&v[i].rings, cmd, sizeof(cmd));
		if (!any) {
			hd_result_remedy(r, "See the current and maximum ring sizes: ethtool -g %s",
					 v[i].name);
			hd_result_remedy_add(r, "Raise the rings to their maximum: %s", cmd);
		} else {
			hd_result_remedy_add(r, "  and: %s", cmd);
		}
		hd_result_command_line(r, cmd);
		hd_result_concerns(r, HD_CONCERN_FILE, "/etc/udev/rules.d/60-nic-rings.rules");
		if (!any) {
			hd_result_remedy_add(
			    r,
			    "Make it persistent, one of: a udev rule in "
			    "/etc/udev/rules.d/60-nic-rings.rules: ACTION==\"add\", "
			    "SUBSYSTEM==\"net\", KERNEL==\"%s\", RUN+=\"/usr/sbin/%s\"; "
			    "or under 'iface %s' in /etc/network/interfaces: post-up "
			    "/usr/sbin/%s; or with NetworkManager: nmcli connection modify "
			    "CONNECTION ethtool.ring-rx %" PRIu32 " ethtool.ring-tx %" PRIu32,
			    v[i].name, cmd, v[i].name, cmd, v[i].rings.rx_max, v[i].rings.tx_max);
		}
		any = true;
	}
	if (any)
		hd_result_remedy_add(r,
				     "Drops with rings at their maximum mean the host does not "
				     "drain them fast enough: spread IRQs (irqbalance, RSS queues "
				     "with ethtool -L) and check CPU load.");
}

static int run(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	const char *method = hd_check_str(c, "method");
	double secs = (double)hd_check_int(c, "sample_ms") / 1000.0;
	struct nic_rings_list dump = {0};
	struct iface *v = NULL;
	char **names = NULL;
	size_t n = 0, nsup = 0, nbelow = 0, nwarn = 0;
	uint16_t family = 0;
	bool use_ioctl = strcmp(method, "ioctl") == 0, have_dump = false;
	uint64_t drops = 0;
	int rc = 0, unknown = 0;
	struct hd_buf sum = {0};

	if (hd_check_list(c, "iface", &names) > 0) {
		for (char **p = names; *p; p++) {
			v = hd_xrealloc(v, (n + 1) * sizeof(*v));
			memset(&v[n], 0, sizeof(*v));
			snprintf(v[n].name, sizeof(v[n].name), "%s", *p);
			if (strlen(*p) >= IFNAMSIZ)
				v[n].err = -ENODEV;
			n++;
		}
	} else {
		/* the interfaces of this network namespace, as the kernel lists them */
		struct if_nameindex *ni = if_nameindex();

		if (!ni) {
			rc = -errno;
			hd_result_set(r, HD_UNKNOWN, "cannot list network interfaces: %s",
				      strerror(-rc));
			goto out;
		}
		for (struct if_nameindex *p = ni; p->if_index; p++) {
			v = hd_xrealloc(v, (n + 1) * sizeof(*v));
			memset(&v[n], 0, sizeof(*v));
			snprintf(v[n].name, sizeof(v[n].name), "%s", p->if_name);
			n++;
		}
		if_freenameindex(ni);
	}
	hd_strv_free(names);
	names = NULL;

	if (!use_ioctl) {
		rc = ethtool_family(ctx->deadline, &family);
		if (rc == -ENOENT && strcmp(method, "auto") == 0) {
			use_ioctl = true;
			hd_result_detail(r, "no ethtool generic netlink family: using the "
					    "SIOCETHTOOL ioctl");
		} else if (rc < 0) {
			hd_result_set(r, HD_UNKNOWN,
				      "cannot resolve the generic netlink family 'ethtool': %s",
				      strerror(-rc));
			goto out;
		}
		rc = 0;
	}
	if (!use_ioctl && !hd_check_has(c, "iface")) {
		/* one dump for all; a dump that fails part-way falls back to one query each */
		have_dump = rings_netlink(family, NULL, ctx->deadline, &dump) == 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (v[i].err)
			continue;
		if (use_ioctl) {
			v[i].err = rings_ioctl(v[i].name, &v[i].rings);
		} else if (have_dump) {
			v[i].err = -EOPNOTSUPP; /* the dump leaves out what has no ring query */
			for (size_t k = 0; k < dump.n; k++)
				if (strcmp(dump.v[k].ifname, v[i].name) == 0) {
					v[i].rings = dump.v[k];
					v[i].err = 0;
				}
		} else {
			struct nic_rings_list one = {0};

			v[i].err = rings_netlink(family, v[i].name, ctx->deadline, &one);
			if (v[i].err == 0 && one.n == 1)
				v[i].rings = one.v[0];
			else if (v[i].err == 0)
				v[i].err = -EBADMSG;
			nic_rings_list_free(&one);
		}
	}

	/* two samples of the drop counters of the interfaces that have rings */
	sample(ctx, v, n, 0);
	if (secs > hd_ctx_remaining(ctx) - 0.5)
		secs = hd_ctx_remaining(ctx) - 0.5;
	if (secs > 0)
		sleep_for(secs);
	else
		secs = 0;
	sample(ctx, v, n, 1);

	for (size_t i = 0; i < n; i++) {
		struct iface *f = &v[i];
		char rt[96];
		uint64_t missed, dropped;

		if (f->err == -EOPNOTSUPP) {
			hd_result_detail(r, "%s: ring parameters not supported (does not apply)",
					 f->name);
			continue;
		}
		if (f->err) {
			unknown = unknown ? unknown : f->err;
			hd_buf_printf(&sum, "%s%s: %s", sum.len ? "; " : "", f->name,
				      f->err == -ENODEV ? "no such interface" : strerror(-f->err));
			continue;
		}
		nsup++;
		ring_text(&f->rings, rt, sizeof(rt));
		if (f->rings.has_rx) {
			if_metric(r, "rx", f->rings.rx, f->name);
			if_metric(r, "rx_max", f->rings.rx_max, f->name);
		}
		if (f->rings.has_tx) {
			if_metric(r, "tx", f->rings.tx, f->name);
			if_metric(r, "tx_max", f->rings.tx_max, f->name);
		}
		if (nic_rings_below_max(&f->rings))
			nbelow++;
		if (!f->counters) {
			hd_result_detail(r,
					 "%s: %s; drop counters unreadable in "
					 "%s/sys/class/net/%s/statistics",
					 f->name, rt, ctx->root, f->name);
			continue;
		}
		missed = growth(f->missed);
		dropped = growth(f->dropped);
		drops += missed + dropped;
		if_metric(r, "interface_drops", (double)(missed + dropped), f->name)->has_min =
		    true;
		hd_result_detail(r,
				 "%s: %s; in %.1f s rx_missed_errors +%" PRIu64
				 ", rx_dropped +%" PRIu64 " (totals %" PRIu64 ", %" PRIu64 ")",
				 f->name, rt, secs, missed, dropped, f->missed[1], f->dropped[1]);
		if (nic_rings_below_max(&f->rings) && missed + dropped > 0) {
			nwarn++;
			hd_buf_printf(&sum,
				      "%s%s: ring below maximum (%s) and %" PRIu64
				      " packets dropped in %.1f s",
				      sum.len ? "; " : "", f->name, rt, missed + dropped, secs);
		}
	}
	nic_rings_list_free(&dump);

	if (unknown) {
		hd_result_set(r, HD_UNKNOWN, "%s", sum.data);
		hd_result_remedy(r,
				 "Check the interface names with 'ip -br link' and set 'iface =' "
				 "to existing interfaces (or leave it out to check every one).");
		rc = unknown;
		goto out;
	}
	if (nsup == 0) {
		hd_result_set(r, HD_SKIPPED,
			      "no interface here supports ring parameters (%zu checked)", n);
		goto out;
	}
	hd_result_metric(r, "drops", (double)drops, HD_UNIT_NONE)->has_min = true;
	hd_result_metric(r, "interfaces", (double)nsup, HD_UNIT_NONE);
	hd_result_metric(r, "below_max", (double)nbelow, HD_UNIT_NONE);
	/* the summary metrics first, so Nagios perfdata leads with the primary one */
	if (r->nmetrics > 3) {
		struct hd_metric tail[3];
		memcpy(tail, r->metrics + r->nmetrics - 3, sizeof(tail));
		memmove(r->metrics + 3, r->metrics, (r->nmetrics - 3) * sizeof(*r->metrics));
		memcpy(r->metrics, tail, sizeof(tail));
	}
	if (nwarn) {
		hd_result_set(r, HD_WARNING, "%s", sum.data);
		remedy(r, v, n, true);
	} else {
		if (nsup == 1)
			for (size_t i = 0; i < n; i++)
				if (!v[i].err) {
					char rt[96];
					ring_text(&v[i].rings, rt, sizeof(rt));
					hd_result_set(r, HD_OK,
						      "%s rings %s, %" PRIu64
						      " packets dropped in %.1f s",
						      v[i].name, rt, drops, secs);
				}
		if (nsup > 1)
			hd_result_set(r, HD_OK,
				      "%zu interfaces with rings, %zu below maximum, %" PRIu64
				      " packets dropped in %.1f s",
				      nsup, nbelow, drops, secs);
		remedy(r, v, n, false);
	}
out:
	free(sum.data);
	hd_strv_free(names);
	nic_rings_list_free(&dump);
	free(v);
	return rc;
}

static const struct hd_param params[] = {
    {.key = "iface",
     .type = HD_P_LIST,
     .help = "interfaces to look at (default: every interface of the network namespace)"},
    {.key = "sample_ms",
     .type = HD_P_INT,
     .def = "1000",
     .min = 0,
     .max = 60000,
     .help = "time between the two readings of the drop counters"},
    {.key = "method",
     .type = HD_P_ENUM,
     .def = "auto",
     .choices = "auto|netlink|ioctl",
     .help = "ethtool netlink, the SIOCETHTOOL ioctl, or netlink with the ioctl as fallback"},
    {0},
};

static const struct hd_metric_doc metrics[] = {
    {"drops", "Packets dropped (rx_missed_errors + rx_dropped) during the sample, all "
	      "interfaces with rings."},
    {"interfaces", "Interfaces that report ring parameters."},
    {"below_max", "Interfaces with an RX or TX ring below its maximum."},
    {"rx", "RX ring size of the interface in the device label."},
    {"rx_max", "RX ring maximum of the interface in the device label."},
    {"tx", "TX ring size of the interface in the device label."},
    {"tx_max", "TX ring maximum of the interface in the device label."},
    {"interface_drops", "Packets the interface in the device label dropped during the sample."},
    {0},
};

const struct hd_probe probe_nic_rings = {
    .name = "nic-rings",
    .summary = "NIC RX/TX ring sizes against their maxima while packets are dropped",
    .params = params,
    .metrics = metrics,
    .run = run,
};
