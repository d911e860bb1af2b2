/*
 * tcp_queues: TCP connections with data queued in both directions, in
 * both of their queues: each end wrote until its send queue was full and
 * read nothing, so each holds unread data in its receive queue and unsent
 * data in its send queue. One connection has both ends in the process; the
 * other goes to a child, which sent data the target has not read (all of
 * it acknowledged: the peer is quiet during the freeze), reads nothing
 * until the target tells it (SIGUSR2), then says how many right bytes it
 * got. Every socket had
 * SO_REUSEADDR set (and TCP_NODELAY).
 *
 * After SIGUSR1, with argv[2] = "repaired" (frozen with --tcp-established,
 * or not resumed at all) every byte each end wrote must arrive, in order,
 * and the connections still talk. Otherwise they come back reset by the
 * peer: the data already received, then ECONNRESET. SO_REUSEADDR and
 * TCP_NODELAY must be set either way.
 */
#include "target.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

/* <linux/sockios.h>, which musl's headers lack. */
#ifndef SIOCOUTQNSD
#define SIOCOUTQNSD 0x894B
#endif
#ifndef SIOCOUTQ
#define SIOCOUTQ TIOCOUTQ
#endif

enum { PEER_LIFETIME = 60, BUF = 16384, PEER_BYTES = 6000 };

static int client, server, out;
static size_t client_sent, server_sent, out_sent, peer_sent;
static pid_t child;

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

/* Small buffers keep the queues small; SO_REUSEADDR is what is checked. */
static void opts(int fd)
{
	set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	set_int(fd, SOL_SOCKET, SO_SNDBUF, BUF);
	set_int(fd, SOL_SOCKET, SO_RCVBUF, BUF);
	set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1);
}

static unsigned char byte_at(size_t i, unsigned char seed)
{
	return (unsigned char)(i * 13 + seed);
}

/* Write the pattern until the send queue is full: the bytes written. */
static size_t fill(int fd, unsigned char seed)
{
	unsigned char chunk[1024];
	size_t total = 0;
	int fl = fcntl(fd, F_GETFL);

	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	for (;;) {
		for (size_t i = 0; i < sizeof(chunk); i++)
			chunk[i] = byte_at(total + i, seed);
		ssize_t n = send(fd, chunk, sizeof(chunk), MSG_NOSIGNAL);
		if (n <= 0)
			break;
		total += (size_t)n;
	}
	fcntl(fd, F_SETFL, fl);
	return total;
}

/* Read `want` bytes of the pattern (blocking): the bytes that were right. */
static size_t drain(int fd, size_t want, unsigned char seed, int *bad)
{
	unsigned char buf[4096];
	size_t got = 0;

	*bad = 0;
	while (got < want) {
		size_t room = want - got < sizeof(buf) ? want - got : sizeof(buf);
		ssize_t n = read(fd, buf, room);
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			*bad |= buf[i] != byte_at(got + (size_t)i, seed);
		got += (size_t)n;
	}
	return got;
}

static void loopback(struct sockaddr_in *a)
{
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

static int listener(struct sockaddr_in *a)
{
	socklen_t len = sizeof(*a);
	int l = socket(AF_INET, SOCK_STREAM, 0);

	loopback(a);
	if (l < 0)
		target_die("socket");
	opts(l);
	if (bind(l, (struct sockaddr *)a, len) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)a, &len))
		target_die("listener");
	return l;
}

static int connect_to(const struct sockaddr_in *a)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);

	if (s < 0)
		target_die("socket");
	opts(s);
	if (connect(s, (const struct sockaddr *)a, sizeof(*a)))
		target_die("connect");
	return s;
}

/*
 * The child sends what fits in the target's receive queue and waits until
 * all of it is acknowledged: a peer with data still to send would probe
 * while the process is gone, and be answered with a reset (freeze keeps no
 * network lock).
 */
static size_t quiet_send(int fd, unsigned char seed)
{
	unsigned char chunk[PEER_BYTES];
	int outq = 1;

	for (size_t i = 0; i < sizeof(chunk); i++)
		chunk[i] = byte_at(i, seed);
	if (write(fd, chunk, sizeof(chunk)) != sizeof(chunk))
		_exit(1);
	while (!ioctl(fd, SIOCOUTQ, &outq) && outq > 0)
		usleep(1000);
	return sizeof(chunk);
}

static volatile sig_atomic_t go;

static void on_usr2(int sig)
{
	(void)sig;
	go = 1;
}

/*
 * The child: fills its send queue, waits for SIGUSR2, then reads what the
 * target wrote until EOF and answers with the count of right bytes (8
 * bytes, 0 after a wrong one).
 */
static void peer(int l, int ready)
{
	int c, null = open("/dev/null", O_RDWR), bad;
	uint64_t got;
	size_t sent;
	sigset_t none;

	dup2(null, 0);
	dup2(null, 1);
	dup2(null, 2);
	/* The connection inside is the target's alone. */
	close(client);
	close(server);
	alarm(PEER_LIFETIME);
	c = accept(l, NULL, NULL);
	if (c < 0)
		_exit(1);
	sent = quiet_send(c, 7);
	if (write(ready, &sent, sizeof(sent)) != sizeof(sent))
		_exit(1);
	sigemptyset(&none);
	while (!go)
		sigsuspend(&none);
	got = drain(c, SIZE_MAX, 3, &bad);
	if (bad)
		got = 0;
	write(c, &got, sizeof(got));
	_exit(0);
}

/* The send queue holds data never sent, not only data not acknowledged. */
static void unsent(int fd, const char *what)
{
	int n = 0;

	if (ioctl(fd, SIOCOUTQNSD, &n) || n <= 0)
		target_die(what);
}

static void setup(void)
{
	struct sockaddr_in a;
	int l = listener(&a), ready[2];
	sigset_t usr2;

	client = connect_to(&a);
	if ((server = accept(l, NULL, NULL)) < 0)
		target_die("the connection inside");
	close(l);
	client_sent = fill(client, 1);
	server_sent = fill(server, 2);

	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	sigprocmask(SIG_BLOCK, &usr2, NULL);
	signal(SIGUSR2, on_usr2);
	l = listener(&a);
	if (pipe(ready))
		target_die("pipe");
	child = fork();
	if (child < 0)
		target_die("fork");
	if (child == 0)
		peer(l, ready[1]);
	close(l);
	close(ready[1]);
	out = connect_to(&a);
	if (read(ready[0], &peer_sent, sizeof(peer_sent)) != sizeof(peer_sent))
		target_die("the child's count");
	close(ready[0]);
	out_sent = fill(out, 3);
	unsent(client, "no unsent data in the client's send queue");
	unsent(server, "no unsent data in the server's send queue");
	unsent(out, "no unsent data in the send queue to the child");
}

static void options_kept(int fd, const char *what)
{
	target_check(get_int(fd, SOL_SOCKET, SO_REUSEADDR) == 1, "%s: SO_REUSEADDR lost", what);
	target_check(get_int(fd, IPPROTO_TCP, TCP_NODELAY) == 1, "%s: TCP_NODELAY lost", what);
}

/* All of `sent` arrives, in order. */
static void arrives(int fd, size_t sent, unsigned char seed, const char *what)
{
	int bad;
	size_t got = drain(fd, sent, seed, &bad);

	target_check(got == sent && !bad, "%s: %zu of %zu bytes%s (%s)", what, got, sent,
		     bad ? ", some wrong" : "", strerror(errno));
}

static void check_kept(void)
{
	uint64_t got = 0;
	char c = 0;

	arrives(server, client_sent, 1, "inside, client to server");
	arrives(client, server_sent, 2, "inside, server to client");
	target_check(write(client, "a", 1) == 1 && read(server, &c, 1) == 1 && c == 'a',
		     "inside: no longer talks");
	kill(child, SIGUSR2);
	arrives(out, peer_sent, 7, "from the child");
	shutdown(out, SHUT_WR);
	target_check(read(out, &got, sizeof(got)) == sizeof(got) && got == out_sent,
		     "the child got %llu right bytes of %zu (%s)", (unsigned long long)got,
		     out_sent, strerror(errno));
}

/* What had arrived, in order, then ECONNRESET and EOF. */
static void reset(int fd, size_t sent, unsigned char seed, const char *what)
{
	int bad;
	size_t got = drain(fd, SIZE_MAX, seed, &bad);
	char c;

	target_check(got <= sent && errno == ECONNRESET && !bad, "%s: %zu of %zu bytes%s, "
		     "then %s, not ECONNRESET", what, got, sent, bad ? " (some wrong)" : "",
		     strerror(errno));
	target_check(read(fd, &c, 1) == 0, "%s: no EOF after the reset", what);
}

static void check_reset(void)
{
	reset(server, client_sent, 1, "inside, client to server");
	reset(client, server_sent, 2, "inside, server to client");
	reset(out, peer_sent, 7, "from the child");
}

int main(int argc, char **argv)
{
	int repaired = argc > 2 && !strcmp(argv[2], "repaired");
	pid_t pid = getpid();

	target_init();
	setup();
	target_ready();
	target_wait();
	options_kept(client, "inside, client");
	options_kept(server, "inside, server");
	options_kept(out, "to the child");
	if (getpid() == pid || repaired)
		check_kept();
	else
		check_reset();
	kill(child, SIGKILL);
	return target_finish();
}
