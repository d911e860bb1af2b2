/*
 * Connections rebuilt in TCP repair mode (prepare_tcp_repair.c) leave it
 * after the point of no return, when nothing can stop the resume any more:
 * from here on they talk to their peers again.
 */
#include <linux/tcp.h>

#include "net/net.h"
#include "net/sys_socket.h"

void leave_tcp_repair(const struct stub *st)
{
	int off = TCP_REPAIR_OFF;

	for (unsigned i = 0; i < st->nsockets; i++)
		if (st->sockets[i].rec->state == FZ_SOCK_TCP_REPAIR)
			sys_setsockopt(st->sockets[i].fd, IPPROTO_TCP, TCP_REPAIR,
				       &off, sizeof(off));
}
