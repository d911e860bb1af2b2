/*
 * Pipes whose both ends the process holds: what is written and not yet read
 * goes into the image. freeze takes a copy of the read end with
 * pidfd_getfd() and tee()s its contents into a pipe of its own, which
 * duplicates the bytes without consuming them: the process loses nothing.
 */
#include <errno.h>
#include <fcntl.h>
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

int collect_pipe(struct target *t, int read_fd, uint64_t id)
{
	struct pipe_entry e = { .rec = { .id = id } };
	int src, cap, err;

	src = pidfd_dup(t->pid, read_fd);
	if (src < 0)
		return fail(src, "process %d: fd %d: taking a copy of the pipe",
			    (int)t->pid, read_fd);
	cap = fcntl(src, F_GETPIPE_SZ);
	err = cap < 0 ? -errno : peek_pipe(src, (uint32_t)cap, &e.data, &e.rec.data_len);
	close(src);
	if (err)
		return fail(err, "process %d: fd %d: reading what is in the pipe",
			    (int)t->pid, read_fd);
	e.rec.capacity = (uint32_t)cap;
	err = append_item(&t->pipes, &t->npipes, sizeof(e), &e);
	if (err) {
		free(e.data);
		return fail(err, "collecting pipes");
	}
	return 0;
}
