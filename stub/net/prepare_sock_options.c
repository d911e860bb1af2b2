/*
 * A socket's options set again, as its SOCKET record lists them: most
 * before it is bound, the socket filter (and its lock) once the data it
 * had received is queued in it again, so that the filter does not judge
 * that data a second time; the shutdown state last.
 */
#include "lib.h"
#include "net/sockets.h"
#include "net/sys_socket.h"
#include "print.h"

struct sock_fprog_ {
	unsigned short len;
	const void *filter;
};

static int late(const struct fz_sockopt *o)
{
	return o->level == SOL_SOCKET && (o->name == SO_ATTACH_FILTER || o->name == SO_LOCK_FILTER);
}

static void set_one(const struct stub *st, int s, const struct fz_socket *r,
		    const struct fz_sockopt *o)
{
	struct sock_fprog_ prog = { (unsigned short)(o->len / 8), o + 1 };
	const void *v = o + 1;
	unsigned len = o->len;
	long ret;

	if (o->level == SOL_SOCKET && o->name == SO_ATTACH_FILTER) {
		v = &prog;
		len = sizeof(prog);
	}
	ret = sys_setsockopt(s, o->level, o->name, v, len);
	if (ret < 0)
		warn("fd %d: socket option %d/%d (%u bytes) cannot be set again: %s",
		     sock_fd_of(st, r->id), o->level, o->name, o->len, errname(ret));
}

void sock_set_options(const struct stub *st, int s, const struct fz_socket *r)
{
	for_each_sock_opt(r, o)
		if (!late(o))
			set_one(st, s, r, o);
}

void sock_set_late_options(const struct stub *st, int s, const struct fz_socket *r)
{
	for_each_sock_opt(r, o)
		if (late(o))
			set_one(st, s, r, o);
}

/* An unconnected datagram socket says ENOTCONN, yet it is shut: no check. */
void sock_shut(int s, const struct fz_socket *r)
{
	if (r->shutdown == 3)
		sys_shutdown(s, SHUT_RDWR);
	else if (r->shutdown & 1)
		sys_shutdown(s, SHUT_RD);
	else if (r->shutdown & 2)
		sys_shutdown(s, SHUT_WR);
}
