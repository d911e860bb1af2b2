/*
 * Shared memory objects into the image: each object's record, then its
 * pages as SHMEM_CHUNK records (addr = offset in the object), encoded by
 * the same chunk writer as private memory. Holes and all-zero pages are
 * left out: a new object reads as zeros.
 *
 * Through an fd, a memfd or segment is read whole (holes skipped with
 * SEEK_DATA when the fd has its own offset); a deleted file only where it
 * is mapped, since nothing else of it is reachable after resume. Without
 * an fd, the mappings are read (every page of them, since pagemap does not
 * see pages of the object this process never touched).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "core/core.h"
#include "freeze.h"
#include "image/image_writer.h"
#include "mm/mm.h"

#define WINDOW_PAGES FZ_CHUNK_MAX_PAGES
#define PAGE FZ_PAGE_SIZE
#define PAGE_UP(x) (((x) + PAGE - 1) & ~(PAGE - 1))

struct shm_reader {
	pid_t pid;
	int mem_fd;               /* /proc/PID/mem, for unreadable mappings */
	uint8_t *buf;             /* WINDOW_PAGES pages */
	bool wanted[WINDOW_PAGES];
};

/* n pages at off through the fd; past its end they read as zeros. */
static int read_fd_window(struct shm_reader *r, int fd, uint64_t off, size_t n)
{
	size_t len = n * PAGE, got = 0;

	while (got < len) {
		ssize_t k = pread(fd, r->buf + got, len - got, (off_t)(off + got));
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			break;
		got += (size_t)k;
	}
	memset(r->buf + got, 0, len - got);
	for (size_t i = 0; i < n; i++)
		r->wanted[i] = i * PAGE < got;
	return 0;
}

/* n pages at off through mapping m; a page it cannot read (past the end
   of a deleted file) is left out. */
static void read_map_window(struct shm_reader *r, const struct map_entry *m,
			    uint64_t off, size_t n)
{
	uint64_t addr = m->start + (off - m->offset);
	struct iovec local = { r->buf, n * PAGE }, remote = { (void *)addr, n * PAGE };

	if ((m->prot & PROT_READ) &&
	    process_vm_readv(r->pid, &local, 1, &remote, 1, 0) == (ssize_t)(n * PAGE)) {
		for (size_t i = 0; i < n; i++)
			r->wanted[i] = true;
		return;
	}
	for (size_t i = 0; i < n; i++)
		r->wanted[i] = pread(r->mem_fd, r->buf + i * PAGE, PAGE,
				     (off_t)(addr + i * PAGE)) == (ssize_t)PAGE;
}

/* Object bytes [off, end), through the object's fd or, if m, through m. */
static int store_range(struct shm_reader *r, struct image_writer *w,
		       const struct shmem_entry *s, const struct map_entry *m,
		       uint64_t off, uint64_t end)
{
	while (off < end) {
		size_t n = (end - off) / PAGE;
		int err;
		if (n > WINDOW_PAGES)
			n = WINDOW_PAGES;
		if ((err = check_interrupted()))
			return err;
		if (m)
			read_map_window(r, m, off, n);
		else if ((err = read_fd_window(r, s->fd, off, n)))
			return fail(err, "process %d: reading shared memory %s",
				    (int)r->pid, s->name);
		if ((err = iw_chunk_runs(w, FZ_REC_SHMEM_CHUNK, off, r->buf,
					 r->wanted, n)))
			return iw_failed(w, err);
		off += n * PAGE;
	}
	return 0;
}

/* The whole object through its fd, data ranges only when it can seek. */
static int store_whole(struct shm_reader *r, struct image_writer *w,
		       const struct shmem_entry *s)
{
	uint64_t end = PAGE_UP(s->rec.size), off = 0;

	while (off < end) {
		uint64_t data = off, hole = end;
		int err;
		if (s->fd_seekable) {
			off_t d = lseek(s->fd, (off_t)off, SEEK_DATA);
			off_t h = d < 0 ? -1 : lseek(s->fd, d, SEEK_HOLE);
			if (d < 0 && errno == ENXIO)
				break;  /* nothing but holes from off on */
			if (d >= 0) {
				data = (uint64_t)d & ~(PAGE - 1);
				if (h >= 0 && PAGE_UP((uint64_t)h) < end)
					hole = PAGE_UP((uint64_t)h);
			}
		}
		if ((err = store_range(r, w, s, NULL, data, hole)))
			return err;
		off = hole;
	}
	return 0;
}

/* The mapping of s that covers the lowest offset at or after `from`. */
static const struct map_entry *next_piece(const struct target *t,
					  const struct shmem_entry *s,
					  uint64_t from, uint64_t *start)
{
	const struct map_entry *best = NULL;

	*start = UINT64_MAX;
	for (size_t i = 0; i < t->nmaps; i++) {
		const struct map_entry *m = &t->maps[i];
		uint64_t mstart = m->offset, mend = m->offset + (m->end - m->start);
		if (m->kind != FZ_MAP_SHMEM || m->shmem_id != s->rec.id || mend <= from)
			continue;
		if (mstart < from)
			mstart = from;
		if (mstart < *start) {
			*start = mstart;
			best = m;
		}
	}
	return best;
}

/* Every offset some mapping of s covers, once. */
static int store_mapped(struct shm_reader *r, struct image_writer *w,
			const struct target *t, const struct shmem_entry *s)
{
	const struct map_entry *m;
	uint64_t from = 0, start;

	while ((m = next_piece(t, s, from, &start))) {
		uint64_t end = m->offset + (m->end - m->start);
		int err = store_range(r, w, s, s->fd >= 0 ? NULL : m, start, end);
		if (err)
			return err;
		from = end;
	}
	return 0;
}

static int write_object(struct shm_reader *r, struct image_writer *w,
			const struct target *t, const struct shmem_entry *s)
{
	struct fz_shmem rec = s->rec;
	size_t nlen = s->name[0] ? strlen(s->name) + 1 : 0;
	int err;

	rec.name_len = (uint32_t)nlen;
	err = iw_record(w, FZ_REC_SHMEM, &rec, sizeof(rec), s->name, nlen);
	if (err)
		return iw_failed(w, err);
	if (s->fd >= 0 && s->rec.kind != FZ_SHMEM_DELETED)
		return store_whole(r, w, s);
	return store_mapped(r, w, t, s);
}

int write_shmem(struct target *t, struct image_writer *w)
{
	struct shm_reader r = { .pid = t->pid, .mem_fd = -1 };
	char path[64];
	int err = 0;

	if (!t->nshmems)
		return 0;
	r.buf = malloc(WINDOW_PAGES * PAGE);
	if (!r.buf)
		return fail(-ENOMEM, "allocating the page buffer");
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)t->pid);
	r.mem_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r.mem_fd < 0)
		err = fail(-errno, "opening %s", path);
	for (size_t i = 0; !err && i < t->nshmems; i++)
		err = write_object(&r, w, t, &t->shmems[i]);
	for (size_t i = 0; i < t->nshmems; i++) {
		if (t->shmems[i].fd >= 0)
			close(t->shmems[i].fd);
		t->shmems[i].fd = -1;
	}
	if (r.mem_fd >= 0)
		close(r.mem_fd);
	free(r.buf);
	return err;
}
