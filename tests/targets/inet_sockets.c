/*
 * inet_sockets: TCP and UDP sockets on the loopback, in the states freeze
 * rebuilds, on ports the kernel picks at run time.
 *   - a TCP listener on 127.0.0.1 (SO_REUSEADDR, SO_KEEPALIVE, TCP_NODELAY,
 *     SO_RCVBUF, O_NONBLOCK) and one on ::1 (IPV6_V6ONLY, SO_REUSEPORT);
 *   - a TCP socket bound and not listening;
 *   - a bound UDP socket with datagrams queued in it (SO_BROADCAST);
 *   - a UDP socket connected to another of ours;
 *   - an established TCP connection with data queued on the client side
 *     (SO_REUSEADDR on the client).
 * After SIGUSR1: names and options read back equal, clients can connect to
 * the listeners, the queued data arrives, and the established connection
 * reads its data and then reports the peer gone (reset, then EOF) once the
 * process was resumed; before that, or with argv[2] = "repaired" (frozen
 * with --tcp-established), it reads EAGAIN and still talks both ways.
 */
#include "target.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

struct named {
	int fd;
	struct sockaddr_storage addr;
	socklen_t len;
};

static struct named l4, l6, tbound, udp, uconn, upeer;
static int client, server, rcvbuf;

static void set_int(int fd, int level, int name, int v)
{
	if (setsockopt(fd, level, name, &v, sizeof(v)))
		target_die("setsockopt");
}

static int get_int(int fd, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);

	getsockopt(fd, level, name, &v, &len);
	return v;
}

static void loopback(int family, struct sockaddr_storage *a, socklen_t *len)
{
	memset(a, 0, sizeof(*a));
	a->ss_family = (sa_family_t)family;
	if (family == AF_INET) {
		((struct sockaddr_in *)a)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		*len = sizeof(struct sockaddr_in);
	} else {
		((struct sockaddr_in6 *)a)->sin6_addr = in6addr_loopback;
		*len = sizeof(struct sockaddr_in6);
	}
}

/* A socket bound to the loopback on a port the kernel picks. */
static int bound(struct named *n, int family, int type, void (*before)(int))
{
	n->fd = socket(family, type, 0);
	if (n->fd < 0)
		return -1;
	if (before)
		before(n->fd);
	loopback(family, &n->addr, &n->len);
	if (bind(n->fd, (struct sockaddr *)&n->addr, n->len))
		return -1;
	return getsockname(n->fd, (struct sockaddr *)&n->addr, &n->len);
}

static void opts4(int fd)
{
	set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	set_int(fd, SOL_SOCKET, SO_KEEPALIVE, 1);
	set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1);
	set_int(fd, SOL_SOCKET, SO_RCVBUF, 100000);
}

static void opts6(int fd)
{
	set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
	set_int(fd, SOL_SOCKET, SO_REUSEPORT, 1);
}

static void broadcast(int fd)
{
	set_int(fd, SOL_SOCKET, SO_BROADCAST, 1);
}

static void setup(void)
{
	struct named l;
	int s;

	if (bound(&l4, AF_INET, SOCK_STREAM, opts4) || listen(l4.fd, 7))
		target_die("IPv4 listener");
	fcntl(l4.fd, F_SETFL, O_NONBLOCK);
	rcvbuf = get_int(l4.fd, SOL_SOCKET, SO_RCVBUF);
	if (bound(&l6, AF_INET6, SOCK_STREAM, opts6) || listen(l6.fd, 3)) {
		if (errno == EADDRNOTAVAIL || errno == EAFNOSUPPORT)
			target_skip("no IPv6 loopback here");
		target_die("IPv6 listener");
	}
	if (bound(&tbound, AF_INET, SOCK_STREAM, NULL))
		target_die("bound TCP socket");
	if (bound(&udp, AF_INET, SOCK_DGRAM, broadcast) || (s = socket(AF_INET, SOCK_DGRAM, 0)) < 0 ||
	    sendto(s, "u1", 2, 0, (struct sockaddr *)&udp.addr, udp.len) != 2 ||
	    sendto(s, "u22", 3, 0, (struct sockaddr *)&udp.addr, udp.len) != 3)
		target_die("bound UDP socket");
	close(s);
	if (bound(&upeer, AF_INET6, SOCK_DGRAM, NULL) || bound(&uconn, AF_INET6, SOCK_DGRAM, NULL) ||
	    connect(uconn.fd, (struct sockaddr *)&upeer.addr, upeer.len))
		target_die("connected UDP socket");

	if (bound(&l, AF_INET, SOCK_STREAM, NULL) || listen(l.fd, 1) ||
	    (client = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    setsockopt(client, SOL_SOCKET, SO_REUSEADDR, &(int){ 1 }, sizeof(int)) ||
	    connect(client, (struct sockaddr *)&l.addr, l.len) ||
	    (server = accept(l.fd, NULL, NULL)) < 0 || write(server, "hello", 5) != 5)
		target_die("established connection");
	close(l.fd);
}

static void same_name(const struct named *n, const char *what)
{
	struct sockaddr_storage a;
	socklen_t len = sizeof(a);

	target_check(!getsockname(n->fd, (struct sockaddr *)&a, &len) && len == n->len &&
		     !memcmp(&a, &n->addr, len), "%s has another name", what);
}

static void accepts(const struct named *l, const char *what)
{
	int c = socket(l->addr.ss_family, SOCK_STREAM, 0), s = -1;
	char ch = 0;

	same_name(l, what);
	target_check(get_int(l->fd, SOL_SOCKET, SO_ACCEPTCONN) == 1, "%s is not listening", what);
	if (c < 0 || connect(c, (const struct sockaddr *)&l->addr, l->len)) {
		target_check(0, "%s: connecting a client: %s", what, strerror(errno));
	} else {
		fcntl(l->fd, F_SETFL, fcntl(l->fd, F_GETFL) & ~O_NONBLOCK);
		s = accept(l->fd, NULL, NULL);
		target_check(s >= 0 && write(c, "t", 1) == 1 && read(s, &ch, 1) == 1 && ch == 't' &&
			     write(s, "r", 1) == 1 && read(c, &ch, 1) == 1 && ch == 'r',
			     "%s: no exchange with a client", what);
	}
	close(c);
	close(s);
}

static void check_established(int reset)
{
	char c = 0;
	ssize_t n;

	target_expect_read(client, "hello", "established connection");
	/* TCP_REPAIR clears it when the connection leaves repair mode. */
	target_check(get_int(client, SOL_SOCKET, SO_REUSEADDR) == 1,
		     "established connection: SO_REUSEADDR lost");
	n = recv(client, &c, 1, MSG_DONTWAIT);
	if (!reset) {
		target_check(n < 0 && errno == EAGAIN, "established connection: read %zd", n);
		target_check(write(client, "a", 1) == 1 && read(server, &c, 1) == 1 && c == 'a' &&
			     write(server, "b", 1) == 1 && read(client, &c, 1) == 1 && c == 'b',
			     "the established connection no longer talks both ways");
		return;
	}
	target_check(n < 0 && errno == ECONNRESET, "established connection after resume: "
		     "read %zd (%s), not ECONNRESET", n, n < 0 ? strerror(errno) : "");
	target_check(recv(client, &c, 1, MSG_DONTWAIT) == 0,
		     "established connection after resume: no EOF after the reset");
	target_check(send(client, "x", 1, MSG_NOSIGNAL) < 0 && errno == EPIPE,
		     "established connection after resume: a write did not fail with EPIPE");
}

static void check(int reset)
{
	char c = 0;

	accepts(&l4, "the IPv4 listener");
	target_check(fcntl(l4.fd, F_GETFL) >= 0, "fd lost");
	target_check(get_int(l4.fd, SOL_SOCKET, SO_REUSEADDR) == 1, "SO_REUSEADDR lost");
	target_check(get_int(l4.fd, SOL_SOCKET, SO_KEEPALIVE) == 1, "SO_KEEPALIVE lost");
	target_check(get_int(l4.fd, IPPROTO_TCP, TCP_NODELAY) == 1, "TCP_NODELAY lost");
	target_check(get_int(l4.fd, SOL_SOCKET, SO_RCVBUF) == rcvbuf, "SO_RCVBUF %d, was %d",
		     get_int(l4.fd, SOL_SOCKET, SO_RCVBUF), rcvbuf);
	accepts(&l6, "the IPv6 listener");
	target_check(get_int(l6.fd, IPPROTO_IPV6, IPV6_V6ONLY) == 1, "IPV6_V6ONLY lost");
	target_check(get_int(l6.fd, SOL_SOCKET, SO_REUSEPORT) == 1, "SO_REUSEPORT lost");
	same_name(&tbound, "the bound TCP socket");
	same_name(&udp, "the bound UDP socket");
	target_check(get_int(udp.fd, SOL_SOCKET, SO_BROADCAST) == 1, "SO_BROADCAST lost");
	target_expect_read(udp.fd, "u1", "bound UDP socket, first");
	target_expect_read(udp.fd, "u22", "bound UDP socket, second");
	same_name(&uconn, "the connected UDP socket");
	same_name(&upeer, "the UDP peer");
	target_check(send(uconn.fd, "c", 1, 0) == 1 && recv(upeer.fd, &c, 1, 0) == 1 && c == 'c',
		     "the connected UDP socket cannot send to its peer");
	check_established(reset);
}

int main(int argc, char **argv)
{
	int repaired = argc > 2 && !strcmp(argv[2], "repaired");
	pid_t pid = getpid();

	target_init();
	setup();
	target_ready();
	target_wait();
	check(getpid() != pid && !repaired);
	return target_finish();
}
