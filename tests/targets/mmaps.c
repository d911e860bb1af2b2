/*
 * mmaps: memory mappings survive with their contents and protections.
 *   anon_rw    64 pages, private rw, filled with a pattern
 *   anon_zero  16 pages, private rw, never touched: must read as zeros
 *   anon_ro     4 pages, filled, then mprotect'ed read-only
 *   anon_none   4 pages, PROT_NONE
 *   priv       pages 1-5 of priv.dat, MAP_PRIVATE rw: pages 1 and 3 of the
 *              mapping modified, page 0 read, pages 2 and 4 never touched.
 *              The runner deletes or rewrites priv.dat before the resume:
 *              the image must carry the file's bytes.
 *   shared     shared.dat, MAP_SHARED rw: after the resume, writes through
 *              the mapping must reach the file (checked with pread).
 *   sparse     1 GiB reserved (MAP_NORESERVE), 3 pages touched.
 * Protections are checked in /proc/self/maps.
 */
#include "target.h"
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <sys/mman.h>

enum {
	RW_PAGES = 64,
	ZERO_PAGES = 16,
	RO_PAGES = 4,
	NONE_PAGES = 4,
	PRIV_FILE_PAGES = 6,
	PRIV_OFFSET_PAGES = 1,
	PRIV_PAGES = PRIV_FILE_PAGES - PRIV_OFFSET_PAGES,
	SHARED_PAGES = 2,
	MOD_AT = 100,
};

#define SPARSE_SIZE (1UL << 30)
static const char modified[] = "modified before the freeze";
static const char shared_before[] = "shared page written before the freeze";
static const char shared_after[] = "shared page written after the resume";

static size_t page;

static void *map(size_t len, int prot, int flags, int fd, off_t off)
{
	void *p = mmap(NULL, len, prot, flags, fd, off);

	if (p == MAP_FAILED)
		target_die("mmap");
	return p;
}

static unsigned char anon_byte(size_t i)
{
	return (unsigned char)(i * 13 + (i >> 12));
}

/* Byte i of priv.dat as the target wrote it. */
static unsigned char file_byte(size_t i)
{
	return (unsigned char)('a' + i / page);
}

static int make_file(const char *dir, const char *name, size_t pages, int flags)
{
	char path[PATH_MAX];
	unsigned char *buf = malloc(pages * page);
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0644);
	for (size_t i = 0; buf && i < pages * page; i++)
		buf[i] = file_byte(i);
	if (fd < 0 || !buf || write(fd, buf, pages * page) != (ssize_t)(pages * page))
		target_die(path);
	free(buf);
	if (!(flags & O_RDWR)) {
		close(fd);
		fd = open(path, flags);
	}
	return fd;
}

static size_t count_bad(const unsigned char *p, size_t len, unsigned char (*want)(size_t),
			size_t base)
{
	size_t bad = 0;

	for (size_t i = 0; i < len; i++)
		bad += p[i] != (want ? want(base + i) : 0);
	return bad;
}

static void check_priv(const unsigned char *priv)
{
	for (size_t pg = 0; pg < PRIV_PAGES; pg++) {
		const unsigned char *at = priv + pg * page;
		size_t file_off = (pg + PRIV_OFFSET_PAGES) * page;

		if (pg == 1 || pg == 3) {
			target_check(!memcmp(at + MOD_AT, modified, sizeof(modified)),
				     "priv: page %zu lost its modification", pg);
			target_check(count_bad(at, MOD_AT, file_byte, file_off) == 0,
				     "priv: page %zu changed around the modification", pg);
		} else {
			target_check(count_bad(at, page, file_byte, file_off) == 0,
				     "priv: page %zu (%s before the freeze) differs from the file as it was",
				     pg, pg == 0 ? "read" : "untouched");
		}
	}
}

static void check_shared(unsigned char *shared, int fd)
{
	char buf[64];

	target_check(!memcmp(shared + page, shared_before, sizeof(shared_before)),
		     "shared: page 1 lost its content");
	target_check(pread(fd, buf, sizeof(shared_before), (off_t)page) == sizeof(shared_before) &&
		     !memcmp(buf, shared_before, sizeof(shared_before)), "shared: file page 1 differs");
	memcpy(shared, shared_after, sizeof(shared_after));
	target_check(pread(fd, buf, sizeof(shared_after), 0) == sizeof(shared_after) &&
		     !memcmp(buf, shared_after, sizeof(shared_after)),
		     "shared: a write to the mapping did not reach the file");
}

int main(int argc, char **argv)
{
	unsigned char *anon_rw, *anon_zero, *anon_ro, *anon_none, *priv, *shared, *sparse;
	const size_t sparse_touch[] = { 0, SPARSE_SIZE / 2, SPARSE_SIZE - 1 };
	volatile unsigned char sink;
	int priv_fd, shared_fd;

	if (argc < 2)
		target_die("usage: mmaps SCRATCH_DIR");
	target_init();
	page = (size_t)sysconf(_SC_PAGESIZE);
	const int anon = MAP_PRIVATE | MAP_ANONYMOUS, rw = PROT_READ | PROT_WRITE;

	anon_rw = map(RW_PAGES * page, rw, anon, -1, 0);
	for (size_t i = 0; i < RW_PAGES * page; i++)
		anon_rw[i] = anon_byte(i);
	anon_zero = map(ZERO_PAGES * page, rw, anon, -1, 0);
	anon_ro = map(RO_PAGES * page, rw, anon, -1, 0);
	for (size_t i = 0; i < RO_PAGES * page; i++)
		anon_ro[i] = anon_byte(i + 1);
	if (mprotect(anon_ro, RO_PAGES * page, PROT_READ))
		target_die("mprotect");
	anon_none = map(NONE_PAGES * page, PROT_NONE, anon, -1, 0);

	priv_fd = make_file(argv[1], "priv.dat", PRIV_FILE_PAGES, O_RDONLY);
	priv = map(PRIV_PAGES * page, rw, MAP_PRIVATE, priv_fd, PRIV_OFFSET_PAGES * page);
	close(priv_fd);
	sink = priv[0];
	memcpy(priv + page + MOD_AT, modified, sizeof(modified));
	memcpy(priv + 3 * page + MOD_AT, modified, sizeof(modified));

	shared_fd = make_file(argv[1], "shared.dat", SHARED_PAGES, O_RDWR);
	shared = map(SHARED_PAGES * page, rw, MAP_SHARED, shared_fd, 0);
	memcpy(shared + page, shared_before, sizeof(shared_before));

	sparse = map(SPARSE_SIZE, rw, anon | MAP_NORESERVE, -1, 0);
	for (size_t i = 0; i < 3; i++)
		sparse[sparse_touch[i]] = (unsigned char)(0xa0 + i);
	(void)sink;
	target_ready();
	target_wait();

	target_check(count_bad(anon_rw, RW_PAGES * page, anon_byte, 0) == 0, "anon_rw changed");
	target_check(count_bad(anon_zero, ZERO_PAGES * page, NULL, 0) == 0, "anon_zero not zero");
	target_check(count_bad(anon_ro, RO_PAGES * page, anon_byte, 1) == 0, "anon_ro changed");
	check_priv(priv);
	check_shared(shared, shared_fd);
	for (size_t i = 0; i < 3; i++)
		target_check(sparse[sparse_touch[i]] == 0xa0 + i, "sparse: byte %zu changed",
			     sparse_touch[i]);
	target_check(sparse[page] == 0 && sparse[SPARSE_SIZE / 4] == 0 &&
		     sparse[SPARSE_SIZE - page - 1] == 0, "sparse: an untouched page is not zero");
	target_check_perms("anon_rw", anon_rw, RW_PAGES * page, "rw-p");
	target_check_perms("anon_zero", anon_zero, ZERO_PAGES * page, "rw-p");
	target_check_perms("anon_ro", anon_ro, RO_PAGES * page, "r--p");
	target_check_perms("anon_none", anon_none, NONE_PAGES * page, "---p");
	target_check_perms("priv", priv, PRIV_PAGES * page, "rw-p");
	target_check_perms("shared", shared, SHARED_PAGES * page, "rw-s");
	target_check_perms("sparse", sparse, SPARSE_SIZE, "rw-p");
	return target_finish();
}
