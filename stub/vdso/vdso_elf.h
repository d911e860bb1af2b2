/*
 * The exported functions of a vdso image, read from its own section
 * headers and dynamic symbol table. The image may be the one recorded in
 * the process's image (checksummed, but still bounds-checked here) or the
 * host kernel's own.
 */
#ifndef FREEZE_STUB_VDSO_ELF_H
#define FREEZE_STUB_VDSO_ELF_H

#include <linux/elf.h>
#include <stdint.h>

struct vdso_elf {
	const uint8_t *base;
	uint64_t len;
	const Elf64_Shdr *sections;
	uint32_t nsections;
	const Elf64_Sym *syms;
	uint32_t nsyms;
	const char *names;
	uint64_t names_len;
};

/* 0, or -1 with *why naming what is wrong with the image. */
int vdso_elf_open(struct vdso_elf *v, const void *base, uint64_t len,
		  const char **why);

/*
 * Symbol i if it is a defined function: its name, offset in the image and
 * size. 0, or -1 for any other symbol (or one whose bytes are out of bounds).
 */
int vdso_elf_func(const struct vdso_elf *v, uint32_t i, const char **name,
		  uint64_t *offset, uint64_t *size);

/* The offset of the function `name`, or -1 when the image lacks it. */
int64_t vdso_elf_find(const struct vdso_elf *v, const char *name);

#endif
