/* The one-value readers: /proc/sys/fs/file-nr (file-handles), a sysctl value (sysctl), a NIC
 * statistics counter (nic-rings), an EFI variable and the lockdown file (secure-boot). */
#include "fuzz.h"
#include "probe_file_handles.h"
#include "probe_nic_rings.h"
#include "probe_secure_boot.h"
#include "probe_sysctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = fz_copy(data, size);
	const char *b = (const char *)buf;
	uint64_t a, m, c;
	double v;
	char text[64];
	uint8_t u8;

	file_nr_parse(b, size, &a, &m);
	for (int field = 0; field < 5; field++)
		sysctl_parse_value(b, size, field, &v, text, sizeof(text));
	nic_counter_parse(b, size, &c);
	efivar_u8_parse(buf, size, &u8);
	lockdown_name(lockdown_parse(b, size));
	free(buf);
	return 0;
}
