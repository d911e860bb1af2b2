/*
 * Pipes of the process (both ends its own, or one end with the other open
 * nowhere): what is written and not yet read goes into the image. freeze
 * takes a copy of a read end with pidfd_getfd() and tee()s its contents
 * into a pipe of its own, which duplicates the bytes without consuming
 * them: the process loses nothing. A pipe it holds only write ends of has
 * no read end to copy: one is opened through /proc/PID/fd for the peek
 * (Linux opens a pipe there like a FIFO) and closed at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fds/fds.h"

/* Copy the unread bytes of `src` (a read end) without consuming them. */
static int peek_pipe(int src, uint32_t capacity, uint8_t **data, uint32_t *len)
{
	int p[2], err = 0;
	ssize_t n;

	*data = NULL;
	*len = 0;
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	if (fcntl(p[1], F_SETPIPE_SZ, (int)capacity) < 0)
		err = -errno;
	n = err ? 0 : tee(src, p[1], capacity, SPLICE_F_NONBLOCK);
	if (n < 0 && errno != EAGAIN)
		err = -errno;
	if (!err && n > 0) {
		*data = malloc((size_t)n);
		if (!*data)
			err = -ENOMEM;
		else if (read(p[0], *data, (size_t)n) != n)
			err = -EIO;
		else
			*len = (uint32_t)n;
	}
	close(p[0]);
	close(p[1]);
	return err;
}

/* A read end of the pipe fd is an end of: a copy of it, or a new one. */
static int read_end(pid_t pid, int fd, bool write_end)
{
	char path[64];
	int r;

	if (!write_end)
		return pidfd_dup(pid, fd);
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	r = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	return r < 0 ? -errno : r;
}

int collect_pipe(struct target *t, int fd, uint64_t id, bool write_end)
{
	struct pipe_entry e = { .rec = { .id = id } };
	int src, cap, err;

	src = read_end(t->pid, fd, write_end);
	if (src < 0)
		return fail(src, "process %d: fd %d: %s", (int)t->pid, fd,
			    write_end ? "opening a read end of the pipe through /proc" :
					"taking a copy of the pipe");
	cap = fcntl(src, F_GETPIPE_SZ);
	err = cap < 0 ? -errno : peek_pipe(src, (uint32_t)cap, &e.data, &e.rec.data_len);
	close(src);
	if (err)
		return fail(err, "process %d: fd %d: reading what is in the pipe",
			    (int)t->pid, fd);
	e.rec.capacity = (uint32_t)cap;
	err = append_item(&t->pipes, &t->npipes, sizeof(e), &e);
	if (err) {
		free(e.data);
		return fail(err, "collecting pipes");
	}
	return 0;
}
