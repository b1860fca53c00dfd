/* kernel-bpf parsers: BTF and ELF headers, os-release values, distro families and package names. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "probe_kernel_bpf.h"

/* A BTF header as the kernel writes it (little-endian host): magic, version 1, hdr_len 24. */
static const unsigned char btf_le[24] = {0x9f, 0xeb, 1, 0, 24, 0, 0, 0};
static const unsigned char btf_be[24] = {0xeb, 0x9f, 1, 0, 0, 0, 0, 24};

static void test_btf_header(void **state)
{
	unsigned char b[24];

	(void)state;
	assert_int_equal(btf_header_check(btf_le, sizeof(btf_le)), 0);
	assert_int_equal(btf_header_check(btf_be, sizeof(btf_be)), 0); /* other byte order */
	assert_int_equal(btf_header_check(btf_le, 23), -EINVAL);       /* truncated */
	memcpy(b, btf_le, sizeof(b));
	b[2] = 2; /* unknown version */
	assert_int_equal(btf_header_check(b, sizeof(b)), -EINVAL);
	memcpy(b, btf_le, sizeof(b));
	b[0] = 0x7f; /* ELF, not BTF */
	assert_int_equal(btf_header_check(b, sizeof(b)), -EINVAL);
	memcpy(b, btf_le, sizeof(b));
	b[4] = 8; /* header shorter than struct btf_header */
	assert_int_equal(btf_header_check(b, sizeof(b)), -EINVAL);
	assert_int_equal(btf_header_check("", 0), -EINVAL);
}

/* The running kernel's own BTF, when it has one: the parser must accept the real thing. */
static void test_btf_live(void **state)
{
	unsigned char b[64];
	int fd = open("/sys/kernel/btf/vmlinux", O_RDONLY);
	ssize_t n;

	(void)state;
	if (fd < 0)
		skip();
	n = read(fd, b, sizeof(b));
	close(fd);
	assert_true(n >= 24);
	assert_int_equal(btf_header_check(b, (size_t)n), 0);
}

/* An ELF64 image: null section, .shstrtab, .BTF (holding a BTF header). */
struct image {
	Elf64_Ehdr eh;
	char strtab[16];
	unsigned char btf[24];
	Elf64_Shdr sh[3];
};

static void build_image(struct image *im)
{
	memset(im, 0, sizeof(*im));
	memcpy(im->eh.e_ident, ELFMAG, SELFMAG);
	im->eh.e_ident[EI_CLASS] = ELFCLASS64;
	im->eh.e_ident[EI_DATA] =
	    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB : ELFDATA2MSB;
	im->eh.e_shoff = offsetof(struct image, sh);
	im->eh.e_shentsize = sizeof(Elf64_Shdr);
	im->eh.e_shnum = 3;
	im->eh.e_shstrndx = 1;
	memcpy(im->strtab, "\0.shstrtab\0.BTF\0", 16);
	memcpy(im->btf, btf_le, sizeof(btf_le));
	if (__BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__)
		memcpy(im->btf, btf_be, sizeof(btf_be));
	im->sh[1] =
	    (Elf64_Shdr){.sh_name = 1, .sh_offset = offsetof(struct image, strtab), .sh_size = 16};
	im->sh[2] =
	    (Elf64_Shdr){.sh_name = 11, .sh_offset = offsetof(struct image, btf), .sh_size = 24};
}

static void test_elf_sections(void **state)
{
	struct image im;
	struct elf_info e;
	struct elf_section s, names;
	const char *base = (const char *)&im;

	(void)state;
	build_image(&im);
	assert_int_equal(elf_header_parse(&im, sizeof(im), &e), 0);
	assert_true(e.is64);
	assert_false(e.swap);
	assert_int_equal(e.shnum, 3);
	assert_int_equal(elf_section_get(&e, base + e.shoff, sizeof(im.sh), e.shstrndx, &names), 0);
	assert_int_equal(names.size, 16);
	assert_int_equal(elf_section_get(&e, base + e.shoff, sizeof(im.sh), 2, &s), 0);
	assert_string_equal(base + names.offset + s.name, ".BTF");
	assert_int_equal(btf_header_check(base + s.offset, s.size), 0);
	/* out of the table */
	assert_int_equal(elf_section_get(&e, base + e.shoff, sizeof(im.sh), 3, &s), -EINVAL);
	assert_int_equal(elf_section_get(&e, base + e.shoff, sizeof(im.sh) - 1, 2, &s), -EINVAL);
}

static void test_elf_malformed(void **state)
{
	struct image im;
	struct elf_info e;

	(void)state;
	build_image(&im);
	assert_int_equal(elf_header_parse(&im, 10, &e), -ENOEXEC);
	assert_int_equal(elf_header_parse(&im, 40, &e), -EINVAL); /* ELF64 header cut short */
	assert_int_equal(elf_header_parse(btf_le, sizeof(btf_le), &e), -ENOEXEC);
	im.eh.e_shstrndx = 3; /* beyond shnum */
	assert_int_equal(elf_header_parse(&im, sizeof(im), &e), -EINVAL);
	build_image(&im);
	im.eh.e_ident[EI_CLASS] = 7;
	assert_int_equal(elf_header_parse(&im, sizeof(im), &e), -EINVAL);
	build_image(&im);
	im.eh.e_shoff = 0; /* no section table */
	assert_int_equal(elf_header_parse(&im, sizeof(im), &e), -EINVAL);
	build_image(&im);
	im.eh.e_shentsize = 8;
	assert_int_equal(elf_header_parse(&im, sizeof(im), &e), -EINVAL);
}

static void test_os_release(void **state)
{
	static const char osr[] = "NAME=\"Oracle Linux Server\"\n"
				  "ID=\"ol\"\n"
				  "ID_LIKE='fedora'\n"
				  "  VERSION_ID=8.9  \n"
				  "PRETTY_NAME=\"say \\\"hi\\\"\"\n"
				  "IDX=wrong\n"
				  "broken line without equals\n"
				  "ID=ol";
	char v[64];

	(void)state;
	os_release_get(osr, strlen(osr), "ID", v, sizeof(v));
	assert_string_equal(v, "ol"); /* last assignment, unquoted */
	os_release_get(osr, strlen(osr), "ID_LIKE", v, sizeof(v));
	assert_string_equal(v, "fedora");
	os_release_get(osr, strlen(osr), "VERSION_ID", v, sizeof(v));
	assert_string_equal(v, "8.9");
	os_release_get(osr, strlen(osr), "PRETTY_NAME", v, sizeof(v));
	assert_string_equal(v, "say \"hi\"");
	os_release_get(osr, strlen(osr), "VARIANT", v, sizeof(v));
	assert_string_equal(v, "");
	os_release_get("ID=\"unterminated", 16, "ID", v, sizeof(v));
	assert_string_equal(v, "unterminated");
	os_release_get("ID=debianlongname", 17, "ID", v, 4); /* cut, NUL-terminated */
	assert_string_equal(v, "deb");
	os_release_get("", 0, "ID", v, sizeof(v));
	assert_string_equal(v, "");
}

static const struct {
	const char *id, *like, *release;
	enum kernel_family fam;
	const char *pkg, *cmd;
} pkg_cases[] = {
    {"rhel", "fedora", "5.14.0-362.8.1.el9_3.x86_64", KF_RHEL,
     "kernel-devel-5.14.0-362.8.1.el9_3.x86_64",
     "dnf install kernel-devel-5.14.0-362.8.1.el9_3.x86_64"},
    {"rocky", "rhel centos fedora", "4.18.0-513.el8.x86_64", KF_RHEL,
     "kernel-devel-4.18.0-513.el8.x86_64", NULL},
    {"ol", "fedora", "5.15.0-200.131.27.el8uek.x86_64", KF_UEK,
     "kernel-uek-devel-5.15.0-200.131.27.el8uek.x86_64", NULL},
    {"ol", "fedora", "4.18.0-513.5.1.el8_9.x86_64", KF_RHEL,
     "kernel-devel-4.18.0-513.5.1.el8_9.x86_64", NULL}, /* Oracle on the RHEL kernel */
    {"amzn", "centos rhel fedora", "5.10.205-195.807.amzn2.x86_64", KF_RHEL, NULL, NULL},
    {"debian", "", "6.1.0-18-amd64", KF_DEBIAN, "linux-headers-6.1.0-18-amd64",
     "apt-get install linux-headers-6.1.0-18-amd64"},
    {"ubuntu", "debian", "5.15.0-91-generic", KF_DEBIAN, "linux-headers-5.15.0-91-generic", NULL},
    {"linuxmint", "ubuntu debian", "5.15.0-91-generic", KF_DEBIAN, NULL, NULL},
    {"sles", "suse", "5.14.21-150500.55.19-default", KF_SUSE, "kernel-default-devel",
     "zypper install kernel-default-devel"},
    {"opensuse-leap", "suse opensuse", "5.14.21-150500.55.39-default", KF_SUSE,
     "kernel-default-devel", NULL},
    {"sles", "suse", "5.14.21-150500.33.29-azure", KF_SUSE, "kernel-azure-devel", NULL},
    {"sles", "suse", "5.14.21-150500.55.19", KF_SUSE, "kernel-default-devel", NULL},
    {"gentoo", "", "6.6.13-gentoo", KF_UNKNOWN, "the kernel headers package for 6.6.13-gentoo",
     NULL},
    {"", "", "6.6.13", KF_UNKNOWN, NULL, NULL}, /* no os-release */
};

static void test_packages(void **state)
{
	char pkg[300], cmd[400];

	(void)state;
	for (size_t i = 0; i < sizeof(pkg_cases) / sizeof(pkg_cases[0]); i++) {
		enum kernel_family f =
		    kernel_family_of(pkg_cases[i].id, pkg_cases[i].like, pkg_cases[i].release);
		if (f != pkg_cases[i].fam)
			fail_msg("%s/%s/%s: family %d, wanted %d", pkg_cases[i].id,
				 pkg_cases[i].like, pkg_cases[i].release, f, pkg_cases[i].fam);
		kernel_headers_package(f, pkg_cases[i].release, pkg, sizeof(pkg), cmd, sizeof(cmd));
		if (pkg_cases[i].pkg)
			assert_string_equal(pkg, pkg_cases[i].pkg);
		if (pkg_cases[i].cmd)
			assert_string_equal(cmd, pkg_cases[i].cmd);
		assert_non_null(kernel_upgrade_command(f));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_btf_header),	 cmocka_unit_test(test_btf_live),
	    cmocka_unit_test(test_elf_sections), cmocka_unit_test(test_elf_malformed),
	    cmocka_unit_test(test_os_release),	 cmocka_unit_test(test_packages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
