/* kernel-bpf: a raw BTF blob or a vmlinux ELF whose .BTF section is looked for as the probe does
 * (its reads at offsets of the file become reads of this buffer). */
#include "fuzz.h"
#include "probe_kernel_bpf.h"

/* LEN bytes at OFF of the input, or NULL (a short read). */
static const uint8_t *at(const uint8_t *d, size_t size, uint64_t off, size_t len)
{
	return off <= size && len <= size - off ? d + off : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = fz_copy(data, size);
	struct elf_info e;
	struct elf_section strs, s;
	const uint8_t *shdrs, *names;
	size_t tlen;

	btf_header_check(buf, size);
	if (elf_header_parse(buf, size, &e) != 0)
		goto out;
	tlen = (size_t)e.shnum * e.shentsize;
	shdrs = at(buf, size, e.shoff, tlen);
	if (!shdrs || elf_section_get(&e, shdrs, tlen, e.shstrndx, &strs) < 0)
		goto out;
	names = at(buf, size, strs.offset, strs.size);
	if (!names)
		goto out;
	for (size_t i = 1; i < e.shnum; i++) {
		const uint8_t *h;
		if (elf_section_get(&e, shdrs, tlen, i, &s) < 0 || s.name >= strs.size)
			continue;
		if (strnlen((const char *)names + s.name, strs.size - s.name) == 4 &&
		    memcmp(names + s.name, ".BTF", 4) == 0 && (h = at(buf, size, s.offset, 24)))
			btf_header_check(h, 24);
	}
out:
	free(buf);
	return 0;
}
