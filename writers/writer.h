/*
 * Page-data writers: how a chunk of raw pages is stored in the image.
 * freeze encodes, the stub decodes; both sides link decode.c.
 *
 * A chunk's raw size is always npages * FZ_PAGE_SIZE, at most
 * FZ_CHUNK_MAX_PAGES pages.
 */
#ifndef FREEZE_WRITER_H
#define FREEZE_WRITER_H

#include <stddef.h>
#include "image.h"

/* The most bytes writer_encode() may produce for raw_size input bytes. */
size_t writer_bound(enum fz_encoding enc, size_t raw_size);

/*
 * Encode raw_size bytes of src into dst (cap bytes, at least writer_bound()).
 * Returns the stored size and sets *used to the encoding actually used: a
 * chunk that would not shrink is stored as FZ_ENC_NONE. -errno on failure.
 */
long writer_encode(enum fz_encoding enc, const void *src, size_t raw_size,
		   void *dst, size_t cap, enum fz_encoding *used);

/*
 * Decode stored_size bytes of src into exactly raw_size bytes at dst.
 * Returns 0, or -EINVAL when the data is corrupt or has the wrong size.
 * Never reads or writes outside the two buffers.
 */
long writer_decode(enum fz_encoding enc, const void *src, size_t stored_size,
		   void *dst, size_t raw_size);

/*
 * Would writer_decode() succeed? Checks stored_size bytes of src without
 * writing anything: 0, or -EINVAL when they would not decode to exactly
 * raw_size bytes (or an LZ4 block breaks the format's end rules, which
 * freeze's compressor never does).
 */
long writer_check(enum fz_encoding enc, const void *src, size_t stored_size,
		  size_t raw_size);

/* lz4_check.c: writer_check() for one LZ4 block. */
long lz4_check(const unsigned char *src, size_t n, size_t raw);

/* Name of an encoding for messages; "?" for an unknown one. */
const char *writer_name(enum fz_encoding enc);

#endif
