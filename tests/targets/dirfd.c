/*
 * dirfd: directories, O_PATH fds and O_DIRECT.
 *   dir     d/ (NFILES files) open O_RDONLY|O_DIRECTORY, read part way with
 *           getdents64 (a small buffer, so the kernel's position is mid-way)
 *   opath   d/f00 with O_PATH;  opdir  d/ with O_PATH|O_DIRECTORY
 *   lnk     d/link (a symlink) with O_PATH|O_NOFOLLOW
 *   direct  d/direct.bin O_RDWR|O_DIRECT, when this file system takes it
 * After the resume: the listing goes on where it was (every name exactly
 * once, before and after together), the O_PATH fds are usable with fstat
 * and openat, lnk is still the link itself, direct keeps O_DIRECT.
 */
#include "target.h"
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define NFILES 60
#define NNAMES (NFILES + 2)   /* the files, link and direct.bin */
#define BEFORE 20             /* names read before the freeze (at least) */

enum { DIR_FD, OPATH, OPDIR, LNK, DIRECT, NFDS };
static const char *const fd_name[NFDS] = { "dir", "opath", "opdir", "lnk", "direct" };
static int fds[NFDS] = { -1, -1, -1, -1, -1 }, flags[NFDS];
static int seen[NNAMES];
static ino_t opath_ino;

struct dirent64_raw {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

static int name_index(const char *n)
{
	if (!strcmp(n, "link"))
		return NFILES;
	if (!strcmp(n, "direct.bin"))
		return NFILES + 1;
	if (n[0] == 'f' && strlen(n) == 3)
		return atoi(n + 1);
	return -1;
}

/* One getdents64 call with a small buffer; entries counted in seen[]. */
static long read_some(int fd)
{
	char buf[256];
	long n = syscall(SYS_getdents64, fd, buf, sizeof(buf));

	for (long off = 0; off < n;) {
		struct dirent64_raw *d = (struct dirent64_raw *)(buf + off);
		int i = name_index(d->name);
		if (i >= 0)
			seen[i]++;
		off += d->reclen;
	}
	return n;
}

static int names_seen(void)
{
	int n = 0;

	for (int i = 0; i < NNAMES; i++)
		n += seen[i];
	return n;
}

static void make_dir(const char *dir)
{
	char path[PATH_MAX + 32];

	if (mkdir(dir, 0755))
		target_die(dir);
	for (int i = 0; i < NFILES; i++) {
		snprintf(path, sizeof(path), "%s/f%02d", dir, i);
		int fd = open(path, O_CREAT | O_WRONLY, 0644);
		if (fd < 0 || close(fd))
			target_die(path);
	}
	snprintf(path, sizeof(path), "%s/link", dir);
	if (symlink("f01", path))
		target_die(path);
}

static int open_in(const char *dir, const char *name, int fl)
{
	char path[PATH_MAX + 32];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, fl, 0644);
	if (fd < 0 && !(fl & O_DIRECT))
		target_die(path);
	return fd;
}

static void check_listing(void)
{
	long n;

	while ((n = read_some(fds[DIR_FD])) > 0)
		;
	target_check(n == 0, "dir: getdents64 failed: %s", strerror(errno));
	for (int i = 0; i < NNAMES; i++)
		target_check(seen[i] == 1, "dir: entry %d listed %d times", i, seen[i]);
}

static void check_opath(void)
{
	struct stat st;
	char c;
	int fd;

	target_check(!fstat(fds[OPATH], &st) && st.st_ino == opath_ino, "opath: fstat fails or another file");
	target_check(read(fds[OPATH], &c, 1) < 0 && errno == EBADF, "opath: can be read (not O_PATH)");
	fd = openat(fds[OPDIR], "f02", O_RDONLY);
	target_check(fd >= 0, "opdir: openat(f02) failed: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	target_check(!fstatat(fds[LNK], "", &st, AT_EMPTY_PATH) && S_ISLNK(st.st_mode),
		     "lnk: not the symlink itself any more");
}

int main(int argc, char **argv)
{
	char dir[PATH_MAX];
	struct stat st;

	if (argc < 2)
		target_die("usage: dirfd SCRATCH_DIR");
	target_init();
	snprintf(dir, sizeof(dir), "%s/d", argv[1]);
	make_dir(dir);
	fds[DIRECT] = open_in(dir, "direct.bin", O_RDWR | O_CREAT | O_DIRECT);
	if (fds[DIRECT] >= 0 && !target_direct_block(fds[DIRECT], 1))
		target_die("O_DIRECT write");
	fds[DIR_FD] = open(dir, O_RDONLY | O_DIRECTORY);
	if (fds[DIR_FD] < 0)
		target_die(dir);
	while (names_seen() < BEFORE)
		if (read_some(fds[DIR_FD]) <= 0)
			target_die("getdents64");
	fds[OPATH] = open_in(dir, "f00", O_PATH);
	fds[OPDIR] = open(dir, O_PATH | O_DIRECTORY);
	fds[LNK] = open_in(dir, "link", O_PATH | O_NOFOLLOW);
	if (fds[OPDIR] < 0 || fstat(fds[OPATH], &st))
		target_die("O_PATH");
	opath_ino = st.st_ino;
	for (int i = 0; i < NFDS; i++)
		flags[i] = fds[i] < 0 ? 0 : fcntl(fds[i], F_GETFL);
	target_ready();
	target_wait();

	for (int i = 0; i < NFDS; i++)
		if (fds[i] >= 0)
			target_check(fcntl(fds[i], F_GETFL) == flags[i], "%s: F_GETFL %#x, was %#x",
				     fd_name[i], fcntl(fds[i], F_GETFL), flags[i]);
	check_listing();
	check_opath();
	if (fds[DIRECT] >= 0)
		target_check(target_direct_block(fds[DIRECT], 0), "direct: aligned read failed: %s",
			     strerror(errno));
	return target_finish();
}
