/*
 * Socket options worth keeping: those whose value differs from a fresh
 * socket's of the same kind. The stub sets them again before bind.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "freeze.h"
#include "net/sockets.h"

/* The options compared with a fresh socket's; those a family lacks fail. */
static const struct { int level, name; } tracked_opts[] = {
	{ SOL_SOCKET, SO_REUSEADDR },    { SOL_SOCKET, SO_REUSEPORT },
	{ SOL_SOCKET, SO_KEEPALIVE },    { SOL_SOCKET, SO_BROADCAST },
	{ SOL_SOCKET, SO_SNDBUF },       { SOL_SOCKET, SO_RCVBUF },
	{ SOL_SOCKET, SO_OOBINLINE },    { SOL_SOCKET, SO_PRIORITY },
	{ SOL_SOCKET, SO_RCVLOWAT },     { SOL_SOCKET, SO_PASSCRED },
	{ IPPROTO_IP, IP_TOS },          { IPPROTO_IP, IP_TTL },
	{ IPPROTO_IP, IP_FREEBIND },     { IPPROTO_IPV6, IPV6_V6ONLY },
	{ IPPROTO_IPV6, IPV6_UNICAST_HOPS }, { IPPROTO_IPV6, IPV6_TCLASS },
	{ IPPROTO_TCP, TCP_NODELAY },    { IPPROTO_TCP, TCP_KEEPIDLE },
	{ IPPROTO_TCP, TCP_KEEPINTVL },  { IPPROTO_TCP, TCP_KEEPCNT },
	{ IPPROTO_TCP, TCP_USER_TIMEOUT }, { IPPROTO_TCP, TCP_DEFER_ACCEPT },
};

static int get_int(int s, int level, int name, int *v)
{
	socklen_t len = sizeof(*v);

	return getsockopt(s, level, name, v, &len) < 0 ? -errno : 0;
}

int sock_options_diff(int s, struct fz_socket *r)
{
	int fresh = socket((int)r->family, (int)r->type | SOCK_CLOEXEC, (int)r->protocol);

	if (fresh < 0)
		return -errno;
	for (size_t i = 0; i < sizeof(tracked_opts) / sizeof(*tracked_opts); i++) {
		int level = tracked_opts[i].level, name = tracked_opts[i].name, v, d;
		if (get_int(s, level, name, &v) || get_int(fresh, level, name, &d) ||
		    v == d)
			continue;
		/* The kernel doubles the buffer sizes it is given. */
		if (level == SOL_SOCKET && (name == SO_SNDBUF || name == SO_RCVBUF))
			v /= 2;
		if (r->nopts == FZ_SOCK_MAX_OPTS)
			break;
		r->opts[r->nopts++] = (struct fz_sockopt){ level, name, v };
	}
	close(fresh);
	return 0;
}
