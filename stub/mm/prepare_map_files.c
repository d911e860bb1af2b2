/*
 * The files behind private file mappings (FZ_REC_MAP_FILE), before the
 * point of no return: each is opened at its path and must still be the
 * file that was frozen (same device, inode, size and modification time)
 * to be mapped again; a memfd is the one prepare_shmem rebuilt. Any other
 * outcome (gone, replaced, changed, unreadable, another host) is no error:
 * the mapping comes back as the anonymous copy the image holds.
 *
 * On another host the device and inode differ even for a byte-identical
 * library, so the copy is used there: telling the same bytes apart would
 * take reading and hashing every such file at resume, for pages the image
 * carries anyway.
 */
#include <linux/fcntl.h>
#include <linux/stat.h>

#include "fds/fds.h"
#include "mm/mm.h"
#include "stub.h"
#include "sys.h"

static int same_file(const struct fz_map_file *a, const struct fz_map_file *b)
{
	return a->ino == b->ino && a->dev_major == b->dev_major &&
	       a->dev_minor == b->dev_minor && a->size == b->size &&
	       a->mtime_sec == b->mtime_sec && a->mtime_nsec == b->mtime_nsec;
}

static int is_unchanged(int fd, const struct fz_map_file *f)
{
	struct statx sx;

	if (sys_statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx) < 0)
		return 0;
	return (sx.stx_mode & S_IFMT) == S_IFREG && sx.stx_ino == f->ino &&
	       sx.stx_dev_major == f->dev_major && sx.stx_dev_minor == f->dev_minor &&
	       sx.stx_size == f->size && sx.stx_mtime.tv_sec == f->mtime_sec &&
	       sx.stx_mtime.tv_nsec == (uint32_t)f->mtime_nsec;
}

/* An fd on the file of rec, or -1: this mapping is made anonymous. */
static int open_map_file(const struct stub *st, const struct fz_mapping *m,
			 const struct fz_map_file *rec, int *own)
{
	const char *path = (const char *)(m + 1);
	int fd;

	*own = 0;
	if (rec->shmem_id) {
		const struct prepared_shmem *p = find_shmem(st, rec->shmem_id);
		return p && p->fd >= 0 ? p->fd : -1;
	}
	/* Libraries are mapped several times: one open per file. */
	for (unsigned i = 0; i < st->nmap_files; i++)
		if (!st->map_files[i].rec->shmem_id &&
		    same_file(st->map_files[i].rec, rec))
			return st->map_files[i].fd;
	fd = open_lifted(st, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (!is_unchanged(fd, rec)) {
		sys_close(fd);
		return -1;
	}
	*own = 1;
	return fd;
}

void prepare_map_files(struct stub *st)
{
	const struct fz_mapping *m = 0;

	struct prepared_map_file *p = 0;

	for_each_record(&st->img, r) {
		const struct fz_chunk *c = rec_data(r);
		if (r->type == FZ_REC_MAPPING) {
			m = rec_data(r);
			p = 0;
		} else if (r->type == FZ_REC_CHUNK && p && !(c->flags & FZ_CHUNKF_FILE)) {
			p->copied = 1;
		} else if (r->type == FZ_REC_MAP_FILE) {
			p = &st->map_files[st->nmap_files];
			p->map = m;
			p->rec = rec_data(r);
			p->copied = 0;
			p->fd = open_map_file(st, m, p->rec, &p->own);
			st->nmap_files++;
		}
	}
}

const struct prepared_map_file *find_map_file(const struct stub *st,
					      const struct fz_mapping *m)
{
	for (unsigned i = 0; i < st->nmap_files; i++)
		if (st->map_files[i].map == m)
			return st->map_files[i].fd >= 0 ? &st->map_files[i] : 0;
	return 0;
}

void close_map_files(const struct stub *st)
{
	for (unsigned i = 0; i < st->nmap_files; i++)
		if (st->map_files[i].own)
			sys_close(st->map_files[i].fd);
}
