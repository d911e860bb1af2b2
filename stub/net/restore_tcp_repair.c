/*
 * Connections rebuilt in TCP repair mode (prepare_tcp_repair.c) leave it
 * after the point of no return, when nothing can stop the resume any more:
 * from here on they talk to their peers again.
 */
#include <linux/tcp.h>

#include "net/net.h"
#include "net/sockets.h"
#include "net/sys_socket.h"

/* Leaving repair mode clears SO_REUSEADDR: the process's own value goes back. */
static void reuse_again(int s, const struct fz_socket *r)
{
	for_each_sock_opt(r, o) if (o->level == SOL_SOCKET && o->name == SO_REUSEADDR)
		sys_setsockopt(s, SOL_SOCKET, SO_REUSEADDR, o + 1, o->len);
}

void leave_tcp_repair(const struct stub *st)
{
	int off = TCP_REPAIR_OFF;

	for (unsigned i = 0; i < st->nsockets; i++) {
		const struct prepared_socket *s = &st->sockets[i];
		if (s->rec->state != FZ_SOCK_TCP_REPAIR)
			continue;
		sys_setsockopt(s->fd, IPPROTO_TCP, TCP_REPAIR, &off, sizeof(off));
		reuse_again(s->fd, s->rec);
	}
}
