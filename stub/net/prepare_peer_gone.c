/*
 * Connections to a peer outside the process come back as connections that
 * peer has reset, the way a program sees it after a network failure or the
 * peer's exit, and the way it can cope with: the data already received,
 * then the end of the connection.
 */
#include "lib.h"
#include "print.h"
#include "net/sockets.h"
#include "net/sys_socket.h"

#define RESET_WAIT_SEC 5

/*
 * A UNIX connection whose peer was outside: it reads its data, then EOF.
 * A queue with fds in flight is filled later: the other end is kept in *via.
 */
int peer_gone_unix(const struct stub *st, const struct fz_socket *r, int *via)
{
	int sv[2];
	long ret = sys_socketpair(AF_UNIX, (int)r->type | SOCK_CLOEXEC, 0, sv);

	if (ret < 0)
		die("fd %d: cannot create a socketpair: %s", sock_fd_of(st, r->id), errname(ret));
	sock_set_options(st, sv[0], r);
	if (sock_passes_fds(st, r->id)) {
		*via = sock_lifted(st, sv[1], r);
		return sock_lifted(st, sv[0], r);
	}
	sock_fill_queue(st, sv[1], r, 0, 0);
	sock_set_late_options(st, sv[0], r);
	sys_close(sv[1]);
	return sock_lifted(st, sv[0], r);
}

static void loopback(const struct fz_socket *r, uint8_t addr[FZ_SOCK_ADDR_MAX],
		     unsigned *len)
{
	memset(addr, 0, FZ_SOCK_ADDR_MAX);
	if (r->family == AF_INET) {
		struct sockaddr_in *in = (void *)addr;
		in->sin_family = AF_INET;
		in->sin_addr.s_addr = 0x0100007f;  /* 127.0.0.1, network order */
		*len = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (void *)addr;
		in6->sin6_family = AF_INET6;
		in6->sin6_addr.s6_addr[15] = 1;
		*len = sizeof(*in6);
	}
}

/*
 * A TCP connection to the outside comes back as one the peer reset, as
 * after a network failure: it reads the data it had, then ECONNRESET, then
 * EOF; a write fails with EPIPE. It is made on the loopback: a connection
 * whose far end sends its data and then a reset (SO_LINGER 0 on close).
 */
static int reset_connection(const struct stub *st, const struct fz_socket *r, int *c)
{
	uint8_t addr[FZ_SOCK_ADDR_MAX];
	unsigned len;
	struct linger_ lg = { 1, 0 };
	struct pollfd_ pfd;
	int64_t wait[2] = { RESET_WAIT_SEC, 0 };
	long l, a, ret;

	loopback(r, addr, &len);
	l = sys_socket((int)r->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0)
		return (int)l;
	if ((ret = sys_bind((int)l, addr, len)) < 0 || (ret = sys_listen((int)l, 1)) < 0 ||
	    (ret = sys_getsockname((int)l, addr, &len)) < 0 ||
	    (ret = sys_connect(*c, addr, len)) < 0 ||
	    (ret = a = sys_accept4((int)l, SOCK_CLOEXEC)) < 0) {
		sys_close((int)l);
		return (int)ret;
	}
	sys_close((int)l);
	sock_fill_queue(st, (int)a, r, 0, 0);
	sys_setsockopt((int)a, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	sys_close((int)a);
	pfd = (struct pollfd_){ .fd = *c };
	ret = sys_ppoll(&pfd, 1, wait);
	return ret == 1 ? 0 : -110 /* ETIMEDOUT */;
}

int peer_gone_tcp(const struct stub *st, const struct fz_socket *r)
{
	int c = sock_new(st, r);
	long ret;

	sock_set_options(st, c, r);
	ret = reset_connection(st, r, &c);
	if (ret < 0) {
		/* Without a loopback: a socket that never connected says the same. */
		warn("fd %d: no loopback reset (%s); it comes back unconnected",
		     sock_fd_of(st, r->id), errname(ret));
		sys_close(c);
		c = sock_new(st, r);
		sock_set_options(st, c, r);
	}
	sock_set_late_options(st, c, r);
	return c;
}
