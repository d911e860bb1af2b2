/*
 * lonepipe: pipe and FIFO ends whose other end is closed everywhere.
 *   fd 10  make's job server: a read end holding 4 tokens, its write end
 *          closed: reads the tokens, then EOF
 *   fd 11  a write end whose read end is closed: EPIPE (SIGPIPE ignored)
 *   fd 12  a FIFO's read end, its writer gone, "fifo" unread: reads it,
 *          then EOF; a writer that opens the path later reaches it
 *   fd 13  a FIFO's write end, its reader gone: EPIPE; a reader that
 *          opens the path later gets what it writes
 * argv[2] = "peer": fd 14 is a read end whose write end only a child
 * holds, which freeze refuses (bad/pipe-peer).
 */
#include "target.h"
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>

static char fifo_r[4096], fifo_w[4096];

static void move_fd(int from, int to)
{
	if (dup2(from, to) != to)
		target_die("dup2");
	close(from);
}

/* fd has want to read, then (eof) EOF. */
static void check_reads(int fd, const char *want, const char *what, int eof)
{
	char buf[16] = { 0 };
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	target_check(n == (ssize_t)strlen(want) && !memcmp(buf, want, n),
		     "%s: read %zd '%s', wanted '%s' (%s)", what, n, n > 0 ? buf : "",
		     want, n < 0 ? strerror(errno) : "");
	n = eof ? read(fd, buf, sizeof(buf)) : 0;
	target_check(n == 0, "%s: read %zd after the data, wanted EOF (%s)", what, n,
		     n < 0 ? strerror(errno) : "");
}

static void check_epipe(int fd, const char *what)
{
	target_check(write(fd, "x", 1) < 0 && errno == EPIPE,
		     "%s: write did not fail with EPIPE (%s)", what, strerror(errno));
}

int main(int argc, char **argv)
{
	int p[2], r, w;

	target_init();
	signal(SIGPIPE, SIG_IGN);
	if (pipe(p) || write(p[1], "++++", 4) != 4)
		target_die("pipe");
	close(p[1]);
	move_fd(p[0], 10);
	if (pipe(p))
		target_die("pipe");
	close(p[0]);
	move_fd(p[1], 11);

	snprintf(fifo_r, sizeof(fifo_r), "%s/fifo_r", argv[1]);
	snprintf(fifo_w, sizeof(fifo_w), "%s/fifo_w", argv[1]);
	unlink(fifo_r);
	unlink(fifo_w);
	if (mkfifo(fifo_r, 0600) || mkfifo(fifo_w, 0600))
		target_die("mkfifo");
	r = open(fifo_r, O_RDONLY | O_NONBLOCK);
	w = open(fifo_r, O_WRONLY | O_NONBLOCK);
	if (r < 0 || w < 0 || write(w, "fifo", 4) != 4)
		target_die("fifo_r");
	close(w);
	move_fd(r, 12);
	r = open(fifo_w, O_RDONLY | O_NONBLOCK);
	w = open(fifo_w, O_WRONLY | O_NONBLOCK);
	if (r < 0 || w < 0)
		target_die("fifo_w");
	close(r);
	move_fd(w, 13);
	if (argc > 2 && !strcmp(argv[2], "peer")) {
		if (pipe(p))
			target_die("pipe");
		if (fork() == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			for (;;)
				pause();
		}
		close(p[1]);
		move_fd(p[0], 14);
	}
	target_ready();
	target_wait();

	check_reads(10, "++++", "the job server pipe", 1);
	check_epipe(11, "the pipe without a reader");
	check_reads(12, "fifo", "the FIFO without a writer", 1);
	w = open(fifo_r, O_WRONLY | O_NONBLOCK);
	target_check(w >= 0 && write(w, "again", 5) == 5, "writing to %s again: %s",
		     fifo_r, strerror(errno));
	if (w >= 0)
		close(w);
	check_reads(12, "again", "the FIFO with a new writer", 1);
	check_epipe(13, "the FIFO without a reader");
	r = open(fifo_w, O_RDONLY | O_NONBLOCK);
	target_check(r >= 0 && write(13, "new", 3) == 3, "writing to %s for a new "
		     "reader: %s", fifo_w, strerror(errno));
	if (r >= 0)
		check_reads(r, "new", "the FIFO's new reader", 0);
	return target_finish();
}
