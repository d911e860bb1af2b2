/*
 * Writing the image payload, front to back where the file is: page data
 * streams out first, the record list (kept in memory, small) follows it,
 * the trailer that describes both ends it.
 *
 * Compressed chunks are encoded IW_BATCH at a time on `jobs` threads, then
 * written in order; a record of another kind first writes out the batch,
 * so records stay in the order they were given.
 */
#ifndef FREEZE_IMAGE_WRITER_H
#define FREEZE_IMAGE_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image.h"

#define IW_BATCH 32

struct pending_chunk {
	uint32_t type;            /* FZ_REC_CHUNK or FZ_REC_SHMEM_CHUNK */
	uint64_t addr;
	uint32_t npages;
	uint16_t flags;           /* FZ_CHUNKF_* */
	enum fz_encoding used;
	long stored;              /* encoded bytes in out, or -errno */
	uint8_t *raw;             /* FZ_CHUNK_MAX_PAGES pages */
	uint8_t *out;             /* writer_bound() bytes */
};

struct image_writer {
	int fd;
	const char *dest;         /* the output's name, for messages */
	uint64_t data_end;        /* bytes written, from the payload's start */
	enum fz_encoding encoding;
	uint8_t *records;
	size_t records_len, records_cap;
	uint32_t record_count;
	uint8_t *scratch;         /* one encoded chunk */
	size_t scratch_cap;
	unsigned jobs;            /* encoding threads */
	struct pending_chunk batch[IW_BATCH];
	unsigned npending;
	struct fz_trailer trailer;  /* what iw_finish() wrote */
};

int iw_begin(struct image_writer *w, int fd, const char *dest,
	     enum fz_encoding enc, unsigned jobs);
/* Say that writing to w->dest failed with err; returns err. */
int iw_failed(const struct image_writer *w, int err);
/* A record made of two parts: a struct and a trailing string (b may be NULL). */
int iw_record(struct image_writer *w, uint32_t type, const void *a,
	      size_t alen, const void *b, size_t blen);
/* Encode npages pages at raw, write them, and add their chunk record. */
int iw_chunk(struct image_writer *w, uint64_t addr, uint32_t npages,
	     const void *raw);
/* Where iw_data() put a block of bytes, for the record that describes it. */
struct iw_stored {
	uint32_t encoding;        /* enum fz_encoding actually used */
	uint64_t offset, size;    /* in the page data, from the payload's start */
	uint64_t csum;            /* XXH64 of the stored bytes */
};
/* Encode len (at most one chunk's worth) bytes and write them as page data. */
int iw_data(struct image_writer *w, const void *raw, size_t len,
	    struct iw_stored *where);
/* The same, as a chunk record of another type (FZ_REC_SHMEM_CHUNK). */
int iw_chunk_of(struct image_writer *w, uint32_t type, uint64_t addr,
		uint32_t npages, const void *raw);
/* The same, with FZ_CHUNKF_* flags. */
int iw_chunk_flagged(struct image_writer *w, uint32_t type, uint64_t addr,
		     uint32_t npages, const void *raw, uint16_t flags);
bool iw_page_is_zero(const uint8_t *page);
/*
 * Of n pages at base (their bytes in buf), those wanted[] marks and that are
 * not all zeros, as chunk records of `type`: one chunk a run. Clears the
 * wanted[] of zero pages.
 */
int iw_chunk_runs(struct image_writer *w, uint32_t type, uint64_t base,
		  const uint8_t *buf, bool *wanted, size_t n);
/* Write the records and the trailer; *size gets the payload's size. */
int iw_finish(struct image_writer *w, uint64_t *size);
/*
 * check_image.c: the stub's own record checks (image_verify, built into
 * freeze) on what iw_finish() wrote. 0, or a fail() saying the image would
 * be refused: it must not be kept, and -k must not kill for it.
 */
int iw_check(const struct image_writer *w);
void iw_free(struct image_writer *w);

#endif
