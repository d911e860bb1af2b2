/*
 * A socket's queue sent again, message by message, with the fds that were
 * in flight in it (PASSED_FD records): each message carrying fds goes
 * alone, in one sendmsg with SCM_RIGHTS, so the reader gets them with the
 * same bytes as before. The fds are the process's own open files (held
 * ones, as prepared for its fds) or files and devices opened again for the
 * purpose and closed once sent.
 *
 * A queue holding fds is filled last (finish_sockets), when every fd of
 * the process is open: what comes after the fill in a socket's making
 * (connecting a datagram socket, its filters, its shutdown, closing the
 * helper that sent the queue) waits with it.
 */
#include "fds/fds.h"
#include "lib.h"
#include "net/net.h"
#include "net/sockets.h"
#include "net/sys_socket.h"
#include "print.h"

#define ENOBUFS_ 105

struct passed_set {
	int fd[FZ_PASSED_MAX];
	int opened[FZ_PASSED_MAX]; /* 1: opened here, closed after sending */
	unsigned n;
};

static const struct fz_passed_fd *passed_of(const struct fz_record *r, uint64_t id)
{
	const struct fz_passed_fd *p = rec_data(r);

	return r->type == FZ_REC_PASSED_FD && p->socket_id == id ? p : 0;
}

int sock_passes_fds(const struct stub *st, uint64_t id)
{
	for_each_record(&st->img, r)
		if (passed_of(r, id))
			return 1;
	return 0;
}

/* The first stream message with fds at or after byte `from`. */
static int next_message(const struct stub *st, const struct fz_socket *r,
			uint32_t from, uint32_t *at, uint32_t *len)
{
	for_each_record(&st->img, q) {
		const struct fz_passed_fd *p = passed_of(q, r->id);
		if (p && p->at >= from) {
			*at = p->at;
			*len = p->len;
			return 1;
		}
	}
	return 0;
}

/* The open file of the process's fd `fd` as prepared (a dup's: its owner's). */
static int held_fd(const struct stub *st, int fd)
{
	const struct prepared_fd *f = find_prepared(st, fd);

	if (f && f->rec->kind == FZ_FD_DUP)
		f = find_prepared(st, f->rec->dup_of);
	if (!f || f->tmp < 0)
		die("fd %d: a message queued in a socket carries it, and it is not open", fd);
	return f->tmp;
}

static int open_passed(const struct stub *st, const struct fz_socket *r,
		       const struct fz_passed_fd *p)
{
	const char *path = (const char *)(p + 1);
	long fd = sys_open(path, (int)(p->flags & REOPEN_FLAGS) | O_CLOEXEC, 0);

	if (fd < 0)
		die("fd %d: cannot open %s again, which a message queued in its socket "
		    "carries: %s",
		    sock_fd_of(st, r->id), path, errname(fd));
	if (p->kind == FZ_PASSED_FILE && sys_lseek((int)fd, (long)p->pos, 0) < 0)
		die("fd %d: cannot seek %s to %lu, as a message queued in its socket "
		    "carries it",
		    sock_fd_of(st, r->id), path, (unsigned long)p->pos);
	return (int)fd;
}

/* The fds of r's message `at`, opened. */
static void gather(const struct stub *st, const struct fz_socket *r, uint32_t at,
		   struct passed_set *set)
{
	set->n = 0;
	for_each_record(&st->img, q) {
		const struct fz_passed_fd *p = passed_of(q, r->id);
		if (!p || p->at != at)
			continue;
		if (set->n == FZ_PASSED_MAX)
			die("image is damaged: a message carries too many fds");
		set->opened[set->n] = p->kind != FZ_PASSED_HELD;
		set->fd[set->n] = p->kind == FZ_PASSED_HELD ? held_fd(st, p->held_fd) :
							      open_passed(st, r, p);
		set->n++;
	}
}

static void release(struct passed_set *set)
{
	for (unsigned i = 0; i < set->n; i++)
		if (set->opened[i])
			sys_close(set->fd[i]);
}

static void cannot(const struct stub *st, const struct fz_socket *r, long ret)
{
	die("fd %d: cannot put back the %u bytes queued in its socket: %s",
	    sock_fd_of(st, r->id), r->data_len, errname(ret < 0 ? ret : -ENOBUFS_));
}

/* One sendmsg of buf, with set's fds if it has any; bytes sent. */
static long send_one(int via, const void *buf, uint32_t len,
		     const struct passed_set *set, const void *to, unsigned to_len)
{
	union {
		struct cmsghdr_ h;
		uint8_t room[sizeof(struct cmsghdr_) + FZ_PASSED_MAX * sizeof(int)];
	} c;
	struct iovec_ iov = { buf, len };
	struct msghdr_ m = { .name = to, .namelen = to_len, .iov = &iov, .iovlen = 1 };

	if (set && set->n) {
		c.h.len = sizeof(c.h) + set->n * sizeof(int);
		c.h.level = SOL_SOCKET;
		c.h.type = SCM_RIGHTS_;
		memcpy(c.room + sizeof(c.h), set->fd, set->n * sizeof(int));
		m.control = &c;
		m.controllen = (c.h.len + 7) & ~(size_t)7;
	}
	return sys_sendmsg(via, &m, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* Stream bytes, all of them, the first send with set's fds (if given). */
static void send_stream(const struct stub *st, int via, const struct fz_socket *r,
			const uint8_t *p, uint32_t len, const struct passed_set *set)
{
	while (len) {
		long ret = send_one(via, p, len, set, 0, 0);
		if (ret <= 0)
			cannot(st, r, ret);
		p += ret;
		len -= (uint32_t)ret;
		set = 0;
	}
}

static void fill_stream(const struct stub *st, int via, const struct fz_socket *r)
{
	const uint8_t *data = sock_data(r);
	uint32_t off = 0, at, len;
	struct passed_set set;

	while (next_message(st, r, off, &at, &len)) {
		send_stream(st, via, r, data + off, at - off, 0);
		gather(st, r, at, &set);
		send_stream(st, via, r, data + at, len, &set);
		release(&set);
		off = at + len;
	}
	send_stream(st, via, r, data + off, r->data_len - off, 0);
}

void sock_fill_queue(const struct stub *st, int via, const struct fz_socket *r,
		     const void *to, unsigned to_len)
{
	const uint8_t *p = sock_data(r), *end = p + r->data_len;
	struct passed_set set;

	if (r->type == SOCK_STREAM) {
		fill_stream(st, via, r);
		return;
	}
	for (uint32_t index = 0; p < end; index++) {
		uint32_t len;
		long ret;
		memcpy(&len, p, sizeof(len));
		p += sizeof(len);
		gather(st, r, index, &set);
		ret = send_one(via, p, len, &set, to, to_len);
		release(&set);
		if (ret != (long)len)
			cannot(st, r, ret);
		p += len;
	}
}

void finish_sockets(struct stub *st)
{
	for (unsigned i = 0; i < st->nsockets; i++)
		if (st->sockets[i].deferred)
			sock_finish(st, &st->sockets[i]);
}
