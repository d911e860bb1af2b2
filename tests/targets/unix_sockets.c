/*
 * unix_sockets: UNIX sockets in every state freeze rebuilds.
 *   - socketpairs (stream, datagram, seqpacket) with data queued both ways,
 *     one holding more than 64 KiB,
 *     an O_NONBLOCK end, a FD_CLOEXEC end, a dup, a changed SO_SNDBUF;
 *   - a stream pair whose one side shut its sending side;
 *   - a listener bound to a path (mode 0600) and one on an abstract name;
 *   - a datagram socket bound to a path, with datagrams queued in it;
 *   - a client whose connection its listener (ours too) never accepted:
 *     its peer is no socket of the process, so after a resume it must read
 *     EOF (before: EAGAIN).
 * After SIGUSR1 every socket must hold what it held, and still work.
 */
#include "target.h"
#include <fcntl.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

static int sp[2], dp[2], qp[2], sh[2], big[2], lpath, labstract, dgram, client, dup_fd;
static size_t big_len;
static struct sockaddr_un path_addr, abs_addr, dgram_addr, pend_addr;
static socklen_t abs_len;
static int sndbuf;

static void set_path(struct sockaddr_un *a, const char *dir, const char *name)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	snprintf(a->sun_path, sizeof(a->sun_path), "%s/%s", dir, name);
}

static int listener(const struct sockaddr_un *a, socklen_t len)
{
	int s = socket(AF_UNIX, SOCK_STREAM, 0);

	if (s < 0 || bind(s, (const struct sockaddr *)a, len) || listen(s, 5))
		target_die("listener");
	return s;
}

static void setup(const char *dir)
{
	int s, n = 64 * 1024;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) || socketpair(AF_UNIX, SOCK_DGRAM, 0, dp) ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET, 0, qp) || socketpair(AF_UNIX, SOCK_STREAM, 0, sh))
		target_die("socketpair");
	if (write(sp[0], "abc", 3) != 3 || write(sp[1], "xyz", 3) != 3 ||
	    send(dp[0], "one", 3, 0) != 3 || send(dp[0], "two!", 4, 0) != 4 ||
	    send(qp[0], "seq1", 4, 0) != 4 || send(qp[1], "seq2", 4, 0) != 4 ||
	    write(sh[0], "bye", 3) != 3 || shutdown(sh[0], SHUT_WR))
		target_die("queueing data");
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, big))
		target_die("socketpair");
	for (;;) {
		unsigned char chunk[4096];
		for (size_t i = 0; i < sizeof(chunk); i++)
			chunk[i] = (unsigned char)((big_len + i) * 7);
		ssize_t w = write(big[0], chunk, sizeof(chunk));
		if (w <= 0)
			break;
		big_len += (size_t)w;
	}
	if (big_len <= 64 * 1024)
		target_die("filling a socketpair with more than 64 KiB");
	fcntl(sp[0], F_SETFL, O_NONBLOCK);
	fcntl(sp[1], F_SETFD, FD_CLOEXEC);
	setsockopt(sp[1], SOL_SOCKET, SO_SNDBUF, &n, sizeof(n));
	socklen_t len = sizeof(sndbuf);
	getsockopt(sp[1], SOL_SOCKET, SO_SNDBUF, &sndbuf, &len);
	if ((dup_fd = dup(sp[0])) < 0)
		target_die("dup");

	set_path(&path_addr, dir, "listen.sock");
	unlink(path_addr.sun_path);
	lpath = listener(&path_addr, sizeof(path_addr));
	chmod(path_addr.sun_path, 0600);
	memset(&abs_addr, 0, sizeof(abs_addr));
	abs_addr.sun_family = AF_UNIX;
	n = snprintf(abs_addr.sun_path + 1, sizeof(abs_addr.sun_path) - 1,
		     "freeze-test-%d", (int)getpid());
	abs_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
	labstract = listener(&abs_addr, abs_len);

	set_path(&dgram_addr, dir, "dgram.sock");
	unlink(dgram_addr.sun_path);
	dgram = socket(AF_UNIX, SOCK_DGRAM, 0);
	s = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (dgram < 0 || s < 0 || bind(dgram, (struct sockaddr *)&dgram_addr, sizeof(dgram_addr)) ||
	    sendto(s, "d1", 2, 0, (struct sockaddr *)&dgram_addr, sizeof(dgram_addr)) != 2 ||
	    sendto(s, "d22", 3, 0, (struct sockaddr *)&dgram_addr, sizeof(dgram_addr)) != 3)
		target_die("bound datagram socket");
	close(s);

	/* A connection the listener never accepts. */
	set_path(&pend_addr, dir, "pending.sock");
	unlink(pend_addr.sun_path);
	s = listener(&pend_addr, sizeof(pend_addr));
	client = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (client < 0 || connect(client, (struct sockaddr *)&pend_addr, sizeof(pend_addr)))
		target_die("pending client");
}

static void talks(int a, int b, const char *what)
{
	char c = 0;

	target_check(send(a, "p", 1, 0) == 1 && recv(b, &c, 1, 0) == 1 && c == 'p' &&
		     send(b, "q", 1, 0) == 1 && recv(a, &c, 1, 0) == 1 && c == 'q',
		     "%s no longer talks both ways", what);
}

static void accepts(int l, const struct sockaddr_un *a, socklen_t len, const char *what)
{
	int c = socket(AF_UNIX, SOCK_STREAM, 0), s = -1, on = 0;
	socklen_t olen = sizeof(on);

	getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &on, &olen);
	target_check(on, "%s is not listening", what);
	if (c < 0 || connect(c, (const struct sockaddr *)a, len) || (s = accept(l, NULL, NULL)) < 0)
		target_check(0, "%s: connecting a client: %s", what, strerror(errno));
	else
		talks(c, s, what);
	close(c);
	close(s);
}

static void check_big(void)
{
	unsigned char c;
	size_t n = 0, bad = 0;

	while (read(big[1], &c, 1) == 1) {
		bad += c != (unsigned char)(n * 7);
		n++;
	}
	target_check(n == big_len && !bad, "the large queue: %zu bytes of %zu back, "
		     "%zu wrong", n, big_len, bad);
}

static void check(int resumed)
{
	struct stat st;
	int v = 0;
	socklen_t len = sizeof(v);
	char c;

	target_expect_read(sp[1], "abc", "stream pair, end 1");
	target_expect_read(sp[0], "xyz", "stream pair, end 0");
	talks(sp[0], sp[1], "the stream pair");
	check_big();
	target_check(fcntl(sp[0], F_GETFL) & O_NONBLOCK, "O_NONBLOCK lost");
	target_check(fcntl(dup_fd, F_GETFL) & O_NONBLOCK, "the dup no longer shares its file");
	target_check(fcntl(sp[1], F_GETFD) == FD_CLOEXEC, "FD_CLOEXEC lost");
	getsockopt(sp[1], SOL_SOCKET, SO_SNDBUF, &v, &len);
	target_check(v == sndbuf, "SO_SNDBUF %d, was %d", v, sndbuf);
	target_expect_read(dp[1], "one", "datagram pair, first");
	target_expect_read(dp[1], "two!", "datagram pair, second");
	talks(dp[0], dp[1], "the datagram pair");
	target_expect_read(qp[1], "seq1", "seqpacket pair, end 1");
	target_expect_read(qp[0], "seq2", "seqpacket pair, end 0");
	talks(qp[0], qp[1], "the seqpacket pair");
	target_expect_read(sh[1], "bye", "shut pair");
	target_check(recv(sh[1], &c, 1, MSG_DONTWAIT) == 0, "shut pair: no EOF after the data");
	target_check(send(sh[0], "x", 1, MSG_NOSIGNAL) < 0 && errno == EPIPE,
		     "shut pair: the shut side can send again");
	accepts(lpath, &path_addr, sizeof(path_addr), "the listener on a path");
	target_check(!stat(path_addr.sun_path, &st) && (st.st_mode & 0777) == 0600,
		     "socket file mode %o, not 600", st.st_mode & 0777);
	accepts(labstract, &abs_addr, abs_len, "the abstract listener");
	target_expect_read(dgram, "d1", "bound datagram socket, first");
	target_expect_read(dgram, "d22", "bound datagram socket, second");
	v = socket(AF_UNIX, SOCK_DGRAM, 0);
	target_check(sendto(v, "z", 1, 0, (struct sockaddr *)&dgram_addr, sizeof(dgram_addr)) == 1,
		     "cannot send to the bound datagram socket: %s", strerror(errno));
	target_expect_read(dgram, "z", "bound datagram socket, after");
	close(v);
	if (resumed)
		target_check(recv(client, &c, 1, 0) == 0, "the client whose peer is gone "
			     "does not read EOF (%s)", strerror(errno));
	else
		target_check(recv(client, &c, 1, 0) < 0 && errno == EAGAIN,
			     "the pending client reads something");
}

int main(int argc, char **argv)
{
	pid_t pid = getpid();

	target_init();
	setup(argc > 1 ? argv[1] : ".");
	target_ready();
	target_wait();
	check(getpid() != pid);
	return target_finish();
}
