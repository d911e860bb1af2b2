/*
 * scm_rights - file descriptors in flight (SCM_RIGHTS) in messages queued
 * in the process's UNIX sockets, received only after the resume:
 *   a datagram socketpair: "first", then "two fds" carrying a regular file
 *     open at offset 5 and /dev/null (both closed in the process: reopened
 *     by path), then "last";
 *   a stream socketpair: "before", then "X" carrying the write end of a
 *     pipe the process holds, then "after": the fd comes with the read of
 *     "X" and not of "before", and that read stops after it;
 *   a seqpacket socketpair: "sock" carrying one end of the datagram pair;
 *   a datagram socket bound to a path: "bound" from a sender since closed,
 *     carrying the pipe's read end (it comes back from a helper socket);
 *   a stream connection whose peer (accepted, then closed with its
 *     listener) sent "gone" carrying the pipe's write end: after resume the
 *     message, then EOF.
 * Each fd is used: the file read at its offset, /dev/null written, the pipe
 * written into and read from the process's own read end, the socket sent
 * through.
 *
 * With argv[2] = eventfd, deleted or socket (bad/scm-rights-*): "e"
 * carrying an eventfd, a deleted file or a socket the process closed,
 * which freeze refuses; after the refusal the message must still be there
 * with its fd.
 */
#include "target.h"

#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/un.h>

static int sv_dgram[2], sv_stream[2], sv_seq[2], pipe_fds[2], bound, gone;

static void send_fds(int s, const char *data, const int *fds, int n)
{
	char control[CMSG_SPACE(4 * sizeof(int))] = { 0 };
	struct iovec iov = { (void *)data, strlen(data) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	if (n) {
		m.msg_control = control;
		m.msg_controllen = CMSG_SPACE(n * sizeof(int));
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(n * sizeof(int));
		memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	}
	if (sendmsg(s, &m, 0) != (ssize_t)strlen(data))
		target_die("sendmsg");
}

/* One recvmsg of at most `room` bytes: it must read `want`, with nfds fds. */
static void expect(int s, size_t room, const char *want, int nfds, int *fds, const char *what)
{
	char buf[128] = { 0 }, control[CMSG_SPACE(8 * sizeof(int))];
	struct iovec iov = { buf, room < sizeof(buf) - 1 ? room : sizeof(buf) - 1 };
	struct msghdr m = { .msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = control,
			    .msg_controllen = sizeof(control) };
	ssize_t n = recvmsg(s, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	int got = 0;

	for (struct cmsghdr *c = n >= 0 ? CMSG_FIRSTHDR(&m) : NULL; c;
	     c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			for (size_t i = 0;
			     i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++, got++)
				if (got < 8)
					memcpy(&fds[got], CMSG_DATA(c) + i * sizeof(int),
					       sizeof(int));
	target_check(n == (ssize_t)strlen(want) && !memcmp(buf, want, strlen(want)),
		     "%s: read %zd bytes '%s', wanted '%s' (%s)", what, n,
		     n > 0 ? buf : "", want, n < 0 ? strerror(errno) : "");
	target_check(got == nfds, "%s: %d fds came with it, wanted %d", what, got, nfds);
}

static int same_file(int a, int b)
{
	struct stat sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_ino == sb.st_ino &&
	       sa.st_dev == sb.st_dev;
}

static void set_path(struct sockaddr_un *a, const char *dir, const char *name)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	snprintf(a->sun_path, sizeof(a->sun_path), "%s/%s", dir, name);
}

/* Queues filled from outside the process: a bound socket, a peer gone. */
static void setup_named(const char *dir)
{
	struct sockaddr_un b, l;
	int sender = socket(AF_UNIX, SOCK_DGRAM, 0),
	    lis = socket(AF_UNIX, SOCK_STREAM, 0), acc;
	char control[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { "bound", 5 };
	struct msghdr m = { .msg_name = &b,
			    .msg_namelen = sizeof(b),
			    .msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = control,
			    .msg_controllen = sizeof(control) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);

	set_path(&b, dir, "bound.sock");
	set_path(&l, dir, "listen.sock");
	unlink(b.sun_path);
	unlink(l.sun_path);
	bound = socket(AF_UNIX, SOCK_DGRAM, 0);
	gone = socket(AF_UNIX, SOCK_STREAM, 0);
	if (sender < 0 || lis < 0 || bound < 0 || gone < 0 ||
	    bind(bound, (struct sockaddr *)&b, sizeof(b)) ||
	    bind(lis, (struct sockaddr *)&l, sizeof(l)) || listen(lis, 1) ||
	    connect(gone, (struct sockaddr *)&l, sizeof(l)) ||
	    (acc = accept(lis, NULL, NULL)) < 0)
		target_die("the named sockets");
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &pipe_fds[0], sizeof(int));
	if (sendmsg(sender, &m, 0) != 5)
		target_die("sendmsg to the bound socket");
	send_fds(acc, "gone", &pipe_fds[1], 1);
	close(sender);
	close(acc);
	close(lis);
}

static void check_named(void)
{
	int fds[8] = { -1 };
	char buf[8];

	expect(bound, 100, "bound", 1, fds, "bound socket's datagram");
	target_check(same_file(fds[0], pipe_fds[0]), "the fd sent to the bound socket is "
						     "not the pipe's read end");
	expect(gone, 100, "gone", 1, fds, "message from the peer gone");
	target_check(same_file(fds[0], pipe_fds[1]), "the fd from the peer gone is not the "
						     "pipe's write end");
	target_check(recv(gone, buf, sizeof(buf), MSG_DONTWAIT) == 0,
		     "the connection whose peer is gone does not read EOF after its data");
}

static void setup(const char *dir)
{
	char path[4096];
	int fds[2], file, null;

	snprintf(path, sizeof(path), "%s/data.txt", dir);
	file = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (file < 0 || write(file, "0123456789abcdef", 16) != 16 ||
	    lseek(file, 5, SEEK_SET) != 5)
		target_die("the data file");
	null = open("/dev/null", O_WRONLY);
	if (null < 0)
		target_die("/dev/null");
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv_dgram) ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, sv_stream) ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv_seq) || pipe(pipe_fds))
		target_die("socketpair/pipe");
	fds[0] = file;
	fds[1] = null;
	send_fds(sv_dgram[1], "first", NULL, 0);
	send_fds(sv_dgram[1], "two fds", fds, 2);
	send_fds(sv_dgram[1], "last", NULL, 0);
	close(file);
	close(null);
	send_fds(sv_stream[1], "before", NULL, 0);
	send_fds(sv_stream[1], "X", &pipe_fds[1], 1);
	send_fds(sv_stream[1], "after", NULL, 0);
	send_fds(sv_seq[1], "sock", &sv_dgram[1], 1);
	setup_named(dir);
}

static void check_dgram(void)
{
	int fds[8] = { -1, -1 };
	char buf[8] = { 0 };
	struct stat st, null_st;

	expect(sv_dgram[0], 100, "first", 0, fds, "datagram 1");
	expect(sv_dgram[0], 100, "two fds", 2, fds, "datagram 2");
	target_check(read(fds[0], buf, 3) == 3 && !memcmp(buf, "567", 3),
		     "the file in flight reads '%s', not '567' (its offset 5)", buf);
	target_check((fcntl(fds[0], F_GETFL) & O_ACCMODE) == O_RDWR,
		     "the file in flight is not open for reading and writing");
	target_check(fstat(fds[1], &st) == 0 && stat("/dev/null", &null_st) == 0 &&
			     S_ISCHR(st.st_mode) && st.st_rdev == null_st.st_rdev,
		     "the second fd in flight is not /dev/null");
	target_check(write(fds[1], "x", 1) == 1, "/dev/null in flight: write: %s",
		     strerror(errno));
	expect(sv_dgram[0], 100, "last", 0, fds, "datagram 3");
}

static void check_stream(void)
{
	int fds[8] = { -1 };
	char buf[8] = { 0 };

	expect(sv_stream[0], 6, "before", 0, fds, "stream bytes before the fd");
	expect(sv_stream[0], 100, "X", 1, fds, "stream message with the fd");
	target_check(same_file(fds[0], pipe_fds[1]), "the fd in the stream is not the pipe");
	target_check(write(fds[0], "ping", 4) == 4 && read(pipe_fds[0], buf, 4) == 4 &&
			     !memcmp(buf, "ping", 4),
		     "the pipe end in flight does not write into the process's pipe (read '%s')",
		     buf);
	expect(sv_stream[0], 100, "after", 0, fds, "stream bytes after the fd");
}

static void check_seqpacket(void)
{
	int fds[8] = { -1 };

	expect(sv_seq[0], 100, "sock", 1, fds, "seqpacket message");
	target_check(same_file(fds[0], sv_dgram[1]),
		     "the socket in flight is not the process's");
	target_check(send(fds[0], "via", 3, 0) == 3,
		     "send through the socket in flight: %s", strerror(errno));
	expect(sv_dgram[0], 100, "via", 0, fds, "datagram through the socket in flight");
}

/* The fd a refused case sends, closed in the process: what it is not. */
static int unsendable(const char *mode, const char *dir, char *want, size_t cap)
{
	char path[4096];
	int fd = -1, sv[2];

	if (!strcmp(mode, "eventfd")) {
		fd = eventfd(7, 0);
		snprintf(want, cap, "anon_inode:[eventfd]");
	} else if (!strcmp(mode, "deleted")) {
		snprintf(path, sizeof(path), "%s/deleted.txt", dir);
		fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		unlink(path);
		snprintf(want, cap, "%s (deleted)", path);
	} else if (!strcmp(mode, "socket") && !socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		fd = sv[0];
		close(sv[1]);
		snprintf(want, cap, "socket:[");
	}
	if (fd < 0)
		target_die(mode);
	return fd;
}

/*
 * bad/scm-rights-*: "e" carrying an fd freeze cannot have sent again;
 * after the refusal the message must still be there with it.
 */
static int refused_case(const char *mode, const char *dir)
{
	char link[4200] = { 0 }, path[64], want[4200];
	int fd = unsendable(mode, dir, want, sizeof(want)), fds[8] = { -1 };

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv_stream))
		target_die("socketpair");
	send_fds(sv_stream[1], "e", &fd, 1);
	close(fd);
	target_ready();
	target_wait();
	expect(sv_stream[0], 100, "e", 1, fds, "the message with the fd");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[0]);
	target_check(readlink(path, link, sizeof(link) - 1) > 0 &&
			     !strncmp(link, want, strlen(want)),
		     "the fd in flight is %s, not %s", link, want);
	return target_finish();
}

int main(int argc, char **argv)
{
	target_init();
	if (argc > 2)
		return refused_case(argv[2], argv[1]);
	setup(argv[1]);
	target_ready();
	target_wait();
	check_dgram();
	check_stream();
	check_seqpacket();
	check_named();
	return target_finish();
}
