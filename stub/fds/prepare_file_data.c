/*
 * Writing a file's saved bytes back: the FILE_BLOCK records that follow
 * its FILE record, decoded one at a time into a buffer of the caller's
 * (FZ_FILE_BLOCK_MAX bytes). The parts no block covers stay holes.
 */
#include "fds/fds.h"
#include "print.h"
#include "stub.h"
#include "sys.h"
#include "writer.h"

static long write_all(int fd, const uint8_t *p, uint64_t len, uint64_t off)
{
	while (len) {
		long n = sys_pwrite64(fd, p, len, off);
		if (n <= 0)
			return n < 0 ? n : -28 /* ENOSPC */;
		p += n, len -= (uint64_t)n, off += (uint64_t)n;
	}
	return 0;
}

long fill_file(const struct stub *st, int fd, const struct fz_file *file,
	       uint8_t *buf)
{
	long err = sys_ftruncate(fd, file->size);

	for_each_record(&st->img, r) {
		const struct fz_file_block *b = rec_data(r);
		const uint8_t *src;
		if (err || r->type != FZ_REC_FILE_BLOCK || b->file_id != file->id)
			continue;
		src = st->img.base + b->data_offset;
		if (b->encoding != FZ_ENC_NONE) {
			if (writer_decode(b->encoding, src, b->data_size, buf, b->raw_len))
				die("image is damaged: the saved bytes of %s do not "
				    "decode", (const char *)(file + 1));
			src = buf;
		}
		err = write_all(fd, src, b->raw_len, b->offset);
	}
	return err;
}
