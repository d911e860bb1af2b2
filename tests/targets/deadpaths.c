/*
 * deadpaths: fds on a removed directory and on a deleted symlink.
 *   rdir  d/ open O_RDONLY|O_DIRECTORY, then d/ removed (mode 02751, an old
 *         mtime set first), an exclusive flock held through it;
 *   pdir  d/ with O_PATH (the same directory)
 *   pgone g/ with O_PATH only, then g/ removed (mode 0700)
 *   plnk  the symlink l (target "../no where/x y") with O_PATH|O_NOFOLLOW,
 *         then l deleted
 * The process's cwd is not in any of them. After the resume each fd is
 * still what the process could tell of it: fstat type, mode, owner,
 * mtime and nlink 0; rdir and pdir one directory; readlinkat(plnk, "")
 * the target text; getdents and openat(O_CREAT) fail as they did before
 * the freeze (ENOENT on a removed directory); /proc/self/fd names
 * "path (deleted)"; F_GETFL unchanged; rdir still holds its flock. And no stand-in is left on disk:
 * the scratch directory holds what it held before the freeze, and /tmp
 * has no .freeze-PID-* entry.
 *
 * With argv[2] = "deadfile", it also holds an O_PATH fd on a deleted
 * regular file: freeze refuses that (bad/opath-deleted-file).
 */
#include "target.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define TARGET_TEXT "../no where/x y"
#define OLD_MTIME 1234567890

enum { RDIR, PDIR, PGONE, PLNK, NFDS };
static const char *const fd_name[NFDS] = { "rdir", "pdir", "pgone", "plnk" };
static int fds[NFDS], flags[NFDS];
static char paths[NFDS][PATH_MAX];
static struct stat before[NFDS];
static long dents_before[NFDS];
static int dents_errno[NFDS], create_errno[NFDS];
static char listing[4096];

/* The names in dir, sorted by the kernel's order, joined by '/'. */
static void list_dir(const char *dir, char *out, size_t cap)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t len = 0;

	out[0] = 0;
	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			len += (size_t)snprintf(out + len, len < cap ? cap - len : 0, "%s/", e->d_name);
	if (d)
		closedir(d);
}

static void make_dir(const char *path, mode_t mode, int fd_a, int fl_a, int fd_b, int fl_b)
{
	struct timespec t[2] = { { 0, UTIME_OMIT }, { OLD_MTIME, 500 } };

	if (mkdir(path, 0700) || chmod(path, mode))
		target_die(path);
	fds[fd_a] = open(path, fl_a);
	if (fd_b >= 0)
		fds[fd_b] = open(path, fl_b);
	if (fds[fd_a] < 0 || (fd_b >= 0 && fds[fd_b] < 0))
		target_die(path);
	if (utimensat(AT_FDCWD, path, t, 0) || rmdir(path))
		target_die(path);
}

/* getdents64 and openat(O_CREAT) on fd i: their result, as errnos. */
static void probe(int i, long *dents, int *dents_err, int *create_err)
{
	char buf[512];
	int fd;

	errno = 0;
	*dents = syscall(SYS_getdents64, fds[i], buf, sizeof(buf));
	*dents_err = *dents < 0 ? errno : 0;
	errno = 0;
	fd = openat(fds[i], "new", O_CREAT | O_WRONLY, 0600);
	*create_err = fd < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
}

static void setup(const char *scratch, int deadfile)
{
	char lnk[PATH_MAX];

	snprintf(paths[RDIR], PATH_MAX, "%s/d", scratch);
	strcpy(paths[PDIR], paths[RDIR]);
	snprintf(paths[PGONE], PATH_MAX, "%s/g", scratch);
	snprintf(paths[PLNK], PATH_MAX, "%s/l", scratch);
	make_dir(paths[RDIR], 02751, RDIR, O_RDONLY | O_DIRECTORY, PDIR, O_PATH);
	make_dir(paths[PGONE], 0700, PGONE, O_PATH | O_DIRECTORY, -1, 0);
	snprintf(lnk, sizeof(lnk), "%s", paths[PLNK]);
	if (symlink(TARGET_TEXT, lnk))
		target_die(lnk);
	fds[PLNK] = open(lnk, O_PATH | O_NOFOLLOW);
	if (fds[PLNK] < 0 || unlink(lnk))
		target_die(lnk);
	if (deadfile) {
		char f[PATH_MAX];
		int fd;
		snprintf(f, sizeof(f), "%s/file", scratch);
		if ((fd = open(f, O_CREAT | O_WRONLY, 0600)) < 0 || close(fd) ||
		    open(f, O_PATH) < 0 || unlink(f))
			target_die(f);
	}
	for (int i = 0; i < NFDS; i++) {
		flags[i] = fcntl(fds[i], F_GETFL);
		if (fstatat(fds[i], "", &before[i], AT_EMPTY_PATH))
			target_die("fstat");
		probe(i, &dents_before[i], &dents_errno[i], &create_errno[i]);
	}
	if (flock(fds[RDIR], LOCK_EX | LOCK_NB))
		target_die("flock");
	if (dents_errno[RDIR] != ENOENT || create_errno[RDIR] != ENOENT)
		target_die("a removed directory does not refuse getdents and openat");
	list_dir(scratch, listing, sizeof(listing));
}

static void check_stat(int i)
{
	struct stat st;

	if (fstatat(fds[i], "", &st, AT_EMPTY_PATH)) {
		target_check(0, "%s: fstat: %s", fd_name[i], strerror(errno));
		return;
	}
	target_check(st.st_mode == before[i].st_mode, "%s: mode %o, was %o", fd_name[i],
		     st.st_mode, before[i].st_mode);
	target_check(st.st_nlink == 0, "%s: nlink %lu, not 0", fd_name[i], (unsigned long)st.st_nlink);
	target_check(st.st_uid == before[i].st_uid && st.st_gid == before[i].st_gid,
		     "%s: owner %u:%u, was %u:%u", fd_name[i], st.st_uid, st.st_gid,
		     before[i].st_uid, before[i].st_gid);
	target_check(st.st_mtim.tv_sec == before[i].st_mtim.tv_sec &&
			     st.st_mtim.tv_nsec == before[i].st_mtim.tv_nsec,
		     "%s: mtime %ld.%09ld, was %ld.%09ld", fd_name[i], (long)st.st_mtim.tv_sec,
		     st.st_mtim.tv_nsec, (long)before[i].st_mtim.tv_sec, before[i].st_mtim.tv_nsec);
}

static void check_fd(int i)
{
	char link[64], name[PATH_MAX + 16], want[PATH_MAX + 16];
	long dents;
	int dents_err, create_err;
	ssize_t n;

	target_check(fcntl(fds[i], F_GETFL) == flags[i], "%s: F_GETFL %#x, was %#x", fd_name[i],
		     fcntl(fds[i], F_GETFL), flags[i]);
	check_stat(i);
	probe(i, &dents, &dents_err, &create_err);
	target_check(dents == dents_before[i] && dents_err == dents_errno[i],
		     "%s: getdents64 gives %ld (%s), gave %ld (%s)", fd_name[i], dents,
		     strerror(dents_err), dents_before[i], strerror(dents_errno[i]));
	target_check(create_err == create_errno[i], "%s: openat(O_CREAT): %s, was %s", fd_name[i],
		     strerror(create_err), strerror(create_errno[i]));
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fds[i]);
	n = readlink(link, name, sizeof(name) - 1);
	name[n > 0 ? n : 0] = 0;
	snprintf(want, sizeof(want), "%s (deleted)", paths[i]);
	target_check(!strcmp(name, want), "%s: /proc/self/fd says '%s', not '%s'", fd_name[i],
		     name, want);
}

/* Does fd's open file hold a flock? Its fdinfo says so. */
static int holds_flock(int fd)
{
	char path[64], line[256];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (!(f = fopen(path, "r")))
		return 0;
	while (fgets(line, sizeof(line), f))
		found |= !strncmp(line, "lock:", 5) && strstr(line, "FLOCK") &&
			 strstr(line, "WRITE");
	fclose(f);
	return found;
}

static void check_after(const char *scratch)
{
	char now[4096], target[PATH_MAX], tmp[64];
	struct stat a, b;
	DIR *d;
	struct dirent *e;
	ssize_t n;

	for (int i = 0; i < NFDS; i++)
		check_fd(i);
	target_check(holds_flock(fds[RDIR]), "rdir: its flock is gone");
	target_check(!fstat(fds[RDIR], &a) && !fstatat(fds[PDIR], "", &b, AT_EMPTY_PATH) &&
			     a.st_ino == b.st_ino && a.st_dev == b.st_dev,
		     "rdir and pdir are not one directory any more");
	target_check(!fstatat(fds[PGONE], "", &b, AT_EMPTY_PATH) && a.st_ino != b.st_ino,
		     "pgone is the same directory as rdir");
	n = readlinkat(fds[PLNK], "", target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = 0;
	target_check(n == (ssize_t)strlen(TARGET_TEXT) && !strcmp(target, TARGET_TEXT),
		     "plnk: readlinkat gives '%s' (%s), not '%s'", target,
		     n < 0 ? strerror(errno) : "", TARGET_TEXT);
	list_dir(scratch, now, sizeof(now));
	target_check(!strcmp(now, listing), "the scratch directory holds '%s', held '%s'", now,
		     listing);
	snprintf(tmp, sizeof(tmp), ".freeze-%d-", (int)getpid());
	for (d = opendir("/tmp"); d && (e = readdir(d));)
		target_check(strncmp(e->d_name, tmp, strlen(tmp)), "/tmp/%s left behind", e->d_name);
	if (d)
		closedir(d);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		target_die("usage: deadpaths SCRATCH_DIR [deadfile]");
	target_init();
	setup(argv[1], argc > 2 && !strcmp(argv[2], "deadfile"));
	target_ready();
	target_wait();
	check_after(argv[1]);
	return target_finish();
}
