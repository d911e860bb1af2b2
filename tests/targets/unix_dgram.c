/*
 * unix_dgram: UNIX datagram sockets connected in every way a process can
 * connect them, among socketpairs of the other types:
 *   - an unnamed datagram socketpair with data queued both ways;
 *   - a socket bound to a path and connected to itself, data queued;
 *   - a server bound to a path and two clients connected to it (one of
 *     them bound too), each with a datagram queued at the server;
 *   - a datagram socketpair whose ends were bound to names afterwards;
 *   - stream and seqpacket socketpairs with data queued.
 * (freeze -k exited 0 on such a process, and its image then said "image is
 * damaged: socket N is paired with a socket it lacks".)  After SIGUSR1
 * every socket must have its name, its peer and its data back.
 */
#include "target.h"
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

static int dp[2], self, server, c1, c2, named[2], sp[2], qp[2];
static struct sockaddr_un self_addr, server_addr, c2_addr, n0_addr, n1_addr;

static void set_path(struct sockaddr_un *a, const char *dir, const char *name)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	snprintf(a->sun_path, sizeof(a->sun_path), "%s/%s", dir, name);
	unlink(a->sun_path);
}

static int bind_to(int s, const struct sockaddr_un *a)
{
	return bind(s, (const struct sockaddr *)a, sizeof(*a));
}

static int connect_to(int s, const struct sockaddr_un *a)
{
	return connect(s, (const struct sockaddr *)a, sizeof(*a));
}

static void setup(const char *dir)
{
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, dp) || socketpair(AF_UNIX, SOCK_STREAM, 0, sp) ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET, 0, qp) ||
	    socketpair(AF_UNIX, SOCK_DGRAM, 0, named))
		target_die("socketpair");
	if (send(dp[0], "to1", 3, 0) != 3 || send(dp[1], "to0", 3, 0) != 3 ||
	    send(dp[1], "again", 5, 0) != 5 || write(sp[0], "st", 2) != 2 ||
	    send(qp[1], "sq", 2, 0) != 2)
		target_die("queueing in the pairs");
	set_path(&self_addr, dir, "self.sock");
	self = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (self < 0 || bind_to(self, &self_addr) || connect_to(self, &self_addr) ||
	    send(self, "me", 2, 0) != 2)
		target_die("a socket connected to itself");
	set_path(&server_addr, dir, "server.sock");
	set_path(&c2_addr, dir, "client2.sock");
	server = socket(AF_UNIX, SOCK_DGRAM, 0);
	c1 = socket(AF_UNIX, SOCK_DGRAM, 0);
	c2 = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (server < 0 || c1 < 0 || c2 < 0 || bind_to(server, &server_addr) ||
	    bind_to(c2, &c2_addr) || connect_to(c1, &server_addr) ||
	    connect_to(c2, &server_addr) || send(c1, "c1", 2, 0) != 2 ||
	    send(c2, "c2", 2, 0) != 2)
		target_die("a server and its clients");
	set_path(&n0_addr, dir, "named0.sock");
	set_path(&n1_addr, dir, "named1.sock");
	if (bind_to(named[0], &n0_addr) || bind_to(named[1], &n1_addr) ||
	    send(named[0], "n1", 2, 0) != 2)
		target_die("a named datagram socketpair");
}

/* The socket's own name (getsockname) is `want` (NULL: unnamed). */
static void named_as(int s, const struct sockaddr_un *want, const char *what)
{
	struct sockaddr_un a;
	socklen_t len = sizeof(a);

	memset(&a, 0, sizeof(a));
	if (getsockname(s, (struct sockaddr *)&a, &len)) {
		target_check(0, "%s: getsockname: %s", what, strerror(errno));
		return;
	}
	if (!want)
		target_check(len == sizeof(sa_family_t), "%s: named %s, was unnamed", what,
			     a.sun_path);
	else
		target_check(!strcmp(a.sun_path, want->sun_path), "%s: named '%s', not %s",
			     what, a.sun_path, want->sun_path);
}

/* The socket's peer (getpeername) is `want`. */
static void peer_is(int s, const struct sockaddr_un *want, const char *what)
{
	struct sockaddr_un a;
	socklen_t len = sizeof(a);

	memset(&a, 0, sizeof(a));
	if (getpeername(s, (struct sockaddr *)&a, &len))
		target_check(0, "%s: getpeername: %s", what, strerror(errno));
	else
		target_check(!strcmp(a.sun_path, want->sun_path),
			     "%s: connected to '%s', not %s", what, a.sun_path, want->sun_path);
}

static void talks(int a, int b, const char *what)
{
	char c = 0;

	target_check(send(a, "p", 1, 0) == 1 && recv(b, &c, 1, MSG_DONTWAIT) == 1 &&
		     c == 'p' && send(b, "q", 1, 0) == 1 &&
		     recv(a, &c, 1, MSG_DONTWAIT) == 1 && c == 'q',
		     "%s no longer talks both ways", what);
}

static void check(void)
{
	char buf[8];
	struct sockaddr_un from;
	socklen_t len = sizeof(from);
	ssize_t n;

	target_expect_read(dp[1], "to1", "the unnamed pair, end 1");
	target_expect_read(dp[0], "to0", "the unnamed pair, end 0, first");
	target_expect_read(dp[0], "again", "the unnamed pair, end 0, second");
	talks(dp[0], dp[1], "the unnamed pair");
	named_as(dp[0], NULL, "the unnamed pair, end 0");
	target_expect_read(sp[1], "st", "the stream pair");
	target_expect_read(qp[0], "sq", "the seqpacket pair");

	target_expect_read(self, "me", "the socket connected to itself");
	named_as(self, &self_addr, "the socket connected to itself");
	peer_is(self, &self_addr, "the socket connected to itself");
	target_check(send(self, "i", 1, 0) == 1, "the socket connected to itself "
		     "cannot send: %s", strerror(errno));
	target_expect_read(self, "i", "the socket connected to itself, after");

	target_expect_read(server, "c1", "the server, from client 1");
	target_expect_read(server, "c2", "the server, from client 2");
	named_as(server, &server_addr, "the server");
	named_as(c2, &c2_addr, "client 2");
	peer_is(c1, &server_addr, "client 1");
	peer_is(c2, &server_addr, "client 2");
	target_check(send(c2, "x", 1, 0) == 1, "client 2 cannot send: %s", strerror(errno));
	memset(&from, 0, sizeof(from));
	n = recvfrom(server, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &len);
	target_check(n == 1 && !strcmp(from.sun_path, c2_addr.sun_path),
		     "the server: %zd bytes from '%s', wanted 1 from client 2", n,
		     from.sun_path);

	target_expect_read(named[1], "n1", "the named pair");
	named_as(named[0], &n0_addr, "the named pair, end 0");
	named_as(named[1], &n1_addr, "the named pair, end 1");
	talks(named[0], named[1], "the named pair");
}

int main(int argc, char **argv)
{
	target_init();
	setup(argc > 1 ? argv[1] : ".");
	target_ready();
	target_wait();
	check();
	return target_finish();
}
