/*
 * Fuzz target for the stub's image verification (stub/image/image_read.c) and
 * the page decoding it vouches for (writers/decode.c), built for the host.
 *
 * The input is a payload: what the stub finds at fz_stub_params.payload_addr.
 * The harness first repairs every checksum it can reach (the trailer's, each
 * record's, each in-bounds chunk's), or almost every mutation would stop at
 * the first checksum and the structural checks behind it would go untested.
 * The copy ends at an inaccessible page, as a payload ends where the mapping
 * does, so a read past the end faults even inside uninstrumented liblz4.
 *
 * Findings: a fault, a hang, or an image that verifies but then does not
 * decode (the stub would fail after its point of no return): abort().
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "checksum.h"
#include "image/image_read.h"
#include "writer.h"

#define PAGE FZ_PAGE_SIZE
#define MAX_INPUT (64UL << 20)
#define ALIGN(x, a) (((x) + (a) - 1) & ~((uint64_t)(a) - 1))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The verdict on the last input: NULL if it verified, else the refusal. */
const char *fuzz_last_refusal;

static uint8_t *area;       /* MAX_INPUT bytes, then a PROT_NONE page */
static uint8_t *scratch;    /* one chunk's raw pages */

static void setup(void)
{
	area = mmap(NULL, MAX_INPUT + PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	scratch = mmap(NULL, FZ_CHUNK_MAX_PAGES * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED || scratch == MAP_FAILED ||
	    mprotect(area + MAX_INPUT, PAGE, PROT_NONE)) {
		perror("image_fuzz: setup");
		exit(2);
	}
}

static void fix_chunk_csum(uint8_t *base, uint64_t size, struct fz_chunk *c)
{
	if (c->data_offset <= size && c->data_size <= size - c->data_offset)
		c->data_csum = fz_csum(base + c->data_offset, c->data_size);
}

/* Make every checksum the reader will compare right, where it can be found. */
static void fix_checksums(uint8_t *base, uint64_t size)
{
	struct fz_trailer *t;
	uint64_t off, end;

	if (size < sizeof(*t))
		return;
	t = (struct fz_trailer *)(base + size - sizeof(*t));
	t->trailer_csum = fz_csum(t, offsetof(struct fz_trailer, trailer_csum));
	if (t->records_offset > size || t->records_offset % 8)
		return;
	off = t->records_offset;
	end = t->records_size < size - off ? off + t->records_size : size;
	while (off < end && end - off >= sizeof(struct fz_record)) {
		struct fz_record *r = (struct fz_record *)(base + off);
		if (r->size > end - off - sizeof(*r))
			return;
		if (r->type == FZ_REC_CHUNK && r->size >= sizeof(struct fz_chunk))
			fix_chunk_csum(base, size, (struct fz_chunk *)(r + 1));
		r->csum = fz_csum(r + 1, r->size);
		off += sizeof(*r) + ALIGN((uint64_t)r->size, 8);
	}
}

/* What the stub does with a verified image: walk it, decode every chunk. */
static void use_verified(const struct image *img)
{
	unsigned threads = 0;

	for_each_record(img, r) {
		if (r->type == FZ_REC_THREAD)
			threads++;
		if (r->type != FZ_REC_CHUNK)
			continue;
		const struct fz_chunk *c = rec_data(r);
		if (writer_decode(c->encoding, img->base + c->data_offset,
				  c->data_size, scratch,
				  (uint64_t)c->npages * PAGE)) {
			fprintf(stderr, "image_fuzz: a verified chunk at %llx "
				"does not decode\n", (unsigned long long)c->addr);
			abort();
		}
	}
	if (!threads || threads > FZ_MAX_THREADS ||
	    !image_find(img, FZ_REC_PROCESS, NULL)) {
		fprintf(stderr, "image_fuzz: verified, but %u threads\n", threads);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct image img = { 0 };
	const char *why = "";
	uint8_t *base;

	if (!area)
		setup();
	if (size > MAX_INPUT - 8)
		return 0;
	/* 8-aligned, as the reader expects, and as close to the guard as that allows. */
	base = area + MAX_INPUT - ALIGN(size, 8);
	memcpy(base, data, size);
	memset(base + size, 0, ALIGN(size, 8) - size);
	fix_checksums(base, size);
	fuzz_last_refusal = NULL;
	if (image_verify(&img, base, size, &why) == 0)
		use_verified(&img);
	else if (!why || !*why)
		abort();    /* a refusal must say why */
	else
		fuzz_last_refusal = why;
	return 0;
}
