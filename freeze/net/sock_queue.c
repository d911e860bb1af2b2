/*
 * Reading what a socket has received without taking it from the process:
 * MSG_PEEK from an offset freeze sets itself with SO_PEEK_OFF (the socket is
 * the process's own, shared through pidfd_getfd, so its peek offset is put
 * back as it was). A datagram socket is peeked message by message, each at
 * the sum of the lengths before it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "freeze.h"
#include "net/sockets.h"

#define FIRST_BUF (64 * 1024)

struct queue {
	uint8_t *data;
	size_t len, cap;
};

static int reserve(struct queue *q, size_t more)
{
	size_t cap = q->cap ? q->cap : FIRST_BUF;
	uint8_t *g;

	while (cap < q->len + more)
		cap *= 2;
	if (cap == q->cap)
		return 0;
	if (!(g = realloc(q->data, cap)))
		return -ENOMEM;
	q->data = g;
	q->cap = cap;
	return 0;
}

/* Descriptors in a peeked message were installed in freeze: close them. */
static int drop_passed_fds(struct msghdr *m)
{
	int found = 0;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			close(fd);
		}
		found = 1;
	}
	return found || (m->msg_flags & MSG_CTRUNC);
}

/*
 * Peek at most `room` bytes at offset `off`: bytes peeked, or -errno. Only
 * datagrams take MSG_TRUNC (their full length); TCP would discard the data.
 */
static ssize_t peek_at(int s, int type, long off, void *buf, size_t room,
		       int *truncated)
{
	char control[CMSG_SPACE(64 * sizeof(int))];
	struct iovec iov = { buf, room };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = control, .msg_controllen = sizeof(control) };
	int o = (int)off;
	ssize_t n;

	if (off > 0x7fffffff ||
	    setsockopt(s, SOL_SOCKET, SO_PEEK_OFF, &o, sizeof(o)) < 0)
		return off > 0x7fffffff ? -EFBIG : -errno;
	n = recvmsg(s, &m, MSG_PEEK | MSG_DONTWAIT |
		    (type == SOCK_STREAM ? 0 : MSG_TRUNC));
	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	if (drop_passed_fds(&m))
		return -EBADMSG;
	*truncated = (size_t)n > room;
	return n;
}

static int peek_stream(int s, struct queue *q)
{
	for (;;) {
		int err = reserve(q, FIRST_BUF), truncated;
		ssize_t n = err ? err : peek_at(s, SOCK_STREAM, (long)q->len, q->data + q->len,
						 q->cap - q->len, &truncated);
		if (n <= 0)
			return (int)n;
		q->len += (size_t)n;
	}
}

static int peek_datagrams(int s, int type, struct queue *q)
{
	long off = 0;
	size_t room = FIRST_BUF;

	for (;;) {
		uint32_t len;
		int err = reserve(q, sizeof(len) + room), truncated = 0;
		ssize_t n = err ? err : peek_at(s, type, off, q->data + q->len + sizeof(len),
						 room, &truncated);
		if (n < 0)
			return (int)n;
		if (truncated) {
			room = (size_t)n;
			continue;
		}
		/* An empty message reads like an empty queue: it ends the copy. */
		if (n == 0)
			return 0;
		len = (uint32_t)n;
		memcpy(q->data + q->len, &len, sizeof(len));
		q->len += sizeof(len) + (size_t)n;
		off += n;
	}
}

int peek_queue(int s, int type, uint8_t **data, uint32_t *len)
{
	struct queue q = { 0 };
	int old = -1, err, avail = 0;
	socklen_t olen = sizeof(old);

	*data = NULL;
	*len = 0;
	if (ioctl(s, FIONREAD, &avail) == 0 && avail == 0)
		return 0;
	if (getsockopt(s, SOL_SOCKET, SO_PEEK_OFF, &old, &olen) < 0)
		return -errno;
	err = type == SOCK_STREAM ? peek_stream(s, &q) : peek_datagrams(s, type, &q);
	setsockopt(s, SOL_SOCKET, SO_PEEK_OFF, &old, sizeof(old));
	if (!err && q.len > UINT32_MAX)
		err = -EFBIG;
	if (err) {
		free(q.data);
		return err;
	}
	*data = q.data;
	*len = (uint32_t)q.len;
	return 0;
}
