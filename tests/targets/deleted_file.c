/*
 * deleted_file: files unlinked while open come back with their bytes,
 * still unlinked.
 *   a1   del.bin O_RDWR, offset 1234, mode 0640; sparse: 3 MiB with data
 *        at [0, 300 KiB) and [2 MiB, 2 MiB + 5000), the rest a hole
 *   a2   dup(a1): shares a1's offset
 *   a3   del.bin again O_RDONLY|O_CLOEXEC, offset 2 MiB + 10: its own
 *        offset, but the same file as a1
 *   b    wo.log O_WRONLY|O_APPEND, holding "hello\n"
 * del.bin's mtime is set to MTIME first and, as root, its owner to
 * OWNER:OWNER.
 * After the resume: same flags and offsets, nlink 0 and "(deleted)" in
 * /proc/self/fd, the same bytes, mtime and owner, a1 and a3 still one
 * file (a write through one is read through the other), b still appends.
 */
#include "target.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#define SIZE (3 << 20)
#define DATA1 (300 << 10)
#define DATA2_AT (2 << 20)
#define DATA2 5000
#define A1_POS 1234
#define A3_POS (DATA2_AT + 10)
#define MODE 0640
#define MTIME_SEC 1234567890
#define MTIME_NSEC 123456789
#define OWNER 1   /* daemon, as root: the resumer gives it back */

enum { A1, A2, A3, B, NFDS };
static const char *const name[NFDS] = { "a1", "a2", "a3", "b" };
static int fds[NFDS], flags[NFDS], fdflags[NFDS];
static unsigned char expect[SIZE];
static uid_t owner;
static gid_t group;

static void fill_expected(void)
{
	for (int i = 0; i < DATA1; i++)
		expect[i] = (unsigned char)(i * 13 + i / 511);
	for (int i = 0; i < DATA2; i++)
		expect[DATA2_AT + i] = (unsigned char)(i * 7 + 1);
}

static void make_file(const char *path)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0600);

	if (fd < 0 || pwrite(fd, expect, DATA1, 0) != DATA1 ||
	    pwrite(fd, expect + DATA2_AT, DATA2, DATA2_AT) != DATA2 ||
	    ftruncate(fd, SIZE) || fchmod(fd, MODE))
		target_die(path);
	if (geteuid() == 0 && fchown(fd, OWNER, OWNER))
		target_die("fchown");
	owner = geteuid() == 0 ? OWNER : geteuid();
	group = geteuid() == 0 ? OWNER : getegid();
	if (futimens(fd, (struct timespec[2]){ { 0, UTIME_OMIT }, { MTIME_SEC, MTIME_NSEC } }) ||
	    close(fd))
		target_die(path);
}

static int open_at(const char *path, int fl, off_t pos)
{
	int fd = open(path, fl, 0600);

	if (fd < 0 || lseek(fd, pos, SEEK_SET) != pos)
		target_die(path);
	return fd;
}

static int is_deleted(int fd)
{
	char link[64], path[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n < 0)
		return 0;
	path[n] = 0;
	return n > 10 && !strcmp(path + n - 10, " (deleted)");
}

static void check_fd_state(void)
{
	for (int i = 0; i < NFDS; i++) {
		target_check(fcntl(fds[i], F_GETFL) == flags[i], "%s: F_GETFL %#x, was %#x",
			     name[i], fcntl(fds[i], F_GETFL), flags[i]);
		target_check(fcntl(fds[i], F_GETFD) == fdflags[i], "%s: F_GETFD %#x, was %#x",
			     name[i], fcntl(fds[i], F_GETFD), fdflags[i]);
		target_check(is_deleted(fds[i]), "%s: /proc/self/fd does not say (deleted)", name[i]);
	}
	target_check(lseek(fds[A1], 0, SEEK_CUR) == A1_POS, "a1: offset %lld, was %d",
		     (long long)lseek(fds[A1], 0, SEEK_CUR), A1_POS);
	target_check(lseek(fds[A3], 0, SEEK_CUR) == A3_POS, "a3: offset %lld, was %d",
		     (long long)lseek(fds[A3], 0, SEEK_CUR), A3_POS);
}

static void check_file(void)
{
	static unsigned char got[SIZE];
	struct stat s1 = { 0 }, s3;

	target_check(!fstat(fds[A1], &s1) && s1.st_nlink == 0, "a1: has a name again (nlink %lu)",
		     (unsigned long)s1.st_nlink);
	target_check(s1.st_size == SIZE, "a1: size %lld, was %d", (long long)s1.st_size, SIZE);
	target_check((s1.st_mode & 07777) == MODE, "a1: mode %o, was %o", s1.st_mode & 07777, MODE);
	target_check(s1.st_mtim.tv_sec == MTIME_SEC && s1.st_mtim.tv_nsec == MTIME_NSEC,
		     "a1: mtime %lld.%09ld, was %d.%09d", (long long)s1.st_mtim.tv_sec,
		     s1.st_mtim.tv_nsec, MTIME_SEC, MTIME_NSEC);
	target_check(s1.st_uid == owner && s1.st_gid == group, "a1: owner %u:%u, was %u:%u",
		     (unsigned)s1.st_uid, (unsigned)s1.st_gid, (unsigned)owner, (unsigned)group);
	target_check(pread(fds[A1], got, SIZE, 0) == SIZE && !memcmp(got, expect, SIZE),
		     "a1: the bytes differ");
	target_check(!fstat(fds[A3], &s3) && s3.st_ino == s1.st_ino && s3.st_dev == s1.st_dev,
		     "a1 and a3 are different files now");
	target_check(pwrite(fds[A1], "XYZ", 3, 100) == 3 && pread(fds[A3], got, 3, 100) == 3 &&
		     !memcmp(got, "XYZ", 3), "a write through a1 is not seen through a3");
	target_check(lseek(fds[A2], 5000, SEEK_SET) == 5000 &&
		     lseek(fds[A1], 0, SEEK_CUR) == 5000, "a2 does not share a1's offset");
	target_check(lseek(fds[A3], 0, SEEK_CUR) == A3_POS, "a3 shares a1's offset");
}

static void check_log(void)
{
	char link[64], got[32] = "";
	int fd;
	ssize_t n;

	target_check(write(fds[B], "more\n", 5) == 5, "b: write failed");
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fds[B]);
	fd = open(link, O_RDONLY);
	n = fd < 0 ? -1 : pread(fd, got, sizeof(got) - 1, 0);
	target_check(n == 11 && !memcmp(got, "hello\nmore\n", 11), "b: holds '%.*s'",
		     n > 0 ? (int)n : 0, got);
	if (fd >= 0)
		close(fd);
}

int main(int argc, char **argv)
{
	char a[PATH_MAX], b[PATH_MAX];

	if (argc < 2)
		target_die("usage: deleted_file SCRATCH_DIR");
	target_init();
	fill_expected();
	snprintf(a, sizeof(a), "%s/del.bin", argv[1]);
	snprintf(b, sizeof(b), "%s/wo.log", argv[1]);
	make_file(a);
	fds[A1] = open_at(a, O_RDWR, A1_POS);
	fds[A2] = dup(fds[A1]);
	fds[A3] = open_at(a, O_RDONLY | O_CLOEXEC, A3_POS);
	fds[B] = open_at(b, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC, 0);
	if (write(fds[B], "hello\n", 6) != 6 || unlink(a) || unlink(b))
		target_die("setup");
	for (int i = 0; i < NFDS; i++) {
		flags[i] = fcntl(fds[i], F_GETFL);
		fdflags[i] = fcntl(fds[i], F_GETFD);
	}
	target_ready();
	target_wait();

	check_fd_state();
	check_file();
	check_log();
	return target_finish();
}
