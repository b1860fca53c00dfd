/* The core-file reader (core-files): an ELF core's NT_PRPSINFO note, from the first bytes of a
 * file named core in a scanned directory. */
#include "fuzz.h"
#include "probe_core_files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = fz_copy(data, size);
	char comm[17], args[81];

	core_elf_program(buf, size, comm, sizeof(comm), args, sizeof(args));
	free(buf);
	return 0;
}
