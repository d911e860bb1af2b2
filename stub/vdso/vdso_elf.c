/* Reading a vdso's exported functions; see vdso_elf.h. */
#include "lib.h"
#include "vdso/vdso_elf.h"

/* Is [off, off + n) inside an image of len bytes? */
static int inside(uint64_t off, uint64_t n, uint64_t len)
{
	return off <= len && n <= len - off;
}

static int bad(const char **why, const char *what)
{
	*why = what;
	return -1;
}

static int open_sections(struct vdso_elf *v, const char **why)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)v->base;

	if (!inside(0, sizeof(*eh), v->len) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64)
		return bad(why, "no 64-bit ELF header");
	if (eh->e_shentsize != sizeof(Elf64_Shdr) ||
	    !inside(eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr), v->len) ||
	    eh->e_shoff % 8)
		return bad(why, "section headers out of bounds");
	v->sections = (const Elf64_Shdr *)(v->base + eh->e_shoff);
	v->nsections = eh->e_shnum;
	return 0;
}

int vdso_elf_open(struct vdso_elf *v, const void *base, uint64_t len,
		  const char **why)
{
	const Elf64_Shdr *sym = 0, *str;

	*v = (struct vdso_elf){ .base = base, .len = len };
	if (open_sections(v, why))
		return -1;
	for (uint32_t i = 0; i < v->nsections && !sym; i++)
		if (v->sections[i].sh_type == SHT_DYNSYM)
			sym = &v->sections[i];
	if (!sym || sym->sh_entsize != sizeof(Elf64_Sym) || sym->sh_offset % 8 ||
	    !inside(sym->sh_offset, sym->sh_size, len) || sym->sh_link >= v->nsections)
		return bad(why, "no readable dynamic symbol table");
	str = &v->sections[sym->sh_link];
	if (str->sh_type != SHT_STRTAB || !inside(str->sh_offset, str->sh_size, len) ||
	    !str->sh_size || v->base[str->sh_offset + str->sh_size - 1])
		return bad(why, "no readable dynamic string table");
	v->syms = (const Elf64_Sym *)(v->base + sym->sh_offset);
	v->nsyms = (uint32_t)(sym->sh_size / sizeof(Elf64_Sym));
	v->names = (const char *)v->base + str->sh_offset;
	v->names_len = str->sh_size;
	return 0;
}

int vdso_elf_func(const struct vdso_elf *v, uint32_t i, const char **name,
		  uint64_t *offset, uint64_t *size)
{
	const Elf64_Sym *s = &v->syms[i];
	const Elf64_Shdr *sec;
	uint64_t off;

	if (i >= v->nsyms || ELF64_ST_TYPE(s->st_info) != STT_FUNC ||
	    s->st_shndx == SHN_UNDEF || s->st_shndx >= v->nsections ||
	    s->st_name >= v->names_len)
		return -1;
	/* A section's addresses map to its file offsets: the image is mapped raw. */
	sec = &v->sections[s->st_shndx];
	if (s->st_value < sec->sh_addr)
		return -1;
	off = s->st_value - sec->sh_addr + sec->sh_offset;
	if (!inside(off, s->st_size, v->len))
		return -1;
	*name = v->names + s->st_name;
	*offset = off;
	*size = s->st_size;
	return 0;
}

int64_t vdso_elf_find(const struct vdso_elf *v, const char *name)
{
	for (uint32_t i = 0; i < v->nsyms; i++) {
		const char *n;
		uint64_t off, size;
		if (!vdso_elf_func(v, i, &n, &off, &size) && !strcmp(n, name))
			return (int64_t)off;
	}
	return -1;
}
