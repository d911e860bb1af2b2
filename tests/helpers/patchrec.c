/*
 * patchrec IMAGE TYPE OFFSET MASK: OR the 64-bit little-endian MASK (hex)
 * into the body of every record of TYPE at byte OFFSET, and fix the
 * record's checksum, so the image stays valid but claims something else
 * (a CPU feature, an XSAVE component in use).  Prints how many records it
 * changed.  The payload is found from the ELF program headers: the last
 * PT_LOAD segment, as freeze writes it.
 */
#include <elf.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../include/checksum.h"
#include "../../include/image.h"

static uint8_t *payload(uint8_t *file, size_t size)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)file;
	Elf64_Phdr *ph = (Elf64_Phdr *)(file + eh->e_phoff);
	uint64_t off = 0;

	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD)
			off = ph[i].p_offset;
	if (!off || off + sizeof(struct fz_header) > size ||
	    memcmp(file + off, FZ_MAGIC, FZ_MAGIC_LEN))
		return NULL;
	return file + off;
}

int main(int argc, char **argv)
{
	struct stat st;
	uint8_t *file, *base, *r, *end;
	uint32_t type;
	uint64_t offset, mask;
	int fd, n = 0;

	if (argc != 5) {
		fprintf(stderr, "usage: patchrec IMAGE TYPE OFFSET MASK\n");
		return 2;
	}
	type = (uint32_t)strtoul(argv[2], NULL, 0);
	offset = strtoull(argv[3], NULL, 0);
	mask = strtoull(argv[4], NULL, 16);
	fd = open(argv[1], O_RDWR);
	if (fd < 0 || fstat(fd, &st)) {
		perror(argv[1]);
		return 1;
	}
	file = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (file == MAP_FAILED || !(base = payload(file, (size_t)st.st_size))) {
		fprintf(stderr, "patchrec: %s: no freeze image\n", argv[1]);
		return 1;
	}
	r = base + ((struct fz_header *)base)->records_offset;
	end = r + ((struct fz_header *)base)->records_size;
	while (r + sizeof(struct fz_record) <= end) {
		struct fz_record *h = (struct fz_record *)r;
		uint8_t *body = r + sizeof(*h);
		if (h->type == type && offset + 8 <= h->size) {
			uint64_t v;
			memcpy(&v, body + offset, 8);
			v |= mask;
			memcpy(body + offset, &v, 8);
			h->csum = fz_csum(body, h->size);
			n++;
		}
		r = body + ((h->size + 7) & ~7u);
	}
	munmap(file, (size_t)st.st_size);
	printf("%d\n", n);
	return n ? 0 : 1;
}
