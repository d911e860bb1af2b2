/*
 * Reading what a socket has received without taking it from the process:
 * MSG_PEEK from an offset freeze sets itself with SO_PEEK_OFF (the socket is
 * the process's own, shared through pidfd_getfd, so its peek offset is put
 * back as it was). A datagram socket is peeked message by message, each at
 * the sum of the lengths before it. A peek installs the fds of a message
 * carrying SCM_RIGHTS in freeze: each message's are handed to the caller's
 * passed_fn, then closed.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
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

/* The fds a peek installed in freeze (MSG_CMSG_CLOEXEC). */
struct peeked_fds {
	int fd[FZ_PASSED_MAX];
	unsigned n;
	bool truncated;
};

static void take_passed_fds(struct msghdr *m, struct peeked_fds *out)
{
	out->n = 0;
	out->truncated = (m->msg_flags & MSG_CTRUNC) != 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			if (out->n < FZ_PASSED_MAX)
				out->fd[out->n++] = fd;
			else
				close(fd), out->truncated = true;
		}
	}
}

static void drop_fds(struct peeked_fds *f)
{
	for (unsigned i = 0; i < f->n; i++)
		close(f->fd[i]);
	f->n = 0;
}

/*
 * Peek at most `room` bytes at offset `off`: bytes peeked, or -errno; the
 * fds of the message in *fds (the caller closes them). Only datagrams take
 * MSG_TRUNC (their full length); TCP would discard the data.
 */
static ssize_t peek_at(int s, int type, long off, void *buf, size_t room,
		       int *truncated, struct peeked_fds *fds)
{
	char control[CMSG_SPACE(FZ_PASSED_MAX * sizeof(int))];
	struct iovec iov = { buf, room };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = control, .msg_controllen = sizeof(control) };
	int o = (int)off;
	ssize_t n;

	fds->n = 0;
	if (off > 0x7fffffff ||
	    setsockopt(s, SOL_SOCKET, SO_PEEK_OFF, &o, sizeof(o)) < 0)
		return off > 0x7fffffff ? -EFBIG : -errno;
	n = recvmsg(s, &m,
		    MSG_PEEK | MSG_DONTWAIT | MSG_CMSG_CLOEXEC |
			    (type == SOCK_STREAM ? 0 : MSG_TRUNC));
	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	take_passed_fds(&m, fds);
	if (fds->truncated) {
		drop_fds(fds);
		return -EBADMSG;
	}
	*truncated = (size_t)n > room;
	return n;
}

/*
 * Where the skb carrying fds that ends at `end` starts. A stream peek goes
 * on through the skbs after the one it fills its buffer in, to the next
 * with fds, so a small peek cannot tell; but a peek copies skb by skb and
 * stops at the first it cannot copy whole: into a buffer that ends one
 * byte short of `end`, at a page it cannot write, it copies exactly the
 * skbs before (EFAULT if there are none).
 */
static long fds_skb_start(int s, long off, long end)
{
	long page = sysconf(_SC_PAGESIZE), k = end - off - 1, o = (int)off;
	size_t room = (size_t)((k + page - 1) / page * page);
	struct iovec iov;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	uint8_t *base;
	ssize_t n;
	int err;

	if (k <= 0)
		return off;
	base = mmap(NULL, room + (size_t)page, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return -errno;
	if (mprotect(base, room, PROT_READ | PROT_WRITE) ||
	    setsockopt(s, SOL_SOCKET, SO_PEEK_OFF, &o, sizeof(o))) {
		err = -errno;
		munmap(base, room + (size_t)page);
		return err;
	}
	iov = (struct iovec){ base + room - k, (size_t)k + 1 };
	n = recvmsg(s, &m, MSG_PEEK | MSG_DONTWAIT);
	err = errno;
	munmap(base, room + (size_t)page);
	if (n < 0)
		return err == EFAULT ? off : -err;
	return n <= k ? off + n : -EPROTO;
}

static int peek_stream(int s, struct queue *q, passed_fn *fn, void *ctx)
{
	size_t want = FIRST_BUF;

	for (;;) {
		struct peeked_fds fds = { .n = 0 };
		int err = reserve(q, want), truncated;
		size_t room = q->cap - q->len;
		ssize_t n = err ? err :
				  peek_at(s, SOCK_STREAM, (long)q->len,
					  q->data + q->len, room, &truncated, &fds);
		long start;
		if (n <= 0)
			return (int)n;
		/* Filled to the brim: the skb with fds may go on past it. */
		if (fds.n && (size_t)n == room) {
			drop_fds(&fds);
			want = room * 2;
			continue;
		}
		want = FIRST_BUF;
		if (fds.n) {
			start = fds_skb_start(s, (long)q->len, (long)q->len + n);
			err = start < 0 ? (int)start :
			      !fn       ? -EBADMSG :
					  fn(ctx, (uint32_t)start,
					     (uint32_t)((long)q->len + n - start), fds.fd, fds.n);
			drop_fds(&fds);
			if (err)
				return err;
		}
		q->len += (size_t)n;
	}
}

static int peek_datagrams(int s, int type, struct queue *q, passed_fn *fn, void *ctx)
{
	long off = 0;
	size_t room = FIRST_BUF;
	uint32_t index = 0;

	for (;;) {
		struct peeked_fds fds = { .n = 0 };
		uint32_t len;
		int err = reserve(q, sizeof(len) + room), truncated = 0;
		ssize_t n = err ? err :
				  peek_at(s, type, off, q->data + q->len + sizeof(len),
					  room, &truncated, &fds);
		if (n < 0)
			return (int)n;
		if (truncated) {
			drop_fds(&fds);
			room = (size_t)n;
			continue;
		}
		/* An empty message reads like an empty queue: it ends the copy.
		   One carrying fds would be peeked again and again. */
		if (n == 0) {
			err = fds.n ? -EBADMSG : 0;
			drop_fds(&fds);
			return err;
		}
		err = !fds.n ? 0 :
		      !fn    ? -EBADMSG :
			       fn(ctx, index, (uint32_t)n, fds.fd, fds.n);
		drop_fds(&fds);
		if (err)
			return err;
		len = (uint32_t)n;
		memcpy(q->data + q->len, &len, sizeof(len));
		q->len += sizeof(len) + (size_t)n;
		off += n;
		index++;
	}
}

int peek_queue(int s, int type, uint8_t **data, uint32_t *len, passed_fn *fn, void *ctx)
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
	err = type == SOCK_STREAM ? peek_stream(s, &q, fn, ctx) :
				    peek_datagrams(s, type, &q, fn, ctx);
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
