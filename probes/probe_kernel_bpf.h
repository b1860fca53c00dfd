/* Parsers of kernel-bpf, shared with the tests: BTF and ELF headers, os-release, package names. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A raw BTF blob starts with struct btf_header: magic 0xEB9F (either byte order), version 1. */
int btf_header_check(const void *buf, size_t len); /* 0 or -EINVAL */

/* Where an ELF file keeps its section headers. */
struct elf_info {
	bool is64, swap; /* ELFCLASS64; byte order differs from ours */
	uint64_t shoff;
	uint16_t shentsize, shnum, shstrndx;
};
struct elf_section {
	uint32_t name; /* offset in the section-name string table */
	uint64_t offset, size;
};
/* The ELF header (first 64 bytes are enough). -ENOEXEC when not ELF, -EINVAL when malformed. */
int elf_header_parse(const void *buf, size_t len, struct elf_info *out);
/* Section IDX of the section header table SHDRS (LEN bytes read from e->shoff). */
int elf_section_get(const struct elf_info *e, const void *shdrs, size_t len, size_t idx,
		    struct elf_section *out);

/* KEY's value in /etc/os-release bytes, unquoted; "" when absent. */
void os_release_get(const char *buf, size_t len, const char *key, char *out, size_t size);

enum kernel_family {
	KF_UNKNOWN,
	KF_RHEL, /* RHEL, CentOS, Rocky, Alma, Fedora, Amazon Linux, Oracle with the RHCK kernel */
	KF_UEK,	 /* Oracle Unbreakable Enterprise Kernel */
	KF_DEBIAN, /* Debian, Ubuntu and derivatives */
	KF_SUSE,   /* SLES, openSUSE */
};
/* From os-release ID and ID_LIKE and the kernel release ("uek" in it means Oracle UEK). */
enum kernel_family kernel_family_of(const char *id, const char *id_like, const char *release);
/* The headers package for RELEASE ("kernel-devel-5.14.0-362.el9.x86_64", "linux-headers-6.1.0-
 * 18-amd64", "kernel-default-devel"), and the command that installs it. */
void kernel_headers_package(enum kernel_family f, const char *release, char *pkg, size_t pkgsize,
			    char *cmd, size_t cmdsize);
/* The command that upgrades the kernel to the distribution's current one. */
const char *kernel_upgrade_command(enum kernel_family f);
