/*
 * The FILE records, each followed by the blocks of bytes it carries. Only
 * the data parts of a sparse file are read (SEEK_DATA / SEEK_HOLE), and
 * all-zero blocks are left out: the stub's rebuilt file reads as zeros
 * wherever no block lands.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"
#include "fds/fds.h"
#include "freeze.h"
#include "image/image_writer.h"

static bool all_zero(const uint8_t *p, size_t n)
{
	return n == 0 || (p[0] == 0 && !memcmp(p, p + 1, n - 1));
}

/* The next data range at or after *off, up to size; false at the end. */
static bool next_data(int fd, uint64_t size, uint64_t *off, uint64_t *end)
{
	off_t data = lseek(fd, (off_t)*off, SEEK_DATA), hole;

	if (data < 0 && errno == ENXIO)
		return false;
	if (data < 0)  /* no SEEK_DATA here: read everything */
		data = (off_t)*off;
	hole = lseek(fd, data, SEEK_HOLE);
	*off = (uint64_t)data;
	*end = hole < 0 || (uint64_t)hole > size ? size : (uint64_t)hole;
	return *off < size;
}

static int write_block(struct image_writer *w, const struct file_entry *f,
		       uint64_t off, const uint8_t *buf, size_t len)
{
	struct fz_file_block b = { .file_id = f->rec.id, .offset = off,
				   .raw_len = (uint32_t)len };
	struct iw_stored where;
	int err;

	if (all_zero(buf, len))
		return 0;
	if ((err = iw_data(w, buf, len, &where)))
		return err;
	b.encoding = where.encoding;
	b.data_offset = where.offset;
	b.data_size = where.size;
	b.data_csum = where.csum;
	return iw_record(w, FZ_REC_FILE_BLOCK, &b, sizeof(b), NULL, 0);
}

static int write_contents(struct image_writer *w, const struct file_entry *f,
			  uint8_t *buf)
{
	uint64_t off = 0, end;
	int err;

	while (next_data(f->fd, f->rec.size, &off, &end)) {
		while (off < end) {
			size_t want = end - off < FZ_FILE_BLOCK_MAX ? end - off : FZ_FILE_BLOCK_MAX;
			ssize_t n = pread(f->fd, buf, want, (off_t)off);
			if (n < 0)
				return fail(-errno, "reading %s to save it", f->path);
			if (n == 0)  /* it shrank meanwhile: the rest reads as zeros */
				return 0;
			if ((err = write_block(w, f, off, buf, (size_t)n)))
				return fail(err, "writing the contents of %s", f->path);
			off += (uint64_t)n;
		}
		if ((err = check_interrupted()))
			return err;
	}
	return 0;
}

int write_files(const struct target *t, struct image_writer *w)
{
	uint8_t *buf = NULL;
	int err = 0;

	for (size_t i = 0; !err && i < t->nfiles; i++) {
		const struct file_entry *f = &t->files[i];
		struct fz_file rec = f->rec;
		size_t plen = strlen(f->path) + 1;
		rec.path_len = (uint32_t)plen;
		err = iw_record(w, FZ_REC_FILE, &rec, sizeof(rec), f->path, plen);
		if (err) {
			err = iw_failed(w, err);
			break;
		}
		if (!(f->rec.flags & FZ_FILEF_CONTENT))
			continue;
		if (!buf && !(buf = malloc(FZ_FILE_BLOCK_MAX))) {
			err = fail(-ENOMEM, "saving file contents");
			break;
		}
		err = write_contents(w, f, buf);
	}
	free(buf);
	return err;
}
