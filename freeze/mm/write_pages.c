/*
 * Copying the target's memory into the image. Only pages that exist are
 * read: for anonymous memory the pagemap says which pages were ever
 * touched (PAGEMAP_SCAN lists them by range where the kernel has it, so a
 * huge sparse reservation costs nothing); a private file mapping is read
 * whole, since its bytes must not depend on the file being there at
 * resume. All-zero pages are left out: the stub's fresh anonymous memory
 * is zero already.
 *
 * A private mapping of a known file (collect_map_files.c) is read whole
 * too, but its chunks are split by what the pagemap says of each page:
 * still the file's (flagged FZ_CHUNKF_FILE: a stub that maps the file
 * skips them), or copied on write, the process's own. Those are stored
 * even when all zero, since over the file a missing page is not zero.
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
#include "mm/pagemap_scan.h"

#define WINDOW_PAGES FZ_CHUNK_MAX_PAGES
#define PM_PRESENT (1ULL << 63)
#define PM_SWAPPED (1ULL << 62)
#define PM_FILE (1ULL << 61)      /* a page of the file (or shared anon) */

struct page_reader {
	pid_t pid;
	int pagemap_fd;
	int mem_fd;               /* /proc/PID/mem, for unreadable mappings */
	bool no_scan;             /* the kernel lacks PAGEMAP_SCAN */
	uint8_t *buf;             /* WINDOW_PAGES pages */
	uint64_t pm[WINDOW_PAGES];
	bool wanted[WINDOW_PAGES];
};

/* Read one page; false when it cannot be read (past the end of its file). */
static bool read_page(struct page_reader *r, const struct map_entry *m,
		      uint64_t addr, uint8_t *dst)
{
	struct iovec local = { dst, FZ_PAGE_SIZE }, remote = { (void *)addr, FZ_PAGE_SIZE };

	if (m->prot & PROT_READ)
		return process_vm_readv(r->pid, &local, 1, &remote, 1, 0) ==
		       (ssize_t)FZ_PAGE_SIZE;
	return pread(r->mem_fd, dst, FZ_PAGE_SIZE, (off_t)addr) ==
	       (ssize_t)FZ_PAGE_SIZE;
}

/*
 * Read the whole window at once, falling back page by page on a short read
 * (pages that cannot be read are no longer wanted).
 */
static void read_window(struct page_reader *r, const struct map_entry *m,
			uint64_t addr, size_t n)
{
	struct iovec local = { r->buf, n * FZ_PAGE_SIZE },
		     remote = { (void *)addr, n * FZ_PAGE_SIZE };
	bool all = true;

	for (size_t i = 0; i < n; i++)
		all = all && r->wanted[i];
	if (!all || !(m->prot & PROT_READ) ||
	    process_vm_readv(r->pid, &local, 1, &remote, 1, 0) !=
		    (ssize_t)(n * FZ_PAGE_SIZE))
		for (size_t i = 0; i < n; i++)
			if (r->wanted[i])
				r->wanted[i] = read_page(r, m, addr + i * FZ_PAGE_SIZE,
							 r->buf + i * FZ_PAGE_SIZE);
}

static int mark_wanted(struct page_reader *r, uint64_t addr, size_t n)
{
	if (pread(r->pagemap_fd, r->pm, n * 8, (off_t)(addr / FZ_PAGE_SIZE * 8)) !=
	    (ssize_t)(n * 8))
		return -EIO;
	for (size_t i = 0; i < n; i++)
		r->wanted[i] = r->pm[i] & (PM_PRESENT | PM_SWAPPED);
	return 0;
}

/*
 * Pages [addr, end) by windows: all of them exist, or the pagemap says
 * which do.
 */
static int write_windows(struct page_reader *r, struct image_writer *w,
			 const struct map_entry *m, uint64_t addr, uint64_t end,
			 bool all_exist)
{
	while (addr < end) {
		size_t n = (end - addr) / FZ_PAGE_SIZE;
		int err;
		if (n > WINDOW_PAGES)
			n = WINDOW_PAGES;
		if ((err = check_interrupted()))
			return err;
		for (size_t i = 0; all_exist && i < n; i++)
			r->wanted[i] = true;
		if (!all_exist && (err = mark_wanted(r, addr, n)))
			return fail(err, "process %d: reading its pagemap at %#lx",
				    (int)r->pid, (unsigned long)addr);
		read_window(r, m, addr, n);
		err = iw_chunk_runs(w, FZ_REC_CHUNK, addr, r->buf, r->wanted, n);
		if (err)
			return iw_failed(w, err);
		addr += n * FZ_PAGE_SIZE;
	}
	return 0;
}

/*
 * The present or swapped ranges of the mapping, pages of the shared zero
 * page left out. 1: the kernel cannot scan, read the pagemap instead.
 */
static int write_scanned(struct page_reader *r, struct image_writer *w,
			 const struct map_entry *m)
{
	struct pm_scan_region vec[64];
	struct pm_scan_arg a = {
		.size = sizeof(a), .start = m->start, .end = m->end,
		.vec = (uintptr_t)vec, .vec_len = 64,
		.category_inverted = PM_SCAN_PFNZERO,
		.category_mask = PM_SCAN_PFNZERO,
		.category_anyof_mask = PM_SCAN_PRESENT | PM_SCAN_SWAPPED,
		.return_mask = PM_SCAN_PRESENT | PM_SCAN_SWAPPED,
	};

	while (a.start < m->end) {
		long n = ioctl(r->pagemap_fd, PM_SCAN_IOCTL, &a);
		int err;
		if (n < 0 && a.start == m->start && (errno == ENOTTY || errno == EINVAL))
			return 1;
		if (n < 0)
			return fail(-errno, "process %d: scanning its pagemap at %#lx",
				    (int)r->pid, (unsigned long)a.start);
		for (long i = 0; i < n; i++)
			if ((err = write_windows(r, w, m, vec[i].start, vec[i].end, true)))
				return err;
		a.start = a.walk_end;
	}
	return 0;
}

/*
 * Of n pages at addr, which the process copied on write: present or
 * swapped out, and not a page of the file. A page not present at all
 * reads from the file, so it is the file's too.
 */
static int mark_copied(struct page_reader *r, uint64_t addr, size_t n,
		       bool *copied)
{
	if (pread(r->pagemap_fd, r->pm, n * 8, (off_t)(addr / FZ_PAGE_SIZE * 8)) !=
	    (ssize_t)(n * 8))
		return fail(-EIO, "process %d: reading its pagemap at %#lx",
			    (int)r->pid, (unsigned long)addr);
	for (size_t i = 0; i < n; i++)
		copied[i] = (r->pm[i] & (PM_PRESENT | PM_SWAPPED)) &&
			    !(r->pm[i] & PM_FILE);
	return 0;
}

enum { PAGE_SKIP, PAGE_OF_FILE, PAGE_COPIED };

static int page_class(const struct page_reader *r, const bool *copied, size_t i)
{
	if (!r->wanted[i])
		return PAGE_SKIP;
	if (copied[i])
		return PAGE_COPIED;
	return iw_page_is_zero(r->buf + i * FZ_PAGE_SIZE) ? PAGE_SKIP : PAGE_OF_FILE;
}

/* One chunk per run of pages of one class. */
static int write_classed(struct page_reader *r, struct image_writer *w,
			 uint64_t addr, const bool *copied, size_t n)
{
	for (size_t i = 0, start; i < n;) {
		int cls = page_class(r, copied, i);
		int err;
		for (start = i++; i < n && page_class(r, copied, i) == cls; i++)
			;
		if (cls == PAGE_SKIP)
			continue;
		err = iw_chunk_flagged(w, FZ_REC_CHUNK, addr + start * FZ_PAGE_SIZE,
				       (uint32_t)(i - start), r->buf + start * FZ_PAGE_SIZE,
				       cls == PAGE_OF_FILE ? FZ_CHUNKF_FILE : 0);
		if (err)
			return iw_failed(w, err);
	}
	return 0;
}

static int write_file_pages(struct page_reader *r, struct image_writer *w,
			    const struct map_entry *m)
{
	bool copied[WINDOW_PAGES];

	for (uint64_t addr = m->start; addr < m->end;) {
		size_t n = (m->end - addr) / FZ_PAGE_SIZE;
		int err;
		if (n > WINDOW_PAGES)
			n = WINDOW_PAGES;
		if ((err = check_interrupted()) || (err = mark_copied(r, addr, n, copied)))
			return err;
		for (size_t i = 0; i < n; i++)
			r->wanted[i] = true;
		read_window(r, m, addr, n);
		for (size_t i = 0; i < n; i++)
			if (copied[i] && !r->wanted[i])
				return fail(-EIO, "process %d: reading its page at %#lx "
					    "(%s)", (int)r->pid,
					    (unsigned long)(addr + i * FZ_PAGE_SIZE), m->path);
		if ((err = write_classed(r, w, addr, copied, n)))
			return err;
		addr += n * FZ_PAGE_SIZE;
	}
	return 0;
}

static int write_mapping_pages(struct page_reader *r, struct image_writer *w,
			       const struct map_entry *m)
{
	int err;

	if (m->has_file)
		return write_file_pages(r, w, m);
	if (m->flags & FZ_MAPF_FROM_FILE)
		return write_windows(r, w, m, m->start, m->end, true);
	if (!r->no_scan) {
		err = write_scanned(r, w, m);
		if (err <= 0)
			return err;
		r->no_scan = true;
	}
	return write_windows(r, w, m, m->start, m->end, false);
}

static int write_mapping(struct page_reader *r, struct image_writer *w,
			 const struct map_entry *m)
{
	struct fz_mapping rec = {
		.start = m->start, .end = m->end, .offset = m->offset,
		.kind = m->kind, .prot = m->prot, .flags = m->flags,
		.shmem_id = m->shmem_id,
	};
	size_t plen = m->path ? strlen(m->path) + 1 : 0;
	int err;

	rec.path_len = (uint32_t)plen;
	err = iw_record(w, FZ_REC_MAPPING, &rec, sizeof(rec), m->path, plen);
	if (!err && m->has_file)
		err = iw_record(w, FZ_REC_MAP_FILE, &m->file, sizeof(m->file), NULL, 0);
	if (err)
		return iw_failed(w, err);
	if (m->kind == FZ_MAP_ANON && (err = write_mapping_pages(r, w, m)))
		return err;
	for (size_t i = 0; i < m->nguards; i++)
		if ((err = iw_record(w, FZ_REC_GUARD, &m->guards[i],
				     sizeof(m->guards[i]), NULL, 0)))
			return iw_failed(w, err);
	return 0;
}

static int open_proc(pid_t pid, const char *name, int *fd)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	return *fd < 0 ? fail(-errno, "opening %s", path) : 0;
}

int write_memory(struct target *t, struct image_writer *w)
{
	/* The copy, when the process was let go before its memory was read. */
	pid_t pid = t->copy_pid ? t->copy_pid : t->pid;
	struct page_reader r = { .pid = pid, .pagemap_fd = -1, .mem_fd = -1 };
	int err;

	r.buf = malloc(WINDOW_PAGES * FZ_PAGE_SIZE);
	if (!r.buf)
		return fail(-ENOMEM, "allocating the page buffer");
	err = open_proc(pid, "pagemap", &r.pagemap_fd);
	if (!err)
		err = open_proc(pid, "mem", &r.mem_fd);
	for (size_t i = 0; !err && i < t->nmaps; i++)
		err = write_mapping(&r, w, &t->maps[i]);
	if (r.mem_fd >= 0)
		close(r.mem_fd);
	if (r.pagemap_fd >= 0)
		close(r.pagemap_fd);
	free(r.buf);
	return err;
}
