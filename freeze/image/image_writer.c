#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "checksum.h"
#include "freeze.h"
#include "image/image_writer.h"
#include "writer.h"

#define ALIGN(x, a) (((x) + (a) - 1) & ~((uint64_t)(a) - 1))

int iw_begin(struct image_writer *w, int fd, const char *dest,
	     enum fz_encoding enc, unsigned jobs)
{
	*w = (struct image_writer){ .fd = fd, .dest = dest, .encoding = enc,
				    .jobs = jobs ? jobs : 1 };
	w->scratch_cap = writer_bound(enc, FZ_CHUNK_MAX_PAGES * FZ_PAGE_SIZE);
	w->scratch = malloc(w->scratch_cap);
	if (!w->scratch)
		return -ENOMEM;
	for (unsigned i = 0; enc != FZ_ENC_NONE && i < IW_BATCH; i++) {
		w->batch[i].raw = malloc(FZ_CHUNK_MAX_PAGES * FZ_PAGE_SIZE);
		w->batch[i].out = malloc(w->scratch_cap);
		if (!w->batch[i].raw || !w->batch[i].out)
			return -ENOMEM;
	}
	return 0;
}

int iw_failed(const struct image_writer *w, int err)
{
	return fail(err, "writing the image to %s", w->dest);
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

static int append_record(struct image_writer *w, uint32_t type, const void *a,
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

/* The payload is written front to back: never a seek, so it can be a pipe. */
static int emit(struct image_writer *w, const void *data, size_t n)
{
	int err = write_all(w->fd, data, n);

	if (!err)
		w->data_end += n;
	return err;
}

static int pad_to(struct image_writer *w, uint64_t align)
{
	uint64_t pad = ALIGN(w->data_end, align) - w->data_end;
	int err = write_zeros(w->fd, pad);

	if (!err)
		w->data_end += pad;
	return err;
}

/* Append one encoded chunk's data and its record. */
static int write_chunk(struct image_writer *w, uint32_t type, uint64_t addr,
		       uint32_t npages, uint16_t flags, enum fz_encoding used,
		       const uint8_t *data, long n)
{
	struct fz_chunk c = { .addr = addr, .npages = npages, .flags = flags };
	int err;

	if (n < 0)
		return (int)n;
	/* Raw pages stay page-aligned in the file so they could be mapped. */
	if (used == FZ_ENC_NONE && (err = pad_to(w, FZ_PAGE_SIZE)))
		return err;
	c.encoding = used;
	c.data_offset = w->data_end;
	c.data_size = (uint64_t)n;
	c.data_csum = fz_csum(data, (size_t)n);
	err = emit(w, data, (size_t)n);
	return err ? err : append_record(w, type, &c, sizeof(c), NULL, 0);
}

struct encode_job {
	struct image_writer *w;
	unsigned first;
};

/* Encode every jobs-th pending chunk, from `first`. */
static void *encode_some(void *arg)
{
	struct encode_job *j = arg;
	struct image_writer *w = j->w;

	for (unsigned i = j->first; i < w->npending; i += w->jobs) {
		struct pending_chunk *p = &w->batch[i];
		p->stored = writer_encode(w->encoding, p->raw,
					  (size_t)p->npages * FZ_PAGE_SIZE, p->out,
					  w->scratch_cap, &p->used);
	}
	return NULL;
}

/* Encode the pending chunks on all threads, then write them in order. */
static int flush_batch(struct image_writer *w)
{
	struct encode_job jobs[IW_BATCH];
	pthread_t threads[IW_BATCH];
	unsigned started = 0, n = w->jobs < w->npending ? w->jobs : w->npending;
	int err = 0;

	for (unsigned k = 0; k < n; k++)
		jobs[k] = (struct encode_job){ .w = w, .first = k };
	for (unsigned k = 1; k < n; k++, started++)
		if (pthread_create(&threads[k], NULL, encode_some, &jobs[k]))
			break;
	/* This thread takes its share, and that of any thread not started. */
	for (unsigned k = 0; k < n; k++)
		if (k == 0 || k > started)
			encode_some(&jobs[k]);
	for (unsigned k = 1; k <= started; k++)
		pthread_join(threads[k], NULL);
	for (unsigned i = 0; !err && i < w->npending; i++) {
		struct pending_chunk *p = &w->batch[i];
		err = write_chunk(w, p->type, p->addr, p->npages, p->flags, p->used,
				  p->out, p->stored);
	}
	w->npending = 0;
	return err;
}

int iw_chunk(struct image_writer *w, uint64_t addr, uint32_t npages,
	     const void *raw)
{
	return iw_chunk_of(w, FZ_REC_CHUNK, addr, npages, raw);
}

int iw_chunk_of(struct image_writer *w, uint32_t type, uint64_t addr,
		uint32_t npages, const void *raw)
{
	return iw_chunk_flagged(w, type, addr, npages, raw, 0);
}

int iw_chunk_flagged(struct image_writer *w, uint32_t type, uint64_t addr,
		     uint32_t npages, const void *raw, uint16_t flags)
{
	struct pending_chunk *p;
	enum fz_encoding used;
	long n;

	if (w->encoding == FZ_ENC_NONE) {
		n = writer_encode(w->encoding, raw, (size_t)npages * FZ_PAGE_SIZE,
				  w->scratch, w->scratch_cap, &used);
		return write_chunk(w, type, addr, npages, flags, used, w->scratch, n);
	}
	p = &w->batch[w->npending++];
	p->type = type;
	p->flags = flags;
	p->addr = addr;
	p->npages = npages;
	memcpy(p->raw, raw, (size_t)npages * FZ_PAGE_SIZE);
	return w->npending == IW_BATCH ? flush_batch(w) : 0;
}

bool iw_page_is_zero(const uint8_t *p)
{
	static const uint8_t zero[FZ_PAGE_SIZE];

	return !memcmp(p, zero, FZ_PAGE_SIZE);
}

int iw_chunk_runs(struct image_writer *w, uint32_t type, uint64_t base,
		  const uint8_t *buf, bool *wanted, size_t n)
{
	size_t i = 0;

	for (size_t k = 0; k < n; k++)
		wanted[k] = wanted[k] && !iw_page_is_zero(buf + k * FZ_PAGE_SIZE);
	while (i < n) {
		size_t start;
		int err;
		while (i < n && !wanted[i])
			i++;
		start = i;
		while (i < n && wanted[i])
			i++;
		if (i == start)
			continue;
		err = iw_chunk_of(w, type, base + start * FZ_PAGE_SIZE,
				  (uint32_t)(i - start), buf + start * FZ_PAGE_SIZE);
		if (err)
			return err;
	}
	return 0;
}

int iw_data(struct image_writer *w, const void *raw, size_t len,
	    struct iw_stored *where)
{
	enum fz_encoding used;
	int err = w->npending ? flush_batch(w) : 0;
	long n;

	if (err)
		return err;
	if (len > FZ_CHUNK_MAX_PAGES * FZ_PAGE_SIZE)
		return -EINVAL;
	n = writer_encode(w->encoding, raw, len, w->scratch, w->scratch_cap, &used);
	if (n < 0)
		return (int)n;
	*where = (struct iw_stored){ .encoding = used, .offset = w->data_end,
				     .size = (uint64_t)n,
				     .csum = fz_csum(w->scratch, (size_t)n) };
	return emit(w, w->scratch, (size_t)n);
}

int iw_record(struct image_writer *w, uint32_t type, const void *a,
	      size_t alen, const void *b, size_t blen)
{
	int err = w->npending ? flush_batch(w) : 0;

	return err ? err : append_record(w, type, a, alen, b, blen);
}

int iw_finish(struct image_writer *w, uint64_t *size)
{
	struct fz_trailer t = { .version = FZ_VERSION, .trailer_size = sizeof(t) };
	int err = w->npending ? flush_batch(w) : 0;

	if (!err)
		err = pad_to(w, 8);
	if (err)
		return err;
	memcpy(t.magic, FZ_MAGIC, FZ_MAGIC_LEN);
	t.records_offset = w->data_end;
	t.records_size = w->records_len;
	t.record_count = w->record_count;
	t.encoding = w->encoding;
	t.image_size = t.records_offset + t.records_size + sizeof(t);
	t.trailer_csum = fz_csum(&t, offsetof(struct fz_trailer, trailer_csum));
	err = emit(w, w->records, w->records_len);
	if (!err)
		err = emit(w, &t, sizeof(t));
	w->trailer = t;
	*size = t.image_size;
	return err;
}

void iw_free(struct image_writer *w)
{
	for (unsigned i = 0; i < IW_BATCH; i++) {
		free(w->batch[i].raw);
		free(w->batch[i].out);
	}
	free(w->records);
	free(w->scratch);
	w->records = w->scratch = NULL;
}
