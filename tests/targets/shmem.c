/*
 * shmem: MAP_SHARED anonymous memory and shared mappings of a deleted file
 * keep their contents and stay shared.
 *   anon     8 pages shared rw, filled; alias = a second mapping of the
 *            same pages (mremap with old size 0); page 6 of anon is then
 *            mprotect'ed read-only (three pieces of one object)
 *   ro       4 pages shared, filled, then read-only
 *   none     2 pages shared, filled, then PROT_NONE
 *   sparse   64 MiB shared, 2 pages touched
 *   file     del.dat, 4 pages, mapped MAP_SHARED twice (whole, and pages
 *            2-3), then unlinked
 * After the resume: contents intact, a write through one mapping is seen
 * through the other, protections as before (/proc/self/maps).
 */
#include "target.h"
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <sys/mman.h>

enum { ANON_PAGES = 8, RO_PAGES = 4, NONE_PAGES = 2, FILE_PAGES = 4 };
#define SPARSE_SIZE (64UL << 20)

static size_t page;

static unsigned char pattern(size_t i, unsigned seed)
{
	return (unsigned char)(i * 7 + seed + (i >> 12));
}

static unsigned char *shared_anon(size_t len, unsigned seed)
{
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		target_die("mmap shared anonymous");
	for (size_t i = 0; i < len; i++)
		p[i] = pattern(i, seed);
	return p;
}

static size_t count_bad(const unsigned char *p, size_t len, unsigned seed, size_t base)
{
	size_t bad = 0;

	for (size_t i = 0; i < len; i++)
		bad += p[i] != pattern(base + i, seed);
	return bad;
}

/* A write through `a` shows through `b` (the same bytes), and back. */
static void check_shared(const char *what, unsigned char *a, unsigned char *b,
			 int b_writable)
{
	a[10] ^= 0xff;
	target_check(b[10] == a[10], "%s: a write is not seen through the other mapping", what);
	a[10] ^= 0xff;
	if (b_writable) {
		b[20] ^= 0x55;
		target_check(a[20] == b[20], "%s: a write back is not seen", what);
		b[20] ^= 0x55;
	}
}

static unsigned char *map_deleted_file(const char *dir, unsigned char **part)
{
	char path[PATH_MAX];
	unsigned char *buf = malloc(FILE_PAGES * page), *whole;
	int fd;

	snprintf(path, sizeof(path), "%s/del.dat", dir);
	fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0600);
	for (size_t i = 0; buf && i < FILE_PAGES * page; i++)
		buf[i] = pattern(i, 9);
	if (fd < 0 || !buf || write(fd, buf, FILE_PAGES * page) != (ssize_t)(FILE_PAGES * page))
		target_die(path);
	whole = mmap(NULL, FILE_PAGES * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	*part = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 2 * page);
	if (whole == MAP_FAILED || *part == MAP_FAILED)
		target_die("mmap del.dat");
	close(fd);
	unlink(path);
	free(buf);
	whole[page + 5] = 0xee;  /* changed after it was written */
	return whole;
}

int main(int argc, char **argv)
{
	unsigned char *anon, *alias, *ro, *none, *sparse, *file, *part;
	size_t anon_len;

	if (argc < 2)
		target_die("usage: shmem SCRATCH_DIR");
	target_init();
	page = (size_t)sysconf(_SC_PAGESIZE);
	anon_len = ANON_PAGES * page;

	anon = shared_anon(anon_len, 1);
	alias = mremap(anon, 0, anon_len, MREMAP_MAYMOVE);
	if (alias == MAP_FAILED)
		target_die("mremap alias");
	if (mprotect(anon + 6 * page, page, PROT_READ))
		target_die("mprotect anon");
	ro = shared_anon(RO_PAGES * page, 2);
	if (mprotect(ro, RO_PAGES * page, PROT_READ))
		target_die("mprotect ro");
	none = shared_anon(NONE_PAGES * page, 3);
	if (mprotect(none, NONE_PAGES * page, PROT_NONE))
		target_die("mprotect none");
	sparse = mmap(NULL, SPARSE_SIZE, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (sparse == MAP_FAILED)
		target_die("mmap sparse");
	sparse[page] = 0x11;
	sparse[SPARSE_SIZE - 1] = 0x22;
	file = map_deleted_file(argv[1], &part);
	target_ready();
	target_wait();

	target_check(count_bad(anon, anon_len, 1, 0) == 0, "anon: contents changed");
	target_check(count_bad(alias, anon_len, 1, 0) == 0, "alias: contents changed");
	check_shared("anon/alias", anon, alias, 1);
	check_shared("anon/alias page 6", alias + 6 * page, anon + 6 * page, 0);
	target_check(count_bad(ro, RO_PAGES * page, 2, 0) == 0, "ro: contents changed");
	if (mprotect(none, NONE_PAGES * page, PROT_READ))
		target_check(0, "none: mprotect back to read: %s", strerror(errno));
	else
		target_check(count_bad(none, NONE_PAGES * page, 3, 0) == 0, "none: contents changed");
	target_check(sparse[page] == 0x11 && sparse[SPARSE_SIZE - 1] == 0x22 &&
		     sparse[0] == 0 && sparse[SPARSE_SIZE / 2] == 0, "sparse: contents changed");
	target_check(file[page + 5] == 0xee, "file: its change after writing is lost");
	file[page + 5] = pattern(page + 5, 9);
	target_check(count_bad(file, FILE_PAGES * page, 9, 0) == 0, "file: contents changed");
	target_check(count_bad(part, 2 * page, 9, 2 * page) == 0, "file part: contents changed");
	check_shared("file/part", file + 2 * page, part, 1);
	target_check_perms("anon", anon, 6 * page, "rw-s");
	target_check_perms("anon page 6", anon + 6 * page, page, "r--s");
	target_check_perms("anon page 7", anon + 7 * page, page, "rw-s");
	target_check_perms("alias", alias, anon_len, "rw-s");
	target_check_perms("ro", ro, RO_PAGES * page, "r--s");
	target_check_perms("sparse", sparse, SPARSE_SIZE, "rw-s");
	target_check_perms("file", file, FILE_PAGES * page, "rw-s");
	return target_finish();
}
