/*
 * memfd: memfds keep their name, size, contents, seals, flags and offsets,
 * and their fds and mappings still share them.
 *   a   "fz-a", MFD_CLOEXEC | MFD_ALLOW_SEALING, 3 pages + 100 bytes,
 *       sealed against shrinking and growing; fd at offset 1234; pages 1-2
 *       mapped rw; a dup of the fd (same offset); a reopen through
 *       /proc/self/fd, read-only, at offset 7 (its own offset)
 *   b   "fz-b", no flags (so sealed F_SEAL_SEAL), 2 pages, fd only, at its end
 *   w   "fz-w", F_SEAL_WRITE, mapped read-only
 *   f   "fz-f", mapped rw, then F_SEAL_FUTURE_WRITE
 *   m   "fz-m", mapped twice (same pages), fd closed
 *   p   "fz-p", 4 pages, mapped MAP_PRIVATE rw: page 0 read, page 1 written
 *       (copied on write), pages 2-3 never touched. After the resume maps
 *       names the memfd there, and a write through the fd shows in pages
 *       2-3 (still the memfd's) but not in page 1.
 */
#include "target.h"
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif

enum { A_POS = 1234, RO_POS = 7 };

static size_t page;
static size_t a_size;

static unsigned char pattern(size_t i, unsigned seed)
{
	return (unsigned char)(i * 11 + seed + (i >> 12));
}

static int make_memfd(const char *name, unsigned flags, size_t size, unsigned seed)
{
	int fd = memfd_create(name, flags);
	unsigned char *buf = malloc(size);

	for (size_t i = 0; buf && i < size; i++)
		buf[i] = pattern(i, seed);
	if (fd < 0 || !buf || write(fd, buf, size) != (ssize_t)size)
		target_die(name);
	free(buf);
	return fd;
}

static void *map(size_t len, int prot, int fd, off_t off)
{
	void *p = mmap(NULL, len, prot, MAP_SHARED, fd, off);

	if (p == MAP_FAILED)
		target_die("mmap memfd");
	return p;
}

static size_t bad_bytes(const unsigned char *p, size_t len, unsigned seed, size_t base)
{
	size_t bad = 0;

	for (size_t i = 0; i < len; i++)
		bad += p[i] != pattern(base + i, seed);
	return bad;
}

static size_t bad_in_fd(int fd, size_t len, unsigned seed)
{
	unsigned char *buf = malloc(len);
	size_t bad = len;

	if (buf && pread(fd, buf, len, 0) == (ssize_t)len)
		bad = bad_bytes(buf, len, seed, 0);
	free(buf);
	return bad;
}

static void check_name(int fd, const char *want)
{
	char path[64], link[256];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = 0;
	target_check(!strcmp(link, want), "fd %d is %s, want %s", fd, link, want);
}

static off_t size_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? -1 : st.st_size;
}

static void check_a(int fd, int dup_fd, int ro_fd, unsigned char *map_a)
{
	char c = 'x';

	check_name(fd, "/memfd:fz-a (deleted)");
	target_check(size_of(fd) == (off_t)a_size, "a: size %ld", (long)size_of(fd));
	target_check(bad_in_fd(fd, a_size, 1) == 0, "a: contents changed");
	target_check(bad_bytes(map_a, 2 * page, 1, page) == 0, "a: mapping changed");
	target_check(lseek(fd, 0, SEEK_CUR) == A_POS, "a: offset %ld",
		     (long)lseek(fd, 0, SEEK_CUR));
	target_check(lseek(ro_fd, 0, SEEK_CUR) == RO_POS, "a reopened: offset %ld",
		     (long)lseek(ro_fd, 0, SEEK_CUR));
	target_check((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0, "a: FD_CLOEXEC lost");
	target_check((fcntl(ro_fd, F_GETFL) & O_ACCMODE) == O_RDONLY, "a reopened: not read-only");
	target_check(fcntl(fd, F_GET_SEALS) == (F_SEAL_SHRINK | F_SEAL_GROW),
		     "a: seals %#x", fcntl(fd, F_GET_SEALS));
	target_check(ftruncate(fd, page) < 0 && errno == EPERM, "a: shrinks despite its seal");
	target_check(ftruncate(fd, 8 * page) < 0 && errno == EPERM, "a: grows despite its seal");
	/* The dup shares the offset; the mapping shares the bytes. */
	lseek(dup_fd, 99, SEEK_SET);
	target_check(lseek(fd, 0, SEEK_CUR) == 99, "a: its dup no longer shares the offset");
	target_check(lseek(ro_fd, 0, SEEK_CUR) == RO_POS, "a reopened: shares the offset");
	map_a[5] = 'M';
	target_check(pread(fd, &c, 1, page + 5) == 1 && c == 'M', "a: a write to the mapping is not in the fd");
	c = 'P';
	target_check(pwrite(fd, &c, 1, page + 6) == 1 && map_a[6] == 'P', "a: a write to the fd is not in the mapping");
}

static void check_b(int fd)
{
	check_name(fd, "/memfd:fz-b (deleted)");
	target_check(bad_in_fd(fd, 2 * page, 2) == 0, "b: contents changed");
	target_check(lseek(fd, 0, SEEK_CUR) == (off_t)(2 * page), "b: offset %ld",
		     (long)lseek(fd, 0, SEEK_CUR));
	target_check((fcntl(fd, F_GETFD) & FD_CLOEXEC) == 0, "b: FD_CLOEXEC appeared");
	target_check(fcntl(fd, F_GET_SEALS) == F_SEAL_SEAL, "b: seals %#x", fcntl(fd, F_GET_SEALS));
	target_check(fcntl(fd, F_ADD_SEALS, F_SEAL_GROW) < 0 && errno == EPERM,
		     "b: takes seals without MFD_ALLOW_SEALING");
}

static void check_w(int fd, const unsigned char *map_w)
{
	char c = 'x';

	target_check(bad_bytes(map_w, page, 3, 0) == 0, "w: mapping changed");
	target_check(fcntl(fd, F_GET_SEALS) == F_SEAL_WRITE, "w: seals %#x", fcntl(fd, F_GET_SEALS));
	target_check(pwrite(fd, &c, 1, 0) < 0 && errno == EPERM, "w: writable despite F_SEAL_WRITE");
	target_check(mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED,
		     "w: maps writable despite F_SEAL_WRITE");
}

static void check_f(int fd, unsigned char *map_f)
{
	char c = 'x';

	target_check(bad_bytes(map_f, page, 4, 0) == 0, "f: mapping changed");
	target_check(fcntl(fd, F_GET_SEALS) == F_SEAL_FUTURE_WRITE, "f: seals %#x",
		     fcntl(fd, F_GET_SEALS));
	target_check(pwrite(fd, &c, 1, 0) < 0 && errno == EPERM, "f: writable despite F_SEAL_FUTURE_WRITE");
	map_f[1] = 'F';
	target_check(pread(fd, &c, 1, 1) == 1 && c == 'F', "f: its older writable mapping no longer writes to it");
}

static unsigned char p_byte(size_t i)
{
	return i / page == 1 ? 'P' : pattern(i, 6);
}

static void check_p(int fd, unsigned char *map_p)
{
	char c = 'N', line[512] = "";
	uintptr_t start, end;
	size_t bad = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	for (size_t i = 0; i < 4 * page; i++)
		bad += map_p[i] != p_byte(i);
	target_check(bad == 0, "p: %zu bytes of its private mapping changed", bad);
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx", &start, &end) == 2 &&
		    start <= (uintptr_t)map_p && (uintptr_t)map_p < end)
			break;
	if (f)
		fclose(f);
	target_check(strstr(line, "/memfd:fz-p (deleted)") != NULL,
		     "p: maps says %.*s", (int)strcspn(line, "\n"), line);
	target_check(pwrite(fd, &c, 1, 2 * page + 10) == 1 && map_p[2 * page + 10] == 'N',
		     "p: a write to the memfd is not in a page never written");
	target_check(pwrite(fd, &c, 1, page + 10) == 1 && map_p[page + 10] == 'P',
		     "p: a write to the memfd shows in a page copied on write");
}

int main(int argc, char **argv)
{
	int a, a_dup, a_ro, b, w, f, m, p;
	unsigned char *map_a, *map_w, *map_f, *map_m1, *map_m2, *map_p;
	volatile unsigned char sink;
	char path[64];

	(void)argv;  /* the scratch directory: not needed */
	if (argc < 2)
		target_die("usage: memfd SCRATCH_DIR");
	target_init();
	page = (size_t)sysconf(_SC_PAGESIZE);
	a_size = 3 * page + 100;

	a = make_memfd("fz-a", MFD_CLOEXEC | MFD_ALLOW_SEALING, a_size, 1);
	if (fcntl(a, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW))
		target_die("seal a");
	map_a = map(2 * page, PROT_READ | PROT_WRITE, a, (off_t)page);
	lseek(a, A_POS, SEEK_SET);
	a_dup = dup(a);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", a);
	a_ro = open(path, O_RDONLY);
	if (a_dup < 0 || a_ro < 0)
		target_die("dup/reopen a");
	lseek(a_ro, RO_POS, SEEK_SET);

	b = make_memfd("fz-b", 0, 2 * page, 2);

	w = make_memfd("fz-w", MFD_ALLOW_SEALING, page, 3);
	if (fcntl(w, F_ADD_SEALS, F_SEAL_WRITE))
		target_die("seal w");
	map_w = map(page, PROT_READ, w, 0);

	f = make_memfd("fz-f", MFD_ALLOW_SEALING, page, 4);
	map_f = map(page, PROT_READ | PROT_WRITE, f, 0);
	if (fcntl(f, F_ADD_SEALS, F_SEAL_FUTURE_WRITE))
		target_die("seal f");

	m = make_memfd("fz-m", 0, 2 * page, 5);
	map_m1 = map(2 * page, PROT_READ | PROT_WRITE, m, 0);
	map_m2 = map(2 * page, PROT_READ | PROT_WRITE, m, 0);
	close(m);

	p = make_memfd("fz-p", 0, 4 * page, 6);
	map_p = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE, p, 0);
	if (map_p == MAP_FAILED)
		target_die("mmap p");
	sink = map_p[10];
	(void)sink;
	memset(map_p + page, 'P', page);

	target_ready();
	target_wait();

	check_a(a, a_dup, a_ro, map_a);
	check_b(b);
	check_w(w, map_w);
	check_f(f, map_f);
	target_check(bad_bytes(map_m1, 2 * page, 5, 0) == 0, "m: contents changed");
	check_p(p, map_p);
	map_m1[page + 3] = 'Q';
	target_check(map_m2[page + 3] == 'Q', "m: its two mappings no longer share it");
	return target_finish();
}
