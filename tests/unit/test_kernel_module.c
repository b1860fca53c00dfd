/* kernel-module parsers: .modinfo of ELF images built here (64- and 32-bit, with and without
 * __versions), /proc/modules lines, module file names. */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "probe_kernel_module.h"

static const char shstr[] = "\0.shstrtab\0.modinfo\0__versions\0.text";
enum { N_SHSTRTAB = 1, N_MODINFO = 11, N_VERSIONS = 20, N_TEXT = 31 };

/* An ELF relocatable file: null section, .shstrtab, .text, then .modinfo (INFO, INFOLEN bytes;
 * left out when INFO is NULL) and __versions (when VERSIONS). *LEN receives the size. */
static unsigned char *build_ko(bool is64, const char *info, size_t infolen, bool versions,
			       size_t *len)
{
	size_t shent = is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
	size_t ehsize = is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	size_t off_str = ehsize, off_info = off_str + sizeof(shstr), off_ver = off_info + infolen;
	size_t off_sh = (off_ver + 64 + 7) & ~(size_t)7;
	size_t nsec = 3 + (info != NULL) + versions, k = 0;
	unsigned char *b = calloc(1, off_sh + nsec * shent);
	struct {
		uint32_t name;
		size_t off, size;
	} secs[5] = {{0, 0, 0}, {N_SHSTRTAB, off_str, sizeof(shstr)}, {N_TEXT, off_str, 0}};

	k = 3;
	if (info)
		secs[k++] = (typeof(secs[0])){N_MODINFO, off_info, infolen};
	if (versions)
		secs[k++] = (typeof(secs[0])){N_VERSIONS, off_ver, 64};
	memcpy(b + off_str, shstr, sizeof(shstr));
	if (info)
		memcpy(b + off_info, info, infolen);
	memcpy(b, ELFMAG, SELFMAG);
	b[EI_CLASS] = is64 ? ELFCLASS64 : ELFCLASS32;
	b[EI_DATA] = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB : ELFDATA2MSB;
	b[EI_VERSION] = EV_CURRENT;
	if (is64) {
		Elf64_Ehdr *eh = (Elf64_Ehdr *)b;
		eh->e_type = ET_REL;
		eh->e_shoff = off_sh;
		eh->e_shentsize = (uint16_t)shent;
		eh->e_shnum = (uint16_t)nsec;
		eh->e_shstrndx = 1;
		for (size_t i = 0; i < nsec; i++) {
			Elf64_Shdr *sh = (Elf64_Shdr *)(b + off_sh + i * shent);
			sh->sh_name = secs[i].name;
			sh->sh_type = i ? SHT_PROGBITS : SHT_NULL;
			sh->sh_offset = secs[i].off;
			sh->sh_size = secs[i].size;
		}
	} else {
		Elf32_Ehdr *eh = (Elf32_Ehdr *)b;
		eh->e_type = ET_REL;
		eh->e_shoff = (uint32_t)off_sh;
		eh->e_shentsize = (uint16_t)shent;
		eh->e_shnum = (uint16_t)nsec;
		eh->e_shstrndx = 1;
		for (size_t i = 0; i < nsec; i++) {
			Elf32_Shdr *sh = (Elf32_Shdr *)(b + off_sh + i * shent);
			sh->sh_name = secs[i].name;
			sh->sh_type = i ? SHT_PROGBITS : SHT_NULL;
			sh->sh_offset = (uint32_t)secs[i].off;
			sh->sh_size = (uint32_t)secs[i].size;
		}
	}
	*len = off_sh + nsec * shent;
	return b;
}

#define INFO(s) s, sizeof(s) - 1

static void test_ko_parse(void **state)
{
	static const struct {
		bool is64;
		const char *info;
		size_t infolen;
		bool versions;
		int rc;
		const char *release, *name;
	} cases[] = {
	    {true,
	     INFO("license=GPL\0name=ampfsm\0vermagic=4.18.0-305.el8.x86_64 SMP mod_unload "
		  "modversions \0"),
	     true, 0, "4.18.0-305.el8.x86_64", "ampfsm"},
	    {false,
	     INFO("vermagic=3.10.0-1160.el7.i686 SMP mod_unload 686 \0name=ampnetworkflow\0"),
	     false, 0, "3.10.0-1160.el7.i686", "ampnetworkflow"},
	    /* no name= (older modules): the file name decides */
	    {true, INFO("vermagic=6.1.0-18-amd64 SMP preempt mod_unload modversions \0"), false, 0,
	     "6.1.0-18-amd64", ""},
	    /* vermagic as the last string, without its NUL */
	    {true, INFO("name=x\0vermagic=5.14.0-362.el9.x86_64"), false, 0,
	     "5.14.0-362.el9.x86_64", "x"},
	    {true, INFO("name=ampfsm\0license=GPL\0"), false, -ENOENT, "", ""}, /* no vermagic */
	    {true, INFO("vermagic=\0"), false, -ENOENT, "", ""},		/* empty */
	    {true, INFO("vermagic= SMP\0"), false, -ENOENT, "", ""},		/* no release */
	    {true, NULL, 0, false, -ENOENT, "", ""},				/* no .modinfo */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len;
		unsigned char *b = build_ko(cases[i].is64, cases[i].info, cases[i].infolen,
					    cases[i].versions, &len);
		struct ko_info ko;
		int rc = ko_parse(b, len, &ko);

		if (rc != cases[i].rc)
			fail_msg("case %zu: rc %d, wanted %d", i, rc, cases[i].rc);
		if (rc == 0) {
			assert_string_equal(ko.release, cases[i].release);
			assert_string_equal(ko.name, cases[i].name);
			assert_int_equal(ko.modversions, cases[i].versions);
			assert_true(strncmp(ko.vermagic, cases[i].release, strlen(ko.release)) ==
				    0);
		}
		free(b);
	}
}

static void test_ko_malformed(void **state)
{
	static const char info[] = "vermagic=4.18.0 SMP\0";
	struct ko_info ko;
	size_t len;
	unsigned char *b;

	(void)state;
	assert_int_equal(ko_parse("not an elf file at all, really", 30, &ko), -ENOEXEC);
	assert_int_equal(ko_parse("", 0, &ko), -ENOEXEC);
	b = build_ko(true, info, sizeof(info), false, &len);
	/* the section table cut off: every length short of the whole file is refused or parsed */
	for (size_t l = 0; l < len; l++) {
		int rc = ko_parse(b, l, &ko);
		assert_true(rc == -EINVAL || rc == -ENOEXEC || rc == -ENOENT);
	}
	assert_int_equal(ko_parse(b, len, &ko), 0);
	/* .modinfo pointing past the end of the file */
	((Elf64_Shdr *)(b + ((Elf64_Ehdr *)b)->e_shoff))[3].sh_offset = len + 100;
	assert_int_equal(ko_parse(b, len, &ko), -EINVAL);
	/* a section name offset outside .shstrtab: that section is not .modinfo */
	((Elf64_Shdr *)(b + ((Elf64_Ehdr *)b)->e_shoff))[3].sh_name = 4000;
	assert_int_equal(ko_parse(b, len, &ko), -ENOENT);
	free(b);
}

static void test_modinfo_get(void **state)
{
	static const char info[] = "alias=x\0name=ampfsm\0vermagic=1.2.3 SMP\0namex=no\0";
	size_t n;
	const char *v;

	(void)state;
	v = modinfo_get(info, sizeof(info) - 1, "name", &n);
	assert_non_null(v);
	assert_int_equal(n, 6);
	assert_memory_equal(v, "ampfsm", 6);
	assert_null(modinfo_get(info, sizeof(info) - 1, "nam", &n));
	assert_null(modinfo_get(info, sizeof(info) - 1, "license", &n));
	assert_null(modinfo_get("", 0, "name", &n));
}

static void test_proc_modules(void **state)
{
	static const char mods[] = "ampnetworkflow 45056 2 - Live 0xffffffffc0a1e000 (OE)\n"
				   "xt_TPROXY 20480 0 - Live 0xffffffffc0a14000\n"
				   "amp_fsm_helper 16384 0 - Loading 0xffffffffc0a00000\n"
				   "nf_tproxy_ipv6 16384 1 xt_TPROXY, Unloading 0xffffffffc09f6000";
	char st[16];

	(void)state;
	assert_int_equal(
	    proc_modules_find(mods, sizeof(mods) - 1, "ampnetworkflow", st, sizeof(st)), 1);
	assert_string_equal(st, "Live");
	assert_int_equal(proc_modules_find(mods, sizeof(mods) - 1, "ampfsm", st, sizeof(st)), 0);
	/* '-' and '_' are the same in module names */
	assert_int_equal(
	    proc_modules_find(mods, sizeof(mods) - 1, "amp-fsm-helper", st, sizeof(st)), 1);
	assert_string_equal(st, "Loading");
	/* the last line without a newline */
	assert_int_equal(
	    proc_modules_find(mods, sizeof(mods) - 1, "nf_tproxy_ipv6", st, sizeof(st)), 1);
	assert_string_equal(st, "Unloading");
	assert_int_equal(proc_modules_find(mods, sizeof(mods) - 1, "xt_TPROX", st, sizeof(st)), 0);
	assert_int_equal(proc_modules_find("", 0, "x", st, sizeof(st)), 0);
}

static void test_file_names(void **state)
{
	static const struct {
		const char *base, *name;
		bool want;
	} cases[] = {
	    {"ampfsm.ko", "ampfsm", true},
	    {"ampfsm-4.18.0-305.el8.x86_64.ko", "ampfsm", true},
	    {"ampfsm_rhel8.ko", "ampfsm", true},
	    {"ampfsm.ko.xz", "ampfsm", false}, /* compressed modules are not read */
	    {"ampfsmx.ko", "ampfsm", false},
	    {"ampfsm", "ampfsm", false},
	    {"amp-fsm.ko", "amp_fsm", true},
	    {".ko", "", false},
	    {"ampnetworkflow.ko", "ampfsm", false},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (ko_file_matches(cases[i].base, cases[i].name) != cases[i].want)
			fail_msg("'%s' for '%s': wanted %d", cases[i].base, cases[i].name,
				 cases[i].want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ko_parse),	cmocka_unit_test(test_ko_malformed),
	    cmocka_unit_test(test_modinfo_get), cmocka_unit_test(test_proc_modules),
	    cmocka_unit_test(test_file_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
