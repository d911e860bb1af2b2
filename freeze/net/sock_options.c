/*
 * Socket options worth keeping: those whose value differs from a fresh
 * socket's of the same kind, in the order the stub sets them again (before
 * bind; buffer locks after the buffer sizes; the socket filter and its
 * lock once the queue is back). Any value, not only ints: SO_LINGER,
 * timeouts, SO_BINDTODEVICE's name, TCP_CONGESTION, a classic BPF filter.
 */
#include <errno.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "freeze.h"
#include "net/sockets.h"

#ifndef SO_BUF_LOCK
#define SO_BUF_LOCK 72
#endif
#ifndef SOL_UDPLITE
#define SOL_UDPLITE 136
#endif
#define UDPLITE_SEND_CSCOV 10
#define UDPLITE_RECV_CSCOV 11
#ifndef IP_LOCAL_PORT_RANGE
#define IP_LOCAL_PORT_RANGE 51
#endif
#ifndef IPV6_FREEBIND
#define IPV6_FREEBIND 78
#endif

/*
 * The options compared with a fresh socket's; those a family lacks fail
 * to read and are skipped. Left out: values the kernel changes by itself
 * (SO_INCOMING_CPU, TCP_MAXSEG, TCP_WINDOW_CLAMP, TCP_QUICKACK).
 */
static const struct { int level, name;
} tracked_opts[] = {
	{ SOL_SOCKET, SO_REUSEADDR },
	{ SOL_SOCKET, SO_REUSEPORT },
	{ SOL_SOCKET, SO_KEEPALIVE },
	{ SOL_SOCKET, SO_BROADCAST },
	{ SOL_SOCKET, SO_SNDBUF },
	{ SOL_SOCKET, SO_RCVBUF },
	{ SOL_SOCKET, SO_BUF_LOCK },
	{ SOL_SOCKET, SO_OOBINLINE },
	{ SOL_SOCKET, SO_PRIORITY },
	{ SOL_SOCKET, SO_RCVLOWAT },
	{ SOL_SOCKET, SO_PASSCRED },
	{ SOL_SOCKET, SO_PASSSEC },
	{ SOL_SOCKET, SO_LINGER },
	{ SOL_SOCKET, SO_RCVTIMEO },
	{ SOL_SOCKET, SO_SNDTIMEO },
	{ SOL_SOCKET, SO_MARK },
	{ SOL_SOCKET, SO_BINDTODEVICE },
	{ SOL_SOCKET, SO_DONTROUTE },
	{ SOL_SOCKET, SO_TIMESTAMP },
	{ SOL_SOCKET, SO_TIMESTAMPNS },
	{ SOL_SOCKET, SO_RXQ_OVFL },
	{ SOL_SOCKET, SO_PEEK_OFF },
	{ SOL_SOCKET, SO_SELECT_ERR_QUEUE },
	{ SOL_SOCKET, SO_ZEROCOPY },
	{ SOL_SOCKET, SO_MAX_PACING_RATE },
	{ IPPROTO_IP, IP_TOS },
	{ IPPROTO_IP, IP_TTL },
	{ IPPROTO_IP, IP_FREEBIND },
	{ IPPROTO_IP, IP_TRANSPARENT },
	{ IPPROTO_IP, IP_MTU_DISCOVER },
	{ IPPROTO_IP, IP_RECVERR },
	{ IPPROTO_IP, IP_PKTINFO },
	{ IPPROTO_IP, IP_RECVTTL },
	{ IPPROTO_IP, IP_RECVTOS },
	{ IPPROTO_IP, IP_MULTICAST_TTL },
	{ IPPROTO_IP, IP_MULTICAST_LOOP },
	{ IPPROTO_IP, IP_MULTICAST_ALL },
	{ IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT },
	{ IPPROTO_IP, IP_RECVORIGDSTADDR },
	{ IPPROTO_IP, IP_LOCAL_PORT_RANGE },
	{ IPPROTO_IPV6, IPV6_V6ONLY },
	{ IPPROTO_IPV6, IPV6_UNICAST_HOPS },
	{ IPPROTO_IPV6, IPV6_TCLASS },
	{ IPPROTO_IPV6, IPV6_MTU_DISCOVER },
	{ IPPROTO_IPV6, IPV6_RECVERR },
	{ IPPROTO_IPV6, IPV6_RECVPKTINFO },
	{ IPPROTO_IPV6, IPV6_MULTICAST_HOPS },
	{ IPPROTO_IPV6, IPV6_MULTICAST_LOOP },
	{ IPPROTO_IPV6, IPV6_RECVTCLASS },
	{ IPPROTO_IPV6, IPV6_RECVHOPLIMIT },
	{ IPPROTO_IPV6, IPV6_DONTFRAG },
	{ IPPROTO_TCP, TCP_NODELAY },
	{ IPPROTO_TCP, TCP_CORK },
	{ IPPROTO_TCP, TCP_KEEPIDLE },
	{ IPPROTO_TCP, TCP_KEEPINTVL },
	{ IPPROTO_TCP, TCP_KEEPCNT },
	{ IPPROTO_TCP, TCP_USER_TIMEOUT },
	{ IPPROTO_TCP, TCP_DEFER_ACCEPT },
	{ IPPROTO_TCP, TCP_SYNCNT },
	{ IPPROTO_TCP, TCP_LINGER2 },
	{ IPPROTO_TCP, TCP_NOTSENT_LOWAT },
	{ IPPROTO_TCP, TCP_THIN_LINEAR_TIMEOUTS },
	{ IPPROTO_TCP, TCP_CONGESTION },
	{ IPPROTO_TCP, TCP_FASTOPEN },
	{ IPPROTO_TCP, TCP_FASTOPEN_CONNECT },
	{ IPPROTO_TCP, TCP_INQ },
	{ IPPROTO_TCP, TCP_TX_DELAY },
	{ IPPROTO_UDP, UDP_CORK },
	{ IPPROTO_UDP, UDP_SEGMENT },
	{ IPPROTO_UDP, UDP_GRO },
	{ SOL_UDPLITE, UDPLITE_SEND_CSCOV },
	{ SOL_UDPLITE, UDPLITE_RECV_CSCOV },
};

#define VALUE_MAX 64

struct opt_list {
	uint8_t *p;
	uint32_t len;
};

static int add(struct opt_list *l, int level, int name, const void *v, uint32_t len)
{
	uint32_t step = (uint32_t)sizeof(struct fz_sockopt) + ((len + 3) & ~3u);
	struct fz_sockopt o = { level, name, len };
	uint8_t *g = realloc(l->p, l->len + step);

	if (!g)
		return -ENOMEM;
	memset(g + l->len, 0, step);
	memcpy(g + l->len, &o, sizeof(o));
	memcpy(g + l->len + sizeof(o), v, len);
	l->p = g;
	l->len += step;
	return 0;
}

static int get(int s, int level, int name, uint8_t v[VALUE_MAX], socklen_t *len)
{
	memset(v, 0, VALUE_MAX);
	*len = VALUE_MAX;
	return getsockopt(s, level, name, v, len) < 0 ? -errno : 0;
}

static int diff_plain(int s, int fresh, struct opt_list *l)
{
	for (size_t i = 0; i < sizeof(tracked_opts) / sizeof(*tracked_opts); i++) {
		int level = tracked_opts[i].level, name = tracked_opts[i].name, err;
		uint8_t v[VALUE_MAX], d[VALUE_MAX];
		socklen_t vlen, dlen;
		if (get(s, level, name, v, &vlen) || get(fresh, level, name, d, &dlen) ||
		    (vlen == dlen && !memcmp(v, d, vlen)))
			continue;
		/* The kernel doubles the buffer sizes it is given. */
		if (level == SOL_SOCKET &&
		    (name == SO_SNDBUF || name == SO_RCVBUF) && vlen == sizeof(int))
			*(int *)v /= 2;
		if ((err = add(l, level, name, v, vlen)))
			return err;
	}
	return 0;
}

/*
 * A classic BPF filter (SO_ATTACH_FILTER) as SO_GET_FILTER reads it back,
 * and its lock: -EACCES for an eBPF program, which cannot be read back.
 */
static int diff_filter(int s, struct opt_list *l)
{
	socklen_t n = 0, len = sizeof(int);
	struct sock_filter *insns;
	int lock = 0, err;

	if (getsockopt(s, SOL_SOCKET, SO_GET_FILTER, NULL, &n) < 0)
		return -errno;
	if (n == 0)
		return 0;
	if (n > FZ_SOCKOPT_MAX / sizeof(*insns))
		return -E2BIG;
	if (!(insns = calloc(n, sizeof(*insns))))
		return -ENOMEM;
	err = getsockopt(s, SOL_SOCKET, SO_GET_FILTER, insns, &n) < 0 ? -errno : 0;
	if (!err)
		err = add(l, SOL_SOCKET, SO_ATTACH_FILTER, insns,
			  (uint32_t)(n * sizeof(*insns)));
	free(insns);
	if (!err && getsockopt(s, SOL_SOCKET, SO_LOCK_FILTER, &lock, &len) == 0 && lock)
		err = add(l, SOL_SOCKET, SO_LOCK_FILTER, &lock, sizeof(lock));
	return err;
}

int sock_options_diff(int s, const struct fz_socket *r, uint8_t **opts, uint32_t *len)
{
	struct opt_list l = { 0 };
	int fresh = socket((int)r->family, (int)r->type | SOCK_CLOEXEC, (int)r->protocol);
	int err;

	*opts = NULL;
	*len = 0;
	if (fresh < 0)
		return -errno;
	err = diff_plain(s, fresh, &l);
	close(fresh);
	if (!err)
		err = diff_filter(s, &l);
	if (err) {
		free(l.p);
		return err;
	}
	*opts = l.p;
	*len = l.len;
	return 0;
}
