/* Core file naming and ELF core parsing of the core-files probe, shared with the tests. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* "core" or "core.*" (core.1234, core.fsavd.1234), as the kernel's core_pattern writes them. */
bool core_file_name(const char *name);

/* The program that dumped an ELF core of this machine's word size: the NT_PRPSINFO note's
 * pr_fname (comm) and pr_psargs (start of the command line), from the first LEN bytes of the
 * file. 0, -EINVAL when it is not an ELF core, -ENODATA when the note lies beyond LEN. */
int core_elf_program(const unsigned char *bytes, size_t len, char *comm, size_t commsize,
		     char *args, size_t argssize);
