/*
 * pipe: frozen in read() on a pipe the process holds both ends of.  The
 * SIGUSR1 handler (SA_RESTART) writes "ping" into it once, so after the
 * resume the read must complete with exactly that (never EINTR).  A second
 * pipe holds bytes written before the freeze and never read; its read end
 * is O_NONBLOCK.  Both must come back as pipes with their data and flags.
 * The read end is also open a second time, through /proc/self/fd (another
 * open file description, not a dup), without O_NONBLOCK: each keeps its own.
 */
#include "target.h"
#include <fcntl.h>

static const char unread[] = "written before the freeze";
static int ping_pipe[2];
static volatile sig_atomic_t pinged;

static void on_usr1(int sig)
{
	(void)sig;
	if (!pinged && write(ping_pipe[1], "ping", 4) == 4)
		pinged = 1;
}

static void check_pipe_works(int rfd, int wfd, const char *name)
{
	char c = 0;

	target_check(write(wfd, "x", 1) == 1 && read(rfd, &c, 1) == 1 && c == 'x',
		     "%s no longer carries data", name);
}

int main(void)
{
	struct sigaction sa;
	sigset_t usr1;
	int data_pipe[2], rflags, again, again_flags;
	char path[64];
	char buf[64];
	ssize_t n;

	target_init();
	if (pipe(ping_pipe) || pipe(data_pipe))
		target_die("pipe");
	if (write(data_pipe[1], unread, sizeof(unread)) != sizeof(unread))
		target_die("write");
	if (fcntl(data_pipe[0], F_SETFL, O_NONBLOCK))
		target_die("fcntl");
	rflags = fcntl(data_pipe[0], F_GETFL);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", data_pipe[0]);
	again = open(path, O_RDONLY);
	if (again < 0)
		target_die("open /proc/self/fd of the read end");
	again_flags = fcntl(again, F_GETFL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL))
		target_die("sigaction");
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_UNBLOCK, &usr1, NULL);
	target_ready();

	n = read(ping_pipe[0], buf, sizeof(buf));
	target_check(n == 4 && !memcmp(buf, "ping", 4), "read on the pipe returned %zd (%s)", n,
		     n < 0 ? strerror(errno) : "wrong data");
	sigprocmask(SIG_BLOCK, &usr1, NULL);

	target_check(fcntl(again, F_GETFL) == again_flags, "the read end opened again: "
		     "flags %#x, were %#x", fcntl(again, F_GETFL), again_flags);
	if (fcntl(data_pipe[0], F_GETFL) != rflags) {
		/* Not O_NONBLOCK any more: the reads below would block. */
		target_check(0, "read end flags %#x, were %#x",
			     fcntl(data_pipe[0], F_GETFL), rflags);
		return target_finish();
	}
	n = read(data_pipe[0], buf, sizeof(buf));
	target_check(n == sizeof(unread) && !memcmp(buf, unread, sizeof(unread)),
		     "unread pipe data lost: read returned %zd", n);
	n = read(data_pipe[0], buf, sizeof(buf));
	target_check(n < 0 && errno == EAGAIN, "empty O_NONBLOCK pipe: read returned %zd", n);
	check_pipe_works(ping_pipe[0], ping_pipe[1], "the ping pipe");
	check_pipe_works(data_pipe[0], data_pipe[1], "the data pipe");
	return target_finish();
}
