/*
 * Rebuilding the process's sockets before the point of no return: names
 * bound, listeners listening, socketpairs rebuilt with the data that was
 * queued in them (connections to the outside: prepare_peer_gone.c and
 * prepare_tcp_repair.c). Everything here may still fail cleanly.
 *
 * A UNIX socket's path that exists at resume time is taken over when it is
 * a stale socket file (nothing accepts connections on it); a live socket or
 * any other file there stops the resume.
 */
#include <linux/fcntl.h>

#include "fds/fds.h"
#include "lib.h"
#include "net/net.h"
#include "net/sockets.h"
#include "net/sys_socket.h"
#include "print.h"
#include "stub.h"

/* The process's fd number for socket `id`, for messages. */
int sock_fd_of(const struct stub *st, uint64_t id)
{
	for_each_record(&st->img, r) {
		const struct fz_fd *f = rec_data(r);
		if (r->type == FZ_REC_FD && f->kind == FZ_FD_SOCKET && f->object_id == id)
			return f->fd;
	}
	return -1;
}

static const struct prepared_socket *find_socket(const struct stub *st, uint64_t id)
{
	for (unsigned i = 0; i < st->nsockets; i++)
		if (st->sockets[i].rec->id == id)
			return &st->sockets[i];
	return 0;
}

static const struct fz_socket *find_record(const struct stub *st, uint64_t id)
{
	for_each_record(&st->img, r) {
		const struct fz_socket *s = rec_data(r);
		if (r->type == FZ_REC_SOCKET && s->id == id)
			return s;
	}
	return 0;
}

struct prepared_socket *sock_keep(struct stub *st, const struct fz_socket *r, int fd)
{
	struct prepared_socket *s = &st->sockets[st->nsockets++];

	s->rec = r;
	s->fd = fd;
	s->via = -1;
	s->deferred = 0;
	return s;
}

int sock_lifted(const struct stub *st, long fd, const struct fz_socket *r)
{
	if (fd >= 0)
		fd = lift_fd(st, (int)fd);
	if (fd < 0)
		die("fd %d: cannot create its socket: %s", sock_fd_of(st, r->id), errname(fd));
	return (int)fd;
}

int sock_new(const struct stub *st, const struct fz_socket *r)
{
	return sock_lifted(st, sys_socket((int)r->family, (int)r->type | SOCK_CLOEXEC,
				     (int)r->protocol), r);
}

/* Datagrams queued in a bound socket come back from an unnamed sender. */
static void fill_from_outside(const struct stub *st, const struct fz_socket *r)
{
	int via;

	if (!r->data_len)
		return;
	if (r->addr_len <= 2) {
		warn("fd %d: its unnamed socket cannot get back the %u bytes queued "
		     "in it; they are dropped", sock_fd_of(st, r->id), r->data_len);
		return;
	}
	via = sock_new(st, &(struct fz_socket){ .id = r->id,
						.family = r->family,
						.type = r->type,
						.protocol = r->protocol });
	sock_fill_queue(st, via, r, r->addr, r->addr_len);
	sys_close(via);
}

static void copy_path(char *dst, const struct fz_socket *r)
{
	uint32_t n = r->addr_len - 2;

	memcpy(dst, r->addr + 2, n);
	dst[n] = 0;
}

/* The socket file at r's path: taken over if stale, else the resume stops. */
static void replace_stale(const struct stub *st, const struct fz_socket *r,
			  const char *path)
{
	long type = sys_file_type(path), probe, ret;

	if (type != S_IFSOCK_)
		die("fd %d: cannot bind %s: %s", sock_fd_of(st, r->id), path,
		    type < 0 ? errname(type) : "a file that is not a socket is there");
	probe = sys_socket(AF_UNIX, (int)r->type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	ret = probe < 0 ? probe : sys_connect((int)probe, r->addr, r->addr_len);
	if (probe >= 0)
		sys_close((int)probe);
	if (ret != -111 /* ECONNREFUSED: nobody behind it */)
		die("fd %d: cannot bind %s: another socket is using it", sock_fd_of(st, r->id),
		    path);
	ret = sys_unlink(path);
	if (ret < 0)
		die("fd %d: cannot replace the stale socket file %s: %s",
		    sock_fd_of(st, r->id), path, errname(ret));
}

/* s bound to r's name; `then` (if given) once it is, before an unlink. */
static void bind_then(struct stub *st, int s, const struct fz_socket *r, sock_then_fn *then)
{
	char path[sizeof(r->addr)];
	int is_path = r->family == AF_UNIX && r->addr[2];
	long ret;

	if (is_path)
		copy_path(path, r);
	if (is_path && (r->flags & FZ_SOCKF_UNLINKED)) {
		bind_unlinked(st, s, r, path, then);
		return;
	}
	ret = sys_bind(s, r->addr, r->addr_len);
	if (ret == -98 /* EADDRINUSE */ && is_path) {
		replace_stale(st, r, path);
		ret = sys_bind(s, r->addr, r->addr_len);
	}
	if (ret < 0)
		die("fd %d: cannot bind its socket to %s again: %s", sock_fd_of(st, r->id),
		    is_path ? path : "its address", errname(ret));
	if (is_path && r->path_mode)
		sys_chmod(path, r->path_mode);
	if (then)
		then(st, s, r);
}

void sock_bind_name(struct stub *st, int s, const struct fz_socket *r)
{
	bind_then(st, s, r, 0);
}

/* A listener listens again, and takes back the connections it had not accepted. */
static void listen_again(struct stub *st, int s, const struct fz_socket *r)
{
	long ret = sys_listen(s, (int)r->backlog);

	if (ret < 0)
		die("fd %d: cannot listen again: %s", sock_fd_of(st, r->id), errname(ret));
	if (r->family == AF_UNIX)
		connect_pending(st, r);
}

static int bound(const struct fz_socket *r)
{
	const struct sockaddr_in *in = (const void *)r->addr;
	const struct sockaddr_in6 *in6 = (const void *)r->addr;

	if (r->family == AF_UNIX)
		return r->addr_len > 2;
	return r->family == AF_INET ? in->sin_port != 0 : in6->sin6_port != 0;
}

static void connect_again(const struct stub *st, int s, const struct fz_socket *r)
{
	long ret = sys_connect(s, r->peer, r->peer_len);

	if (ret < 0)
		warn("fd %d: cannot connect its socket to its peer again (%s); it "
		     "stays unconnected", sock_fd_of(st, r->id), errname(ret));
}

/* The other end of socketpair end a. */
static const struct fz_socket *check_pair(const struct stub *st, const struct fz_socket *a)
{
	const struct fz_socket *b = find_record(st, a->peer_id);

	if (!b || b->state != FZ_SOCK_PAIR || b->peer_id != a->id || b->type != a->type ||
	    a->family != AF_UNIX || b->family != AF_UNIX || b == a)
		die("image is damaged: socket %lu is paired with a socket it lacks",
		    (unsigned long)a->id);
	return b;
}

/* A socketpair's queues filled, then what must come after. */
static void finish_pair(const struct stub *st, const struct fz_socket *a,
			const struct fz_socket *b, const int sv[2])
{
	sock_fill_queue(st, sv[1], a, 0, 0);
	sock_fill_queue(st, sv[0], b, 0, 0);
	sock_set_late_options(st, sv[0], a);
	sock_set_late_options(st, sv[1], b);
	/* Shutting a stream's side shuts the mirror side of the other; datagram
	   ends are shut each on its own. */
	sock_shut(sv[0], a);
	if (a->type == SOCK_DGRAM)
		sock_shut(sv[1], b);
}

/* Both ends of a socketpair, each with the data it had received. */
static void prepare_pair(struct stub *st, const struct fz_socket *a)
{
	const struct fz_socket *b = check_pair(st, a);
	int sv[2];
	long ret;

	ret = sys_socketpair(AF_UNIX, (int)a->type | SOCK_CLOEXEC, 0, sv);
	if (ret < 0)
		die("fd %d: cannot create a socketpair: %s", sock_fd_of(st, a->id), errname(ret));
	sv[0] = sock_lifted(st, sv[0], a);
	sv[1] = sock_lifted(st, sv[1], b);
	sock_set_options(st, sv[0], a);
	sock_set_options(st, sv[1], b);
	/* Datagram sockets connected to each other may have names of their own. */
	if (a->type == SOCK_DGRAM && bound(a))
		sock_bind_name(st, sv[0], a);
	if (b->type == SOCK_DGRAM && bound(b))
		sock_bind_name(st, sv[1], b);
	if (sock_passes_fds(st, a->id) || sock_passes_fds(st, b->id)) {
		sock_keep(st, a, sv[0])->deferred = SOCK_DEFER_PAIR;
		sock_keep(st, b, sv[1]);
		return;
	}
	finish_pair(st, a, b, sv);
	sock_keep(st, a, sv[0]);
	sock_keep(st, b, sv[1]);
}

/* A bound or connected socket's queue, from outside, then the rest. */
static void finish_named(const struct stub *st, int s, const struct fz_socket *r)
{
	if (r->state == FZ_SOCK_BOUND || r->state == FZ_SOCK_CONNECTED)
		fill_from_outside(st, r);
	if (r->state == FZ_SOCK_CONNECTED)
		connect_again(st, s, r);
	sock_set_late_options(st, s, r);
	if (r->type == SOCK_DGRAM)
		sock_shut(s, r);
}

static void prepare_socket(struct stub *st, const struct fz_socket *r)
{
	int s;

	/* --verify checks the records but binds and connects nothing. */
	if (!strcmp(st->opt.mode, "--verify")) {
		if (r->state == FZ_SOCK_PAIR)
			check_pair(st, r);
		if (r->state == FZ_SOCK_PENDING)
			check_pending(st, r, 1);
		sock_keep(st, r, -1);
		return;
	}
	if (r->state == FZ_SOCK_PAIR) {
		prepare_pair(st, r);
		return;
	}
	if (r->state == FZ_SOCK_PENDING)
		check_pending(st, r, 0);
	if (r->state == FZ_SOCK_PEER_GONE && r->family == AF_UNIX) {
		int via = -1;
		struct prepared_socket *k;
		s = peer_gone_unix(st, r, &via);
		k = sock_keep(st, r, s);
		k->via = via;
		k->deferred = via >= 0 ? SOCK_DEFER_PEER_GONE : 0;
		return;
	}
	if (r->state == FZ_SOCK_PEER_GONE) {
		sock_keep(st, r, peer_gone_tcp(st, r));
		return;
	}
	s = sock_new(st, r);
	sock_set_options(st, s, r);
	if (r->state == FZ_SOCK_TCP_REPAIR) {
		repair_connection(st, r, s, sock_fd_of(st, r->id));
		sock_set_late_options(st, s, r);
		sock_keep(st, r, s);
		return;
	}
	if (r->state == FZ_SOCK_LISTEN && bound(r))
		bind_then(st, s, r, listen_again);
	else if (r->state == FZ_SOCK_LISTEN)
		listen_again(st, s, r);
	else if (r->state != FZ_SOCK_UNBOUND && bound(r))
		sock_bind_name(st, s, r);
	if ((r->state == FZ_SOCK_BOUND || r->state == FZ_SOCK_CONNECTED) &&
	    sock_passes_fds(st, r->id)) {
		sock_keep(st, r, s)->deferred = SOCK_DEFER_OUTSIDE;
		return;
	}
	finish_named(st, s, r);
	sock_keep(st, r, s);
}

/* What follows the fill of its queue, for finish_sockets(). */
void sock_finish(const struct stub *st, const struct prepared_socket *k)
{
	const struct fz_socket *r = k->rec;
	int sv[2];

	if (k->deferred == SOCK_DEFER_PAIR) {
		sv[0] = k->fd;
		sv[1] = find_socket(st, r->peer_id)->fd;
		finish_pair(st, r, check_pair(st, r), sv);
	} else if (k->deferred == SOCK_DEFER_PEER_GONE) {
		sock_fill_queue(st, k->via, r, 0, 0);
		sock_set_late_options(st, k->fd, r);
		sys_close(k->via);
	} else {
		finish_named(st, k->fd, r);
	}
}

/*
 * Connected datagram sockets last: their peer may be one of ours; so are
 * clients waiting on a listener, which its listener connects first.
 */
void prepare_sockets(struct stub *st)
{
	for (int late = 0; late < 2; late++) {
		for_each_record(&st->img, r) {
			const struct fz_socket *s = rec_data(r);
			if (r->type != FZ_REC_SOCKET || find_socket(st, s->id) ||
			    (s->state == FZ_SOCK_CONNECTED ||
			     s->state == FZ_SOCK_PENDING) != late)
				continue;
			if (s->state < FZ_SOCK_UNBOUND || s->state > FZ_SOCK_STATE_MAX)
				die("image is damaged: socket %lu has unknown state %u",
				    (unsigned long)s->id, s->state);
			prepare_socket(st, s);
		}
	}
}

int socket_fd(const struct stub *st, const struct fz_fd *f)
{
	const struct prepared_socket *s = find_socket(st, f->object_id);

	if (!s)
		die("image is damaged: fd %d is a socket it lacks", f->fd);
	if (s->fd >= 0)
		sys_fcntl(s->fd, F_SETFL, f->flags & O_NONBLOCK);
	return s->fd;
}
