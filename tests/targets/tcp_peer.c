/*
 * tcp_peer: a TCP connection to a peer in another process (a child that
 * echoes what it gets, on the loopback, with a port the kernel picks).
 * After SIGUSR1 the connection still carries "2" there and back when the
 * process was not resumed, or was frozen with --tcp-established (argv[2] =
 * "repaired"): the peer noticed nothing. Resumed otherwise, it reports the
 * peer gone: a reset, then EOF. The child ends at EOF, or after a minute.
 */
#include "target.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>

enum { PEER_LIFETIME = 60 };

static void echo_peer(int l)
{
	int c, null = open("/dev/null", O_RDWR);
	char buf[64];
	ssize_t n;

	/* The runner waits for the end of the target's output: let it go. */
	dup2(null, 0);
	dup2(null, 1);
	dup2(null, 2);
	alarm(PEER_LIFETIME);
	c = accept(l, NULL, NULL);
	while (c >= 0 && (n = read(c, buf, sizeof(buf))) > 0)
		if (write(c, buf, (size_t)n) != n)
			break;
	_exit(0);
}

static int connect_to_child(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0), s;
	pid_t child;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (l < 0 || bind(l, (struct sockaddr *)&a, len) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &len))
		target_die("listener for the peer");
	child = fork();
	if (child < 0)
		target_die("fork");
	if (child == 0)
		echo_peer(l);
	close(l);
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&a, len))
		target_die("connecting to the peer");
	return s;
}

static int echoes(int s, char what)
{
	char c = 0;

	return write(s, &what, 1) == 1 && read(s, &c, 1) == 1 && c == what;
}

int main(int argc, char **argv)
{
	int repaired = argc > 2 && !strcmp(argv[2], "repaired");
	pid_t pid = getpid();
	char c;
	int s;

	target_init();
	s = connect_to_child();
	if (!echoes(s, '1'))
		target_die("first exchange with the peer");
	target_ready();
	target_wait();
	if (getpid() == pid || repaired) {
		target_check(echoes(s, '2'), "the peer no longer echoes (%s)", strerror(errno));
	} else {
		ssize_t n = read(s, &c, 1);
		target_check(n < 0 && errno == ECONNRESET, "read %zd (%s), not ECONNRESET",
			     n, n < 0 ? strerror(errno) : "data");
		target_check(read(s, &c, 1) == 0, "no EOF after the reset");
	}
	return target_finish();
}
