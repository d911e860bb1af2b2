/*
 * Sockets. Each socket fd becomes a record the stub can rebuild (see enum
 * fz_sock_state in image.h): UNIX, TCP and UDP sockets, with their names,
 * the options that differ from a fresh socket's, and what they have
 * received and not read yet. Other families (netlink, packet, ...) are
 * refused naming the fd, or replaced under --unsupported-fds=null.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include "fds/fds.h"
#include "freeze.h"
#include "net/net.h"
#include "net/sockets.h"

/* A socket fd of the process, through freeze's own copy of it. */
struct sock_probe {
	pid_t pid;
	int fd;               /* the process's number */
	int s;                /* freeze's copy */
	const struct options *o;
	struct fz_socket *rec;
	uint8_t *opts; /* rec->opts_len bytes of options */
};

/* An ICMP echo ("ping") socket: net.ipv4.ping_group_range allows them. */
static bool is_ping(int family, int protocol)
{
	return (family == AF_INET && protocol == IPPROTO_ICMP) ||
	       (family == AF_INET6 && protocol == IPPROTO_ICMPV6);
}

static bool supported_kind(int family, int type, int protocol)
{
	if (family == AF_UNIX)
		return type == SOCK_STREAM || type == SOCK_DGRAM || type == SOCK_SEQPACKET;
	if (family != AF_INET && family != AF_INET6)
		return false;
	return (type == SOCK_STREAM && protocol == IPPROTO_TCP) ||
	       (type == SOCK_DGRAM && (protocol == IPPROTO_UDP || protocol == IPPROTO_UDPLITE ||
				       is_ping(family, protocol)));
}

static int get_int(int s, int level, int name, int *v)
{
	socklen_t len = sizeof(*v);

	return getsockopt(s, level, name, v, &len) < 0 ? -errno : 0;
}

static int collect_options(struct sock_probe *p)
{
	int err = sock_options_diff(p->s, p->rec, &p->opts, &p->rec->opts_len);

	if (err == -EACCES)
		return fail(-ENOTSUP,
			    "process %d: fd %d: its socket filter is an eBPF "
			    "program (SO_ATTACH_BPF), which cannot be read back: not "
			    "supported",
			    (int)p->pid, p->fd);
	if (err)
		return fail(err, "process %d: fd %d: a %s socket to compare its "
			    "options with", (int)p->pid, p->fd,
			    family_name((int)p->rec->family));
	return 0;
}

static int collect_names(struct sock_probe *p)
{
	struct fz_socket *r = p->rec;
	socklen_t len = sizeof(r->addr);

	if (getsockname(p->s, (struct sockaddr *)r->addr, &len) < 0)
		return fail(-errno, "process %d: fd %d: its socket's name", (int)p->pid, p->fd);
	r->addr_len = len > sizeof(r->addr) ? sizeof(r->addr) : len;
	len = sizeof(r->peer);
	if (getpeername(p->s, (struct sockaddr *)r->peer, &len) == 0)
		r->peer_len = len > sizeof(r->peer) ? sizeof(r->peer) : len;
	else if (errno != ENOTCONN)
		return fail(-errno, "process %d: fd %d: its socket's peer", (int)p->pid, p->fd);
	return 0;
}

/* Is the inet socket bound to a port (or the UNIX one to a name)? */
static bool named(const struct fz_socket *r)
{
	const struct sockaddr_in *in = (const void *)r->addr;
	const struct sockaddr_in6 *in6 = (const void *)r->addr;

	if (r->family == AF_UNIX)
		return r->addr_len > sizeof(sa_family_t);
	return r->family == AF_INET ? in->sin_port != 0 : in6->sin6_port != 0;
}

/*
 * A UNIX socket bound to a path: the path made absolute (the stub binds it
 * from wherever it runs; the cwd is the best guess for a relative one) and
 * the socket file's mode, read through /proc/PID/root; or, when the path
 * no longer leads to the socket's file (sock_diag names its inode), the
 * mark that it was unlinked.
 */
static int socket_file(const struct target *t, const struct sock_probe *p,
		       const struct sock_diag *d)
{
	struct fz_socket *r = p->rec;
	struct sockaddr_un *u = (void *)r->addr;
	size_t off = offsetof(struct sockaddr_un, sun_path);
	char path[sizeof(u->sun_path) + 1] = { 0 }, full[FZ_PATH_MAX + 64];
	struct stat st;
	int n;

	memcpy(path, u->sun_path, r->addr_len - off);
	n = snprintf(full, sizeof(full), "%s%s%s", path[0] == '/' ? "" : t->cwd,
		     path[0] == '/' ? "" : "/", path);
	if (n < 0 || (size_t)n >= sizeof(u->sun_path))
		return fail(-ENAMETOOLONG, "process %d: fd %d: the path of its socket, %s, "
			    "is too long to bind from anywhere", (int)t->pid, p->fd, full);
	memcpy(u->sun_path, full, (size_t)n + 1);
	r->addr_len = (uint32_t)(off + (size_t)n + 1);
	snprintf(full, sizeof(full), "/proc/%d/root%s", (int)t->pid, u->sun_path);
	/* Removed, or another file there now: the socket's own file is gone. */
	if (stat(full, &st) || st.st_ino != d->vfs_ino ||
	    major(st.st_dev) != d->vfs_dev >> 20 ||
	    minor(st.st_dev) != (d->vfs_dev & 0xfffff)) {
		r->flags |= FZ_SOCKF_UNLINKED;
		return 0;
	}
	r->path_mode = st.st_mode & 07777;
	return 0;
}

static void warn_peer_gone_fd(int fd, const struct fz_socket *r)
{
	char a[160], b[160];

	warning("fd %d: %s %s socket %s is connected to %s: after resume it "
		"reports the peer gone (connection reset)",
		fd, family_name((int)r->family), type_name((int)r->type),
		addr_str(r->addr, r->addr_len, a, sizeof(a)),
		addr_str(r->peer, r->peer_len, b, sizeof(b)));
}

static void warn_peer_gone(const struct sock_probe *p)
{
	warn_peer_gone_fd(p->fd, p->rec);
}

static void warn_pending(const struct sock_probe *p, uint32_t pending)
{
	if (pending)
		warning("fd %d: %u connection%s from outside the process not yet "
			"accepted will be lost (their clients see them reset)",
			p->fd, pending, pending == 1 ? "" : "s");
}

static bool is_socket_of_process(const struct target *t, uint64_t ino)
{
	for (size_t i = 0; i < t->nfds; i++)
		if (t->fds[i].rec.kind == FZ_FD_SOCKET && t->fds[i].rec.object_id == ino)
			return true;
	return false;
}

/* A UNIX listener's pending connections whose clients are not the process's. */
static uint32_t outside_pending(const struct target *t, const struct sock_diag *d)
{
	uint32_t inner = 0;

	for (uint32_t i = 0; i < d->nicons; i++)
		inner += is_socket_of_process(t, d->icons[i]);
	return d->pending > inner ? d->pending - inner : 0;
}

/*
 * A UNIX stream client whose connection nobody accepted yet: its listener
 * may be the process's own (match_pending() finds out). What it sent is
 * queued where freeze cannot read it: SIOCOUTQ says whether there is any.
 */
static void maybe_pending(struct sock_probe *p, struct socket_entry *e)
{
	int sent = 0;

	e->maybe_pending = true;
	e->sent = ioctl(p->s, SIOCOUTQ, &sent) == 0 ? sent : 1;
}

static int unix_state(const struct target *t, struct sock_probe *p,
		      struct socket_entry *e, int listening)
{
	struct fz_socket *r = p->rec;
	struct sock_diag d;
	int err = unix_diag((uint32_t)r->id, &d);

	if (err)
		return fail(err, "process %d: fd %d: asking the kernel (sock_diag) "
			    "about its UNIX socket", (int)p->pid, p->fd);
	if (named(r) && r->addr[offsetof(struct sockaddr_un, sun_path)] &&
	    (err = socket_file(t, p, &d)))
		return err;
	if (listening) {
		r->state = FZ_SOCK_LISTEN;
		r->backlog = d.backlog;
		warn_pending(p, outside_pending(t, &d));
	} else if (d.peer_ino && is_socket_of_process(t, d.peer_ino)) {
		r->state = FZ_SOCK_PAIR;
		r->peer_id = d.peer_ino;
		r->shutdown = d.shutdown;
	} else if ((d.peer_ino || r->peer_len) && r->type == SOCK_DGRAM &&
		   r->peer_len > sizeof(sa_family_t)) {
		r->state = FZ_SOCK_CONNECTED;
	} else if (!d.peer_ino && r->peer_len > sizeof(sa_family_t) && r->type != SOCK_DGRAM) {
		/* A peer with no inode: a connection not accepted yet. */
		r->state = FZ_SOCK_PEER_GONE;
		maybe_pending(p, e);
	} else if (d.peer_ino || r->peer_len) {
		r->state = FZ_SOCK_PEER_GONE;
		warn_peer_gone(p);
	} else {
		r->state = named(r) ? FZ_SOCK_BOUND : FZ_SOCK_UNBOUND;
	}
	if (r->type == SOCK_DGRAM)
		r->shutdown = d.shutdown;
	return 0;
}

/* A datagram socket's shutdown state (ping sockets have no sock_diag, and
   no peer getpeername() tells: their peer instead). */
static int dgram_shutdown(struct sock_probe *p)
{
	struct fz_socket *r = p->rec;
	struct sock_diag d;
	int err;

	if (is_ping((int)r->family, (int)r->protocol)) {
		err = ping_peer(p->pid, (int)r->family, r->id, r->peer, &r->peer_len);
		if (err)
			return fail(err, "process %d: fd %d: its ICMP socket in /proc/%d/net",
				    (int)p->pid, p->fd, (int)p->pid);
		return 0;
	}
	err = inet_diag((int)r->family, (int)r->protocol, ~0u, (uint32_t)r->id, &d);
	if (err)
		return fail(err,
			    "process %d: fd %d: asking the kernel (sock_diag) about "
			    "its datagram socket",
			    (int)p->pid, p->fd);
	r->shutdown = d.shutdown;
	return 0;
}

static int inet_state(struct sock_probe *p, struct socket_entry *e, int listening)
{
	struct fz_socket *r = p->rec;
	struct sock_diag d;
	int err;

	if (r->type == SOCK_DGRAM && (err = dgram_shutdown(p)))
		return err;

	if (listening) {
		err = tcp_listen_diag((int)r->family, (uint32_t)r->id, &d);
		if (err)
			return fail(err, "process %d: fd %d: asking the kernel (sock_diag) "
				    "about its listening socket", (int)p->pid, p->fd);
		r->state = FZ_SOCK_LISTEN;
		r->backlog = d.backlog;
		warn_pending(p, d.pending);
	} else if (r->peer_len && r->type == SOCK_DGRAM) {
		r->state = FZ_SOCK_CONNECTED;
	} else if (r->peer_len && p->o->tcp_established) {
		return collect_tcp_repair(p->pid, p->fd, p->s, e);
	} else if (r->peer_len) {
		r->state = FZ_SOCK_PEER_GONE;
		warn_peer_gone(p);
	} else {
		r->state = named(r) ? FZ_SOCK_BOUND : FZ_SOCK_UNBOUND;
	}
	return 0;
}

/* The record's tail: its options, then its queued data. */
static int join_tail(struct sock_probe *p, struct socket_entry *e)
{
	uint8_t *tail;

	if (!p->rec->opts_len)
		return 0;
	if (!(tail = malloc((size_t)p->rec->opts_len + p->rec->data_len)))
		return fail(-ENOMEM, "collecting sockets");
	memcpy(tail, p->opts, p->rec->opts_len);
	if (p->rec->data_len)
		memcpy(tail + p->rec->opts_len, e->data, p->rec->data_len);
	free(e->data);
	e->data = tail;
	return 0;
}

struct passed_ctx {
	struct target *t;
	struct socket_entry *e;
	int fd;
};

static int on_passed(void *c, uint32_t at, uint32_t len, const int *fds, unsigned n)
{
	struct passed_ctx *x = c;

	return collect_passed(x->t, x->e, x->fd, at, len, fds, n);
}

/* What it received and has not read (TCP_REPAIR reads its own), with the
   fds in flight in it. */
static int collect_queue(struct target *t, struct sock_probe *p, struct socket_entry *e)
{
	struct passed_ctx ctx;
	int err;

	if (p->rec->state == FZ_SOCK_LISTEN || p->rec->state == FZ_SOCK_UNBOUND ||
	    p->rec->state == FZ_SOCK_TCP_REPAIR ||
	    (p->rec->state == FZ_SOCK_BOUND && p->rec->type == SOCK_STREAM))
		return 0;
	/* Only the kernel makes echo replies: nothing can queue them again (and
	   a ping socket cannot be peeked at an offset). */
	if (is_ping((int)p->rec->family, (int)p->rec->protocol)) {
		struct pollfd pfd = { .fd = p->s, .events = POLLIN };
		if (poll(&pfd, 1, 0) != 0)
			return fail(-ENOTSUP,
				    "process %d: fd %d: its ICMP (ping) socket "
				    "holds replies not read yet: not supported",
				    (int)p->pid, p->fd);
		return 0;
	}
	ctx = (struct passed_ctx){ t, e, p->fd };
	err = peek_queue(p->s, (int)p->rec->type, &e->data, &p->rec->data_len,
			 on_passed, &ctx);
	if (err == -EBADMSG)
		return fail(-ENOTSUP,
			    "process %d: fd %d: a message queued in its socket "
			    "carries more file descriptors than a message can (%d), or "
			    "carries some and is empty: not supported",
			    (int)p->pid, p->fd, FZ_PASSED_MAX);
	if (err)
		return fail(err, "process %d: fd %d: reading what is queued in its socket",
			    (int)p->pid, p->fd);
	return 0;
}

static int refuse_kind(struct fd_entry *f, const struct sock_probe *p, int family,
		       int type)
{
	if (p->o->unsupported_fds == FD_TO_NULL) {
		warning("fd %d (%s %s socket) will be /dev/null after resume",
			p->fd, family_name(family), type_name(type));
		f->rec.kind = FZ_FD_NULL;
		f->rec.object_id = 0;
		return 0;
	}
	return fail(-ENOTSUP, "process %d: fd %d is a %s %s socket: not supported "
		    "(--unsupported-fds=null replaces such fds by /dev/null)",
		    (int)p->pid, p->fd, family_name(family), type_name(type));
}

static int collect_socket(struct target *t, struct fd_entry *f, struct sock_probe *p)
{
	struct socket_entry e = { .rec = { .id = f->rec.object_id }, .held_fd = -1 };
	int family, type, protocol, listening = 0, err;

	p->rec = &e.rec;
	if ((err = get_int(p->s, SOL_SOCKET, SO_DOMAIN, &family)) ||
	    (err = get_int(p->s, SOL_SOCKET, SO_TYPE, &type)) ||
	    (err = get_int(p->s, SOL_SOCKET, SO_PROTOCOL, &protocol)) ||
	    (err = get_int(p->s, SOL_SOCKET, SO_ACCEPTCONN, &listening)))
		return fail(err, "process %d: fd %d: the kind of its socket", (int)t->pid, p->fd);
	if (!supported_kind(family, type, protocol))
		return refuse_kind(f, p, family, type);
	e.rec.family = (uint32_t)family;
	e.rec.type = (uint32_t)type;
	e.rec.protocol = (uint32_t)protocol;
	if ((err = collect_names(p)) || (err = collect_options(p)))
		return err;
	e.fd = p->fd;
	err = family == AF_UNIX ? unix_state(t, p, &e, listening) :
				  inet_state(p, &e, listening);
	if (!err)
		err = collect_queue(t, p, &e);
	if (!err)
		err = join_tail(p, &e);
	free(p->opts);
	p->opts = NULL;
	if (!err && (err = append_item(&t->sockets, &t->nsockets, sizeof(e), &e)))
		err = fail(err, "collecting sockets");
	if (err) {
		leave_tcp_repair_socket(&e, false);
		free(e.data);
		free(e.send_queue);
		for (size_t i = 0; i < e.npassed; i++)
			free(e.passed[i].path);
		free(e.passed);
	}
	return err;
}

static struct socket_entry *find_socket(struct target *t, uint64_t id)
{
	for (size_t i = 0; i < t->nsockets; i++)
		if (t->sockets[i].rec.id == id)
			return &t->sockets[i];
	return NULL;
}

/*
 * The clients whose connection one of the process's UNIX listeners has not
 * accepted yet: each is connected to the rebuilt listener again, in the
 * order of its queue, so that accept() returns it. A client that sent
 * data is refused: that data waits where nothing can read it unaccepted.
 */
static int match_listener(struct target *t, const struct socket_entry *l)
{
	struct sock_diag d;
	uint32_t place = 0;
	int err = unix_diag((uint32_t)l->rec.id, &d);

	if (err)
		return fail(err,
			    "process %d: fd %d: asking the kernel (sock_diag) about "
			    "its UNIX listener",
			    (int)t->pid, l->fd);
	for (uint32_t i = 0; i < d.nicons; i++) {
		struct socket_entry *c = find_socket(t, d.icons[i]);
		if (!c || !c->maybe_pending)
			continue;
		if (c->sent)
			return fail(-ENOTSUP,
				    "process %d: fd %d: its connection, not yet "
				    "accepted by the listener of fd %d, holds data it sent: "
				    "not supported",
				    (int)t->pid, c->fd, l->fd);
		c->maybe_pending = false;
		c->rec.state = FZ_SOCK_PENDING;
		c->rec.peer_id = l->rec.id;
		c->rec.backlog = place++;
	}
	return 0;
}

static int match_pending(struct target *t)
{
	int err;

	for (size_t i = 0; i < t->nsockets; i++) {
		const struct socket_entry *l = &t->sockets[i];
		if (l->rec.family == AF_UNIX && l->rec.state == FZ_SOCK_LISTEN &&
		    (err = match_listener(t, l)))
			return err;
	}
	for (size_t i = 0; i < t->nsockets; i++)
		if (t->sockets[i].maybe_pending)
			warn_peer_gone_fd(t->sockets[i].fd, &t->sockets[i].rec);
	return 0;
}

/* What the stub's check of a socketpair end wants of its other end. */
static bool pair_of(const struct fz_socket *r, const struct socket_entry *peer)
{
	return peer && &peer->rec != r && peer->rec.state == FZ_SOCK_PAIR &&
	       peer->rec.peer_id == r->id && peer->rec.type == r->type &&
	       r->family == AF_UNIX && peer->rec.family == AF_UNIX;
}

/*
 * A datagram socket may be connected to one that is not connected back, or
 * to itself (bound, then connected to its own name): it is then connected
 * again by address, after the other is bound. Every end left a socketpair
 * end names an end that names it back, as the stub checks.
 */
static int check_pairs(struct target *t)
{
	for (size_t i = 0; i < t->nsockets; i++) {
		struct fz_socket *r = &t->sockets[i].rec;
		if (r->state != FZ_SOCK_PAIR || pair_of(r, find_socket(t, r->peer_id)))
			continue;
		if (r->peer_len <= sizeof(sa_family_t) || r->type != SOCK_DGRAM)
			return fail(-ENOTSUP,
				    "process %d: UNIX socket %llu is connected to "
				    "%s socket not connected back: not supported",
				    (int)t->pid, (unsigned long long)r->id,
				    r->type != SOCK_DGRAM ? "a" : "an unnamed");
		r->state = FZ_SOCK_CONNECTED;
		r->peer_id = 0;
	}
	return 0;
}

int collect_sockets(struct target *t, const struct options *o)
{
	int err;

	for (size_t i = 0; i < t->nfds; i++) {
		struct fd_entry *f = &t->fds[i];
		struct sock_probe p = { .pid = t->pid, .fd = f->rec.fd, .o = o };
		if (f->rec.kind != FZ_FD_SOCKET)
			continue;
		p.s = pidfd_dup(t->pid, p.fd);
		if (p.s < 0)
			return fail(p.s, "process %d: fd %d: taking a copy of the socket",
				    (int)t->pid, p.fd);
		err = collect_socket(t, f, &p);
		close(p.s);
		if (err)
			return err;
	}
	err = match_pending(t);
	err = err ? err : check_pairs(t);
	return err ? err : check_passed_states(t);
}
