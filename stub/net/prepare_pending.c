/*
 * Connections a UNIX listener of the process had not accepted yet, whose
 * clients are the process's too: each client is made again and connected
 * to the rebuilt listener, in the order they waited in its queue, so that
 * the process's next accept() returns them as before. Called once the
 * listener listens, before its path is unlinked again (prepare_unlinked.c).
 */
#include "lib.h"
#include "net/sockets.h"
#include "net/sys_socket.h"
#include "print.h"

static const struct fz_socket *client_at(const struct stub *st, const struct fz_socket *l,
					 uint32_t place)
{
	for_each_record(&st->img, r) {
		const struct fz_socket *c = rec_data(r);
		if (r->type == FZ_REC_SOCKET && c->state == FZ_SOCK_PENDING &&
		    c->peer_id == l->id && c->backlog == place)
			return c;
	}
	return 0;
}

void connect_pending(struct stub *st, const struct fz_socket *l)
{
	const struct fz_socket *c;

	for (uint32_t place = 0; (c = client_at(st, l, place)); place++) {
		/* Non-blocking: a full queue fails at once instead of waiting. */
		int s = sock_lifted(st, sys_socket(AF_UNIX, (int)c->type | SOCK_CLOEXEC |
								    SOCK_NONBLOCK, 0), c);
		long ret;
		sock_set_options(st, s, c);
		if (c->addr_len > 2)
			sock_bind_name(st, s, c);
		ret = sys_connect(s, l->addr, l->addr_len);
		if (ret < 0)
			die("fd %d: cannot connect again to the listener of fd %d, which had "
			    "not accepted it: %s", sock_fd_of(st, c->id), sock_fd_of(st, l->id),
			    errname(ret));
		sock_set_late_options(st, s, c);
		sock_keep(st, c, s);
	}
}

/* --verify, and a client whose listener did not take it: its record. */
void check_pending(const struct stub *st, const struct fz_socket *c, int verifying)
{
	for_each_record(&st->img, r) {
		const struct fz_socket *l = rec_data(r);
		if (verifying && r->type == FZ_REC_SOCKET && l->id == c->peer_id &&
		    l->state == FZ_SOCK_LISTEN && l->family == AF_UNIX && c->family == AF_UNIX &&
		    l->type == c->type && l != c)
			return;
	}
	die("image is damaged: socket %lu waits on a listener it lacks", (unsigned long)c->id);
}
