#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checksum.h"
#include "image_writer.h"
#include "writer.h"

#define ALIGN(x, a) (((x) + (a) - 1) & ~((uint64_t)(a) - 1))

static int write_at(int fd, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n, len -= (size_t)n, off += (uint64_t)n;
	}
	return 0;
}

int iw_begin(struct image_writer *w, int fd, uint64_t base,
	     enum fz_encoding enc)
{
	*w = (struct image_writer){ .fd = fd, .base = base, .encoding = enc };
	/* Page data starts on the page after the header. */
	w->data_end = FZ_PAGE_SIZE;
	w->scratch_cap = writer_bound(enc, FZ_CHUNK_MAX_PAGES * FZ_PAGE_SIZE);
	w->scratch = malloc(w->scratch_cap);
	return w->scratch ? 0 : -ENOMEM;
}

static int grow_records(struct image_writer *w, size_t more)
{
	size_t cap = w->records_cap ? w->records_cap : 65536;
	uint8_t *g;

	while (cap < w->records_len + more)
		cap *= 2;
	if (cap == w->records_cap)
		return 0;
	g = realloc(w->records, cap);
	if (!g)
		return -ENOMEM;
	w->records = g;
	w->records_cap = cap;
	return 0;
}

int iw_record(struct image_writer *w, uint32_t type, const void *a,
	      size_t alen, const void *b, size_t blen)
{
	size_t size = alen + blen, total = sizeof(struct fz_record) + ALIGN(size, 8);
	struct fz_record head = { .type = type, .size = (uint32_t)size };
	uint8_t *p;
	int err = grow_records(w, total);

	if (err)
		return err;
	p = w->records + w->records_len;
	memset(p, 0, total);
	memcpy(p + sizeof(head), a, alen);
	if (blen)
		memcpy(p + sizeof(head) + alen, b, blen);
	head.csum = fz_csum(p + sizeof(head), size);
	memcpy(p, &head, sizeof(head));
	w->records_len += total;
	w->record_count++;
	return 0;
}

int iw_chunk(struct image_writer *w, uint64_t addr, uint32_t npages,
	     const void *raw)
{
	size_t raw_len = (size_t)npages * FZ_PAGE_SIZE;
	enum fz_encoding used;
	long n = writer_encode(w->encoding, raw, raw_len, w->scratch,
			       w->scratch_cap, &used);
	struct fz_chunk c = { .addr = addr, .npages = npages };
	int err;

	if (n < 0)
		return (int)n;
	/* Raw pages stay page-aligned in the file so they could be mapped. */
	if (used == FZ_ENC_NONE)
		w->data_end = ALIGN(w->data_end, FZ_PAGE_SIZE);
	c.encoding = used;
	c.data_offset = w->data_end;
	c.data_size = (uint64_t)n;
	c.data_csum = fz_csum(w->scratch, (size_t)n);
	err = write_at(w->fd, w->scratch, (size_t)n, w->base + w->data_end);
	if (err)
		return err;
	w->data_end += (uint64_t)n;
	return iw_record(w, FZ_REC_CHUNK, &c, sizeof(c), NULL, 0);
}

int iw_finish(struct image_writer *w, uint64_t *size)
{
	struct fz_header h = {
		.version = FZ_VERSION,
		.header_size = sizeof(h),
		.records_offset = ALIGN(w->data_end, 8),
		.records_size = w->records_len,
		.record_count = w->record_count,
		.encoding = w->encoding,
	};
	int err;

	memcpy(h.magic, FZ_MAGIC, FZ_MAGIC_LEN);
	h.image_size = h.records_offset + h.records_size;
	h.header_csum = fz_csum(&h, offsetof(struct fz_header, header_csum));
	err = write_at(w->fd, w->records, w->records_len, w->base + h.records_offset);
	if (!err)
		err = write_at(w->fd, &h, sizeof(h), w->base);
	*size = h.image_size;
	return err;
}

void iw_free(struct image_writer *w)
{
	free(w->records);
	free(w->scratch);
	w->records = w->scratch = NULL;
}
