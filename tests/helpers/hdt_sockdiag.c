/* Test helper: records a sock_diag dump of this namespace to a file, or prints the sockets of a
 * recording through the probes' parser.
 *   hdt_sockdiag record FILE tcp|udp PORT   (AF_INET then AF_INET6, each ended by NLMSG_DONE)
 *   hdt_sockdiag print FILE                 one line per socket */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netlink.h"
#include "sockdiag.h"

static int save(const struct nlmsghdr *nlh, void *data)
{
	FILE *f = data;

	fwrite(nlh, 1, MNL_ALIGN(nlh->nlmsg_len), f);
	return MNL_CB_OK;
}

static int print(const struct sd_sock *s, void *data)
{
	char local[80];

	(void)data;
	sd_format_local(s, local, sizeof(local));
	printf("%s state=%u local=%s v6only=%d rq=%u wq=%u inode=%s\n",
	       s->family == AF_INET ? "inet" : "inet6", s->state, local, s->v6only, s->rqueue,
	       s->wqueue, s->inode ? "set" : "0");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "record") == 0) {
		FILE *f = fopen(argv[2], "wb");
		const int families[] = {AF_INET, AF_INET6};

		if (!f)
			return 1;
		for (int i = 0; i < 2; i++) {
			char buf[256];
			struct nlmsghdr done = {.nlmsg_len = sizeof(done),
						.nlmsg_type = NLMSG_DONE};
			struct sd_query q = {
			    .family = (uint8_t)families[i],
			    .proto = strcmp(argv[3], "udp") == 0 ? IPPROTO_UDP : IPPROTO_TCP,
			    .states = 0xffffffffu,
			    .port = (uint16_t)atoi(argv[4]),
			};
			int rc = sd_build_request(&q, buf, sizeof(buf));

			if (rc < 0 || (rc = hd_nl_request(NETLINK_SOCK_DIAG, (struct nlmsghdr *)buf,
							  save, f, 0)) < 0) {
				fprintf(stderr, "hdt_sockdiag: dump: %s\n", strerror(-rc));
				return 1;
			}
			fwrite(&done, 1, sizeof(done), f);
		}
		return fclose(f) == 0 ? 0 : 1;
	}
	if (argc == 3 && strcmp(argv[1], "print") == 0) {
		static char buf[1 << 20];
		FILE *f = fopen(argv[2], "rb");
		size_t n;
		int rc;

		if (!f)
			return 1;
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		rc = sd_replay(buf, n, print, NULL);
		if (rc < 0) {
			fprintf(stderr, "hdt_sockdiag: replay: %s\n", strerror(-rc));
			return 1;
		}
		return 0;
	}
	fprintf(stderr, "usage: hdt_sockdiag record FILE tcp|udp PORT | print FILE\n");
	return 2;
}
