/*
 * fds: open files survive with their numbers, offsets, flags and sharing.
 *   rw    data.bin  O_RDWR, offset 1000
 *   dup   dup(rw): shares rw's offset
 *   app   log.txt   O_WRONLY|O_APPEND
 *   ro    data.bin  O_RDONLY|O_CLOEXEC, offset 5000
 *   42    data.bin  O_RDONLY (dup2'd to 42), offset 777, its own offset
 *   null  /dev/null O_WRONLY;  zero  /dev/zero O_RDONLY|O_NONBLOCK
 * After the resume: same fd numbers (and no other fd), same files (inode,
 * /proc/self/fd link), offsets, access modes and status flags, FD_CLOEXEC,
 * data read at the offsets, a shared offset still shared, O_APPEND appends.
 */
#include "target.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <sys/stat.h>

enum { DATA_SIZE = 64 << 10, READ_LEN = 16, HIGH_FD = 42, MAX_FDS = 64 };
enum { RW, DUP, APP, RO, HIGH, NUL, ZERO, NFDS };

static const char *const fd_name[NFDS] = { "rw", "dup", "app", "ro", "fd 42", "null", "zero" };

struct fd_state {
	int fd;
	char path[PATH_MAX];
	off_t offset;
	int flags;	/* F_GETFL */
	int fdflags;	/* F_GETFD */
	ino_t ino;
};

static struct fd_state fds[NFDS];

static unsigned char data_byte(off_t i)
{
	return (unsigned char)(i * 7 + i / 256);
}

static void make_data_file(const char *path)
{
	unsigned char buf[DATA_SIZE];
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);

	for (off_t i = 0; i < DATA_SIZE; i++)
		buf[i] = data_byte(i);
	if (fd < 0 || write(fd, buf, DATA_SIZE) != DATA_SIZE || close(fd))
		target_die(path);
}

static int open_at(const char *path, int flags, off_t offset)
{
	int fd = open(path, flags, 0644);

	if (fd < 0 || lseek(fd, offset, SEEK_SET) != offset)
		target_die(path);
	return fd;
}

/* Bitmap of the open fd numbers below MAX_FDS (the directory fd excluded). */
static uint64_t open_fd_set(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	uint64_t set = 0;

	if (!d)
		target_die("/proc/self/fd");
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] != '.' && fd != dirfd(d))
			set |= fd < MAX_FDS ? 1ULL << fd : 1ULL << (MAX_FDS - 1);
	}
	closedir(d);
	return set;
}

static void record(int i)
{
	struct fd_state *s = &fds[i];
	char link[64];
	struct stat st;
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", s->fd);
	n = readlink(link, s->path, sizeof(s->path) - 1);
	if (n < 0 || fstat(s->fd, &st))
		target_die(link);
	s->path[n] = 0;
	s->offset = lseek(s->fd, 0, SEEK_CUR);
	s->flags = fcntl(s->fd, F_GETFL);
	s->fdflags = fcntl(s->fd, F_GETFD);
	s->ino = st.st_ino;
}

static void check_same(int i)
{
	const struct fd_state *s = &fds[i];
	char link[64], path[PATH_MAX];
	struct stat st;
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", s->fd);
	n = readlink(link, path, sizeof(path) - 1);
	path[n > 0 ? n : 0] = 0;
	target_check(n > 0 && !strcmp(path, s->path), "%s: fd %d is %s, was %s", fd_name[i], s->fd,
		     n > 0 ? path : strerror(errno), s->path);
	target_check(!fstat(s->fd, &st) && st.st_ino == s->ino, "%s: another inode", fd_name[i]);
	if (i != APP && i != NUL && i != ZERO)
		target_check(lseek(s->fd, 0, SEEK_CUR) == s->offset, "%s: offset %lld, was %lld",
			     fd_name[i], (long long)lseek(s->fd, 0, SEEK_CUR),
			     (long long)s->offset);
	target_check(fcntl(s->fd, F_GETFL) == s->flags, "%s: F_GETFL %#x, was %#x", fd_name[i],
		     fcntl(s->fd, F_GETFL), s->flags);
	target_check(fcntl(s->fd, F_GETFD) == s->fdflags, "%s: F_GETFD %#x, was %#x", fd_name[i],
		     fcntl(s->fd, F_GETFD), s->fdflags);
}

static int reads_data_at(int fd, off_t offset)
{
	unsigned char buf[READ_LEN];

	if (read(fd, buf, READ_LEN) != READ_LEN)
		return 0;
	for (int i = 0; i < READ_LEN; i++)
		if (buf[i] != data_byte(offset + i))
			return 0;
	return 1;
}

static void check_behaviour(void)
{
	unsigned char zeros[READ_LEN], ones[READ_LEN];
	struct stat st;
	off_t size;

	target_check(reads_data_at(fds[RW].fd, 1000), "rw: wrong data at offset 1000");
	target_check(lseek(fds[DUP].fd, 0, SEEK_CUR) == 1000 + READ_LEN,
		     "dup does not share rw's offset");
	target_check(lseek(fds[DUP].fd, 3000, SEEK_SET) == 3000 &&
		     lseek(fds[RW].fd, 0, SEEK_CUR) == 3000, "rw does not share dup's offset");
	target_check(pwrite(fds[RW].fd, "\x00", 0, 0) == 0, "rw: not writable");
	target_check(reads_data_at(fds[RO].fd, 5000), "ro: wrong data at offset 5000");
	target_check(reads_data_at(fds[HIGH].fd, 777), "fd 42: wrong data at offset 777");
	target_check(lseek(fds[RO].fd, 0, SEEK_CUR) == 5000 + READ_LEN,
		     "ro and fd 42 share an offset");

	size = fstat(fds[APP].fd, &st) ? -1 : st.st_size;
	target_check(write(fds[APP].fd, "line2\n", 6) == 6 && !fstat(fds[APP].fd, &st) &&
		     st.st_size == size + 6 && lseek(fds[APP].fd, 0, SEEK_CUR) == size + 6,
		     "app: write did not append");

	memset(ones, 1, sizeof(ones));
	memset(zeros, 0, sizeof(zeros));
	target_check(read(fds[ZERO].fd, ones, READ_LEN) == READ_LEN && !memcmp(ones, zeros, READ_LEN),
		     "zero: does not read zeros");
	target_check(write(fds[NUL].fd, ones, READ_LEN) == READ_LEN, "null: not writable");
}

int main(int argc, char **argv)
{
	char data[PATH_MAX], log[PATH_MAX];
	uint64_t fd_set_before;
	int tmp;

	if (argc < 2)
		target_die("usage: fds SCRATCH_DIR");
	target_init();
	snprintf(data, sizeof(data), "%s/data.bin", argv[1]);
	snprintf(log, sizeof(log), "%s/log.txt", argv[1]);
	make_data_file(data);

	fds[RW].fd = open_at(data, O_RDWR, 1000);
	fds[DUP].fd = dup(fds[RW].fd);
	fds[APP].fd = open_at(log, O_WRONLY | O_APPEND | O_CREAT, 0);
	if (write(fds[APP].fd, "line1\n", 6) != 6)
		target_die("write");
	fds[RO].fd = open_at(data, O_RDONLY | O_CLOEXEC, 5000);
	tmp = open_at(data, O_RDONLY, 777);
	fds[HIGH].fd = dup2(tmp, HIGH_FD);
	close(tmp);
	fds[NUL].fd = open_at("/dev/null", O_WRONLY, 0);
	fds[ZERO].fd = open_at("/dev/zero", O_RDONLY | O_NONBLOCK, 0);
	for (int i = 0; i < NFDS; i++)
		record(i);
	fd_set_before = open_fd_set();
	target_ready();
	target_wait();

	target_check(open_fd_set() == fd_set_before, "the set of open fds changed: %#llx, was %#llx",
		     (unsigned long long)open_fd_set(), (unsigned long long)fd_set_before);
	for (int i = 0; i < NFDS; i++)
		check_same(i);
	check_behaviour();
	return target_finish();
}
