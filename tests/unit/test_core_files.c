/* Core file names and the ELF NT_PRPSINFO note: a built core image, truncated and bogus ones. */
#include <elf.h>
#include <errno.h>
#include <link.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/procfs.h>
#include <cmocka.h>

#include "probe_core_files.h"

static void test_names(void **state)
{
	static const struct {
		const char *name;
		bool core;
	} cases[] = {
	    {"core", true},    {"core.1234", true}, {"core.fsavd.1234", true},
	    {"core.", false},  {"cores", false},    {"score", false},
	    {"core-1", false}, {"Core", false},	    {".core", false},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (core_file_name(cases[i].name) != cases[i].core)
			fail_msg("'%s': wanted %d", cases[i].name, cases[i].core);
}

/* An ELF core of this machine: header, one PT_NOTE, an NT_PRSTATUS-like note and NT_PRPSINFO. */
static size_t build_core(unsigned char *buf, size_t size)
{
	ElfW(Ehdr) eh = {0};
	ElfW(Phdr) ph = {0};
	ElfW(Nhdr) nh = {0};
	prpsinfo_t ps = {0};
	size_t off = sizeof(eh) + sizeof(ph), notes = off;
	unsigned char filler[12] = {0};

	memset(buf, 0, size);
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_type = ET_CORE;
	eh.e_phoff = sizeof(eh);
	eh.e_phentsize = sizeof(ph);
	eh.e_phnum = 1;
	memcpy(buf, &eh, sizeof(eh));

	/* an unrelated note first, as real cores start with NT_PRSTATUS */
	nh = (ElfW(Nhdr)){.n_namesz = 5, .n_descsz = sizeof(filler), .n_type = NT_PRSTATUS};
	memcpy(buf + off, &nh, sizeof(nh));
	memcpy(buf + off + sizeof(nh), "CORE", 5);
	off += sizeof(nh) + 8 + sizeof(filler);
	nh = (ElfW(Nhdr)){.n_namesz = 5, .n_descsz = sizeof(ps), .n_type = NT_PRPSINFO};
	memcpy(buf + off, &nh, sizeof(nh));
	memcpy(buf + off + sizeof(nh), "CORE", 5);
	memcpy(ps.pr_fname, "fsavd", 5);
	strcpy(ps.pr_psargs, "/opt/f-secure/fsavd --conf x");
	memcpy(buf + off + sizeof(nh) + 8, &ps, sizeof(ps));
	off += sizeof(nh) + 8 + ((sizeof(ps) + 3) & ~(size_t)3);

	ph.p_type = PT_NOTE;
	ph.p_offset = notes;
	ph.p_filesz = off - notes;
	memcpy(buf + sizeof(eh), &ph, sizeof(ph));
	return off;
}

static void test_elf(void **state)
{
	unsigned char buf[1024];
	char comm[17], args[81];
	size_t len = build_core(buf, sizeof(buf));

	(void)state;
	assert_int_equal(core_elf_program(buf, len, comm, sizeof(comm), args, sizeof(args)), 0);
	assert_string_equal(comm, "fsavd");
	assert_string_equal(args, "/opt/f-secure/fsavd --conf x");
	/* cut before the note: not enough read, not a crash */
	assert_int_equal(core_elf_program(buf, len - 20, comm, sizeof(comm), args, sizeof(args)),
			 -ENODATA);
	/* every shorter prefix is refused without reading past it */
	for (size_t n = 0; n < len; n++)
		assert_true(core_elf_program(buf, n, comm, sizeof(comm), args, sizeof(args)) < 0);
	/* not a core: an executable */
	buf[offsetof(ElfW(Ehdr), e_type)] = ET_EXEC;
	assert_int_equal(core_elf_program(buf, len, comm, sizeof(comm), args, sizeof(args)),
			 -EINVAL);
	/* a note size that runs past its segment */
	len = build_core(buf, sizeof(buf));
	ElfW(Nhdr) nh = {.n_namesz = 5, .n_descsz = 0xfffffff0, .n_type = NT_PRPSINFO};
	memcpy(buf + sizeof(ElfW(Ehdr)) + sizeof(ElfW(Phdr)), &nh, sizeof(nh));
	assert_int_equal(core_elf_program(buf, len, comm, sizeof(comm), args, sizeof(args)),
			 -EINVAL);
	/* offsets near the top of the address space wrap when added to: compared, not added */
	static const uint64_t far[] = {UINT64_MAX - 3, UINT64_MAX - 7, UINT64_MAX - 11, UINT64_MAX,
				       1ull << 63};
	for (size_t i = 0; i < 2 * sizeof(far) / sizeof(far[0]); i++) {
		ElfW(Phdr) ph;
		ElfW(Ehdr) eh;
		unsigned char *exact;

		len = build_core(buf, sizeof(buf));
		memcpy(&ph, buf + sizeof(ElfW(Ehdr)), sizeof(ph));
		ph.p_offset = far[i / 2];
		ph.p_filesz =
		    i % 2 ? 64 : 2; /* a segment that ends before the address space does */
		memcpy(buf + sizeof(ElfW(Ehdr)), &ph, sizeof(ph));
		exact = malloc(len); /* so the sanitizer build sees any read outside */
		memcpy(exact, buf, len);
		assert_true(core_elf_program(exact, len, comm, sizeof(comm), args, sizeof(args)) <
			    0);
		/* the same with the program header table itself far away */
		len = build_core(buf, sizeof(buf));
		memcpy(&eh, buf, sizeof(eh));
		eh.e_phoff = far[i / 2];
		memcpy(exact, buf, len);
		memcpy(exact, &eh, sizeof(eh));
		assert_true(core_elf_program(exact, len, comm, sizeof(comm), args, sizeof(args)) <
			    0);
		free(exact);
	}
	/* text */
	assert_int_equal(core_elf_program((const unsigned char *)"hello", 5, comm, sizeof(comm),
					  args, sizeof(args)),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_elf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
