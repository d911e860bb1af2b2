/*
 * manyfds: N open fds (argv[2], default 10000) on one file in DIR: every
 * 10th an open of its own, seeked to its own offset; the rest dups of the
 * last one opened, sharing its offset. After resume: every fd is open, on
 * that file, at its offset.
 */
#include "target.h"
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 10000;
	struct rlimit lim = { (rlim_t)n + 64, (rlim_t)n + 64 };
	char path[4096];
	struct stat want, got;
	int *fds = malloc((size_t)n * sizeof(*fds)), *opened = malloc((size_t)n * sizeof(*fds));
	int last = -1;

	target_init();
	if (!fds || !opened)
		target_die("malloc");
	if (setrlimit(RLIMIT_NOFILE, &lim))
		target_die("setrlimit(RLIMIT_NOFILE)");
	snprintf(path, sizeof(path), "%s/f", argv[1]);
	for (long i = 0; i < n; i++) {
		int fd = i % 10 ? dup(last) : open(path, O_RDWR | O_CREAT, 0600);
		if (fd < 0)
			target_die("open/dup");
		if (i % 10 == 0 && lseek(fd, fd, SEEK_SET) != fd)
			target_die("lseek");
		if (i % 10 == 0)
			last = fd;
		fds[i] = fd;
		opened[i] = last;
	}
	if (fstat(fds[0], &want))
		target_die("fstat");
	target_ready();
	target_wait();

	for (long i = 0; i < n; i++) {
		int fd = fds[i];
		if (fstat(fd, &got) || got.st_ino != want.st_ino) {
			target_check(0, "fd %d is not the file", fd);
			break;
		}
		if (lseek(fd, 0, SEEK_CUR) != opened[i]) {
			target_check(0, "fd %d at offset %ld, not %d", fd,
				     (long)lseek(fd, 0, SEEK_CUR), opened[i]);
			break;
		}
	}
	return target_finish();
}
