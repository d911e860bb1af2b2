/*
 * Linking the output: the stub (a static PIE embedded in freeze) is
 * relocated with libelf to a hole of the target's address space, and
 * written behind an ELF header of our own, before the payload exists.
 *
 * The output file:  [ELF header][the stub's loaded bytes, with the program
 *                   headers behind its entry code][payload, page-aligned]
 * The address hole: [exit area][stub][stack][scratch for the vdso]
 *                   [room for the payload, which the stub maps itself]
 */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checksum.h"
#include "freeze.h"
#include "stub_abi.h"
#include "image/output.h"

#define PAGE FZ_PAGE_SIZE
#define ALIGN(x, a) (((x) + (a) - 1) & ~((uint64_t)(a) - 1))
#define HEADERS_SIZE PAGE            /* our ELF header and phdrs */
#define SCRATCH_SIZE (1UL << 20)     /* room to park the host's vdso block */
#define HOLE_MARGIN (1UL << 30)      /* keep clear of growing heaps/stacks */
#define MAX_SEGMENTS 8
#define LOW_LIMIT (1UL << 24)

extern const uint8_t stub_blob[], stub_blob_end[];

struct stub_image {
	Elf *elf;
	uint8_t *bytes;          /* a private, relocatable copy of the file */
	size_t size;
	GElf_Phdr load[MAX_SEGMENTS];
	size_t nload;
	uint64_t span;           /* bytes of address space the stub covers */
	uint64_t extent;         /* bytes of the file its segments load */
	uint64_t entry;
};

static int open_stub(struct stub_image *s)
{
	GElf_Ehdr eh;
	size_t nph;

	s->size = (size_t)(stub_blob_end - stub_blob);
	s->bytes = malloc(s->size);
	if (!s->bytes)
		return -ENOMEM;
	memcpy(s->bytes, stub_blob, s->size);
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	s->elf = elf_memory((char *)s->bytes, s->size);
	if (!s->elf || !gelf_getehdr(s->elf, &eh) || elf_getphdrnum(s->elf, &nph))
		return -EINVAL;
	s->entry = eh.e_entry;
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(s->elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (s->nload == MAX_SEGMENTS)
			return -E2BIG;
		s->load[s->nload++] = ph;
		if (ph.p_vaddr + ph.p_memsz > s->span)
			s->span = ALIGN(ph.p_vaddr + ph.p_memsz, PAGE);
		if (ph.p_offset + ph.p_filesz > s->extent)
			s->extent = ph.p_offset + ph.p_filesz;
	}
	return s->nload && s->extent <= s->size ? 0 : -EINVAL;
}

static void close_stub(struct stub_image *s)
{
	if (s->elf)
		elf_end(s->elf);
	free(s->bytes);
}

/* The file offset of a stub virtual address, or NULL outside file data. */
static uint8_t *stub_at(struct stub_image *s, uint64_t vaddr, size_t len)
{
	for (size_t i = 0; i < s->nload; i++) {
		const GElf_Phdr *ph = &s->load[i];
		if (vaddr >= ph->p_vaddr && vaddr + len <= ph->p_vaddr + ph->p_filesz)
			return s->bytes + ph->p_offset + (vaddr - ph->p_vaddr);
	}
	return NULL;
}

static int relocate(struct stub_image *s, uint64_t base)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(s->elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_RELA ||
		    !(sh.sh_flags & SHF_ALLOC))
			continue;
		d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Rela r;
			uint8_t *where;
			if (!gelf_getrela(d, (int)i, &r))
				return -EINVAL;
			where = stub_at(s, r.r_offset, 8);
			if (!where || arch_apply_reloc((uint32_t)GELF_R_TYPE(r.r_info),
						       where, base, r.r_addend))
				return -EINVAL;
		}
	}
	return 0;
}

static int find_symbol(struct stub_image *s, const char *name, uint64_t *value)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(s->elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *n;
			if (!gelf_getsym(d, (int)i, &sym))
				continue;
			n = elf_strptr(s->elf, sh.sh_link, sym.st_name);
			if (n && !strcmp(n, name)) {
				*value = sym.st_value;
				return 0;
			}
		}
	}
	return -ENOENT;
}

/*
 * The hole: the middle of the largest gap below ARCH_STUB_CEILING, so the
 * stub sits far from a heap growing up and from where the kernel puts the
 * new stack and vdso when the image is executed. The payload may take the
 * rest of the gap above the stub, short of the margin: *room_end.
 */
static int pick_hole(const struct target *t, uint64_t size, uint64_t *start,
		     uint64_t *room_end)
{
	uint64_t best_lo = 0, best_len = 0, prev_end = LOW_LIMIT;

	for (size_t i = 0; i <= t->nmaps; i++) {
		uint64_t next = i < t->nmaps ? t->maps[i].start : ARCH_STUB_CEILING;
		if (next > ARCH_STUB_CEILING)
			next = ARCH_STUB_CEILING;
		if (next > prev_end && next - prev_end > best_len) {
			best_lo = prev_end;
			best_len = next - prev_end;
		}
		if (i < t->nmaps && t->maps[i].end > prev_end)
			prev_end = t->maps[i].end;
	}
	if (best_len < size + 2 * PAGE)
		return -ENOMEM;
	if (best_len >= size + 2 * HOLE_MARGIN) {
		*start = ALIGN(best_lo + (best_len - size) / 2, 1UL << 21);
		*room_end = best_lo + best_len - HOLE_MARGIN;
	} else {
		*start = ALIGN(best_lo + PAGE, PAGE);
		*room_end = best_lo + best_len - PAGE;
	}
	return 0;
}

/*
 * Only the bytes the stub's segments load go into the output: its symbols,
 * debug information and section headers would be bytes no checksum covers
 * and nothing reads.
 */
static uint64_t payload_offset(const struct stub_image *s)
{
	return ALIGN(HEADERS_SIZE + s->extent, PAGE);
}

/*
 * The program headers go into the room the stub keeps behind its entry
 * code (phdrs, at file offset phoff); the ELF header goes first in the file.
 * They load the stub only: the payload's size is not known yet.
 */
static int write_headers(int fd, const struct stub_image *s, uint64_t stub_base,
			 Elf64_Phdr *ph, uint64_t phoff)
{
	uint8_t buf[HEADERS_SIZE] = { 0 };
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	size_t n = 0;

	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_ident[EI_OSABI] = ELFOSABI_SYSV;
	eh->e_type = ET_EXEC;
	eh->e_machine = gelf_getehdr(s->elf, &(GElf_Ehdr){ 0 })->e_machine;
	eh->e_version = EV_CURRENT;
	eh->e_entry = stub_base + s->entry;
	eh->e_phoff = phoff;
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	for (size_t i = 0; i < s->nload; i++, n++) {
		ph[n] = (Elf64_Phdr){
			.p_type = PT_LOAD, .p_flags = s->load[i].p_flags,
			.p_offset = HEADERS_SIZE + s->load[i].p_offset,
			.p_vaddr = stub_base + s->load[i].p_vaddr,
			.p_filesz = s->load[i].p_filesz, .p_memsz = s->load[i].p_memsz,
			.p_align = PAGE,
		};
		ph[n].p_paddr = ph[n].p_vaddr;
	}
	ph[n++] = (Elf64_Phdr){ .p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W,
				.p_align = 16 };
	eh->e_phnum = (Elf64_Half)n;
	return write_all(fd, buf, sizeof(buf));
}

/* The read-only segments' places and their chained checksum, into params. */
static int checksum_code(const struct stub_image *s, uint64_t stub_base,
			 struct fz_stub_params *params)
{
	uint64_t h = 0;
	size_t n = 0;

	for (size_t i = 0; i < s->nload; i++) {
		const GElf_Phdr *ph = &s->load[i];
		if (ph->p_flags & PF_W)
			continue;
		if (n == FZ_STUB_CODE_SEGMENTS)
			return -E2BIG;
		params->code[n++] = (struct fz_stub_code){
			.addr = stub_base + ph->p_vaddr, .len = ph->p_filesz };
		h = LZ4_XXH64(s->bytes + ph->p_offset, ph->p_filesz, h);
	}
	params->code_csum = h;
	return 0;
}

int link_output(const struct target *t, const struct output *out,
		uint64_t *payload_room)
{
	struct stub_image s = { 0 };
	struct fz_stub_params params = { .magic = FZ_STUB_PARAMS_MAGIC };
	/* Room for a table entry per record that may need one (stub_abi.h). */
	uint64_t entries = t->nfds + t->npipes + t->nsockets + t->nshmems + t->nmaps;
	uint64_t stacks = fz_stub_stacks_size(t->nthreads) +
			  ALIGN(entries * FZ_STUB_TABLE_ROOM, PAGE);
	uint64_t exit_size = fz_stub_exit_size(t->nthreads);
	uint64_t hole, room_end, stub_base, params_at, phdrs_at, stub_end;
	uint8_t *where, *phdrs;
	int err = open_stub(&s);

	if (err) {
		err = fail(err, "the embedded stub is not a usable ELF file");
		goto done;
	}
	if (pick_hole(t, exit_size + s.span + stacks + SCRATCH_SIZE + PAGE, &hole,
		      &room_end)) {
		err = fail(-ENOMEM, "no free address range in process %d for the "
			   "resume stub", (int)t->pid);
		goto done;
	}
	stub_base = hole + exit_size;
	params.hole_start = hole;
	params.exit_size = exit_size;
	params.stack_addr = stub_base + s.span;
	params.stack_size = stacks;
	params.scratch_addr = params.stack_addr + stacks;
	params.scratch_size = SCRATCH_SIZE;
	params.payload_offset = payload_offset(&s);
	params.payload_addr = params.scratch_addr + SCRATCH_SIZE;
	/* Centring rounds up to 2 MiB: a gap just wide enough has no room left. */
	params.payload_room = room_end > params.payload_addr ?
				      room_end - params.payload_addr : 0;
	*payload_room = params.payload_room;
	if (relocate(&s, stub_base) ||
	    find_symbol(&s, FZ_STUB_PARAMS_SYMBOL, &params_at) ||
	    !(where = stub_at(&s, params_at, sizeof(params))) ||
	    find_symbol(&s, FZ_EARLY_PHDRS_SYMBOL, &phdrs_at) ||
	    s.nload + 1 > FZ_EARLY_PHDRS ||
	    !(phdrs = stub_at(&s, phdrs_at, FZ_EARLY_PHDRS * sizeof(Elf64_Phdr)))) {
		err = fail(-EINVAL, "cannot relocate the embedded stub");
		goto done;
	}
	err = write_headers(out->fd, &s, stub_base, (Elf64_Phdr *)phdrs,
			    HEADERS_SIZE + (uint64_t)(phdrs - s.bytes));
	if (err) {
		err = fail(err, "writing the image to %s", output_name(out));
		goto done;
	}
	/* The program headers just written lie in the code: hash after them. */
	if ((err = checksum_code(&s, stub_base, &params))) {
		err = fail(err, "the embedded stub has too many read-only segments");
		goto done;
	}
	memcpy(where, &params, sizeof(params));
	stub_end = HEADERS_SIZE + s.extent;
	if ((err = write_all(out->fd, s.bytes, s.extent)) ||
	    (err = write_zeros(out->fd, params.payload_offset - stub_end)))
		err = fail(err, "writing the image to %s", output_name(out));
done:
	close_stub(&s);
	return err;
}
