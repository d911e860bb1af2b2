/*
 * patchrec IMAGE TYPE OFFSET MASK: OR the 64-bit little-endian MASK (hex)
 * into the body of every record of TYPE at byte OFFSET, and fix the
 * record's checksum, so the image stays valid but claims something else
 * (a CPU feature, an XSAVE component in use).  Prints how many records it
 * changed.  The payload ends the file, with its trailer.
 */
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

static struct fz_trailer *trailer(uint8_t *file, size_t size)
{
	struct fz_trailer *t;

	if (size < sizeof(*t))
		return NULL;
	t = (struct fz_trailer *)(file + size - sizeof(*t));
	if (memcmp(t->magic, FZ_MAGIC, FZ_MAGIC_LEN) || t->image_size > size ||
	    t->records_offset + t->records_size + sizeof(*t) != t->image_size)
		return NULL;
	return t;
}

int main(int argc, char **argv)
{
	struct stat st;
	uint8_t *file, *base, *r, *end;
	struct fz_trailer *t;
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
	if (file == MAP_FAILED || !(t = trailer(file, (size_t)st.st_size))) {
		fprintf(stderr, "patchrec: %s: no freeze image\n", argv[1]);
		return 1;
	}
	base = file + st.st_size - t->image_size;
	r = base + t->records_offset;
	end = r + t->records_size;
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
