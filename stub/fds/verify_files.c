/*
 * Verification of the records about files: FILE, FILE_BLOCK, DEAD_PATH, LOCK
 * and the fd kinds that name them. Runs with image_verify(), before anything is
 * changed: every id must name a record before it, every block must follow
 * its FILE record, its bytes lie in the page-data area, match their
 * checksum and fit in their file.
 */
#include "checksum.h"
#include "image/image_read.h"

#define EBADMSG 74

static int bad(const char **why, const char *what)
{
	*why = what;
	return -EBADMSG;
}

static int check_file(const struct fz_record *r, uint64_t files, const char **why)
{
	const struct fz_file *f = rec_data(r);
	const char *path = (const char *)(f + 1);

	if (r->size < sizeof(*f) || f->path_len != r->size - sizeof(*f) ||
	    f->path_len < 2 || path[0] != '/' || path[f->path_len - 1] ||
	    f->id != files + 1 ||
	    ((f->flags & FZ_FILEF_DELETED) && !(f->flags & FZ_FILEF_CONTENT)))
		return bad(why, "bad file record");
	return 0;
}

/* f: the last FILE record before this block, which must be its file. */
static int check_block(const struct image *img, const struct fz_record *r,
		       const struct fz_file *f, const char **why)
{
	const struct fz_file_block *b = rec_data(r);
	uint64_t data_end = img->trailer->records_offset;

	if (r->size != sizeof(*b) || !f || b->file_id != f->id ||
	    !(f->flags & FZ_FILEF_CONTENT) || b->raw_len == 0 ||
	    b->raw_len > FZ_FILE_BLOCK_MAX || b->offset > f->size ||
	    b->raw_len > f->size - b->offset)
		return bad(why, "file block outside its file");
	if (b->data_offset > data_end ||
	    b->data_size > data_end - b->data_offset ||
	    (b->encoding == FZ_ENC_NONE && b->data_size != b->raw_len) ||
	    (b->encoding != FZ_ENC_NONE && b->encoding != FZ_ENC_LZ4))
		return bad(why, "file block data out of bounds");
	if (!img->records_only &&
	    fz_csum(img->base + b->data_offset, b->data_size) != b->data_csum)
		return bad(why, "file data checksum mismatch");
	return 0;
}

/* A DEAD_PATH record: an absolute path, then a target iff a symlink. */
static int check_dead_path(const struct fz_record *r, uint64_t deads, const char **why)
{
	const struct fz_dead_path *d = rec_data(r);
	const char *path = (const char *)(d + 1);
	int link = (d->mode & 0170000) == 0120000, dir = (d->mode & 0170000) == 0040000;

	if (r->size < sizeof(*d) || d->path_len < 2 || d->path_len > r->size - sizeof(*d) ||
	    d->target_len != r->size - sizeof(*d) - d->path_len || path[0] != '/' ||
	    path[d->path_len - 1] || d->id != deads + 1 || !(link || dir) ||
	    (link != (d->target_len >= 2)) ||
	    (d->target_len && path[d->path_len + d->target_len - 1]) ||
	    (d->flags & ~FZ_DEADF_CWD) || ((d->flags & FZ_DEADF_CWD) && !dir))
		return bad(why, "bad removed directory or symlink record");
	return 0;
}

static int check_fd(const struct fz_record *r, uint64_t files, uint64_t deads, const char **why)
{
	const struct fz_fd *f = rec_data(r);

	if (r->size < sizeof(*f))
		return 0;  /* image_read.c refuses it */
	if (f->kind == FZ_FD_REG && (f->object_id == 0 || f->object_id > files))
		return bad(why, "file descriptor names a missing file record");
	if (f->kind == FZ_FD_DEAD_PATH && (f->object_id == 0 || f->object_id > deads))
		return bad(why, "file descriptor names a missing removed directory "
				"or symlink record");
	if ((f->kind == FZ_FD_DIR || f->kind == FZ_FD_OPATH ||
	     f->kind == FZ_FD_PROC || f->kind == FZ_FD_CHARDEV) &&
	    f->path_len < 2)
		return bad(why, "directory, O_PATH, /proc or device fd without a path");
	return 0;
}

static int check_lock(const struct fz_record *r, const char **why)
{
	const struct fz_lock *l = rec_data(r);

	if (r->size != sizeof(*l) || l->fd < 0 || l->kind < FZ_LOCK_FLOCK ||
	    l->kind > FZ_LOCK_LEASE || l->write > 1 ||
	    (l->kind == FZ_LOCK_LEASE && l->write) || (int64_t)l->start < 0 ||
	    (int64_t)l->len < 0)
		return bad(why, "bad lock record");
	return 0;
}

int verify_files(const struct image *img, const char **why)
{
	const struct fz_file *last = 0;
	uint64_t files = 0, deads = 0;

	for_each_record(img, r) {
		int err = 0;
		if (r->type == FZ_REC_FILE && !(err = check_file(r, files, why))) {
			last = rec_data(r);
			files++;
		} else if (r->type == FZ_REC_FILE_BLOCK) {
			err = check_block(img, r, last, why);
		} else if (r->type == FZ_REC_DEAD_PATH &&
			   !(err = check_dead_path(r, deads, why)))
			deads++;
		else if (r->type == FZ_REC_FD)
			err = check_fd(r, files, deads, why);
		else if (r->type == FZ_REC_LOCK)
			err = check_lock(r, why);
		if (err)
			return err;
	}
	return 0;
}
