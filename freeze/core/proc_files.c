/*
 * File I/O helpers: small /proc/PID files read whole, copies of the
 * target's fds, positioned writes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "exit_status.h"
#include "freeze.h"

int read_proc_file(pid_t pid, const char *name, char *buf, size_t cap,
		   size_t *len)
{
	char path[64];
	size_t n = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (n < cap - 1) {
		ssize_t r = read(fd, buf + n, cap - 1 - n);
		if (r < 0) {
			int err = -errno;
			close(fd);
			return err;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = 0;
	if (len)
		*len = n;
	return 0;
}

/* freeze writes nothing but its output with it: a failure is an I/O error. */
int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fail_class(FZ_EXIT_IO);
			return n < 0 ? -errno : -EIO;
		}
		p += n, len -= (size_t)n;
	}
	return 0;
}

int write_zeros(int fd, size_t len)
{
	static const uint8_t zeros[4096];

	while (len) {
		size_t n = len < sizeof(zeros) ? len : sizeof(zeros);
		int err = write_all(fd, zeros, n);
		if (err)
			return err;
		len -= n;
	}
	return 0;
}

int status_field(const char *status, const char *key, long *value)
{
	const char *p = strstr(status, key);

	if (!p)
		return -ENOENT;
	*value = strtol(p + strlen(key), NULL, 10);
	return 0;
}

int pidfd_dup(pid_t pid, int fd)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int copy;

	if (pidfd < 0)
		return -errno;
	copy = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	if (copy < 0)
		copy = -errno;
	close(pidfd);
	return copy;
}
