/*
 * unix_sockets: UNIX sockets in every state freeze rebuilds.
 *   - socketpairs (stream, datagram, seqpacket) with data queued both ways,
 *     one holding more than 64 KiB,
 *     an O_NONBLOCK end, a FD_CLOEXEC end, a dup, a changed SO_SNDBUF;
 *   - a stream pair whose one side shut its sending side;
 *   - a listener bound to a path (mode 0600) and one on an abstract name;
 *   - a datagram socket bound to a path, with datagrams queued in it;
 *   - two clients whose connections their listener (ours too) never
 *     accepted (freeze once dropped them, and accept() then waited
 *     forever): after a resume too, accept() returns them, in order, and
 *     they talk. With argv[2] = "pending-data" the second one has sent a
 *     byte, which nothing can read before accept(): freeze refuses
 *     (bad/unix-pending-data).
 * After SIGUSR1 every socket must hold what it held, and still work.
 */
#include "target.h"
#include <fcntl.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

static int sp[2], dp[2], qp[2], sh[2], big[2], lpath, labstract, dgram, client,
	client2, dup_fd;
static int pend_l, pending_data;
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

	/* Connections the listener has not accepted yet. */
	set_path(&pend_addr, dir, "pending.sock");
	unlink(pend_addr.sun_path);
	pend_l = listener(&pend_addr, sizeof(pend_addr));
	client = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	client2 = socket(AF_UNIX, SOCK_STREAM, 0);
	if (client < 0 || client2 < 0 ||
	    connect(client, (struct sockaddr *)&pend_addr, sizeof(pend_addr)) ||
	    connect(client2, (struct sockaddr *)&pend_addr, sizeof(pend_addr)))
		target_die("pending client");
	if (pending_data && write(client2, "!", 1) != 1)
		target_die("pending client's data");
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

/* Each pending client, in the order it connected, is what accept() returns. */
static void accepted_in_order(void)
{
	int first, second, flags = fcntl(pend_l, F_GETFL);
	char c = 0;

	fcntl(pend_l, F_SETFL, flags | O_NONBLOCK);
	first = accept(pend_l, NULL, NULL);
	second = accept(pend_l, NULL, NULL);
	fcntl(pend_l, F_SETFL, flags);
	target_check(first >= 0 && second >= 0,
		     "the listener does not accept its pending "
		     "connections (%s)",
		     strerror(errno));
	if (first < 0 || second < 0)
		return;
	if (pending_data)
		target_expect_read(second, "!", "what the second pending client sent");
	target_check(send(client, "1", 1, 0) == 1 && send(client2, "2", 1, 0) == 1 &&
			     recv(first, &c, 1, 0) == 1 && c == '1' &&
			     recv(second, &c, 1, 0) == 1 && c == '2',
		     "the pending connections came back in another order, or "
		     "do not talk");
	target_check(send(first, "a", 1, 0) == 1 && recv(client, &c, 1, 0) == 1 && c == 'a',
		     "the first pending connection does not talk back");
	close(first);
	close(second);
}

static void check(void)
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
	target_check(recv(client, &c, 1, 0) < 0 && errno == EAGAIN,
		     "the pending client reads something (%s)", strerror(errno));
	target_check(fcntl(client, F_GETFL) & O_NONBLOCK, "the pending client lost O_NONBLOCK");
	target_check(!(fcntl(client2, F_GETFL) & O_NONBLOCK),
		     "the second pending client is O_NONBLOCK");
	accepted_in_order();
}

int main(int argc, char **argv)
{
	target_init();
	pending_data = argc > 2 && !strcmp(argv[2], "pending-data");
	setup(argc > 1 ? argv[1] : ".");
	target_ready();
	target_wait();
	check();
	return target_finish();
}
