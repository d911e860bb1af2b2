/*
 * pty: pseudo-terminals the process holds itself, as script or expect do.
 *   fd 10, 11  master and slave of one pty, the slave in canonical mode
 *              without echo, ^A for VINTR, a 33x77 window
 *   fd 12      a master whose slave was opened and closed: reads EIO
 * After the resume the pair must still be one pty (data goes both ways),
 * with the slave's settings and the window size kept; the slave's name
 * may change, so it is asked again (ptsname).
 * argv[2] = "queued": the master wrote a line the slave has not read
 * (freeze refuses, bad/pty-queued); "child": the slave is held only by a
 * child (freeze refuses, bad/pty-slave-elsewhere).
 */
#include "target.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <termios.h>

enum { MASTER = 10, SLAVE = 11, LONE = 12 };

static int open_pty(int *slave)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);

	if (m < 0 || grantpt(m) || unlockpt(m) || !ptsname(m))
		target_die("posix_openpt");
	*slave = open(ptsname(m), O_RDWR | O_NOCTTY);
	if (*slave < 0)
		target_die("opening the slave");
	return m;
}

static void move_fd(int from, int to)
{
	if (dup2(from, to) != to)
		target_die("dup2");
	close(from);
}

static void check_pair(const struct termios *want)
{
	struct termios now;
	struct winsize ws = { 0 };
	struct stat a, b;
	char buf[16] = { 0 };
	const char *name = ptsname(MASTER);
	ssize_t n;

	target_check(tcgetattr(SLAVE, &now) == 0, "tcgetattr(slave): %s", strerror(errno));
	target_check(now.c_lflag == want->c_lflag && now.c_iflag == want->c_iflag &&
		     now.c_oflag == want->c_oflag && now.c_cc[VINTR] == 1,
		     "slave settings lflag %#x iflag %#x oflag %#x VINTR %d, wanted "
		     "%#x %#x %#x 1", now.c_lflag, now.c_iflag, now.c_oflag,
		     now.c_cc[VINTR], want->c_lflag, want->c_iflag, want->c_oflag);
	target_check(ioctl(SLAVE, TIOCGWINSZ, &ws) == 0 && ws.ws_row == 33 &&
		     ws.ws_col == 77, "window %dx%d, wanted 33x77", ws.ws_row, ws.ws_col);
	target_check(name && stat(name, &a) == 0 && fstat(SLAVE, &b) == 0 &&
		     a.st_rdev == b.st_rdev, "fd %d is not the slave of fd %d (%s)",
		     SLAVE, MASTER, name ? name : "no name");
	target_check(write(MASTER, "ping\n", 5) == 5, "write(master): %s", strerror(errno));
	n = read(SLAVE, buf, sizeof(buf) - 1);
	target_check(n == 5 && !memcmp(buf, "ping\n", 5), "slave read %zd '%s'", n,
		     n > 0 ? buf : "");
	target_check(write(SLAVE, "pong", 4) == 4, "write(slave): %s", strerror(errno));
	memset(buf, 0, sizeof(buf));
	n = read(MASTER, buf, sizeof(buf) - 1);
	target_check(n == 4 && !memcmp(buf, "pong", 4), "master read %zd '%s'", n,
		     n > 0 ? buf : "");
}

static void check_lone(void)
{
	struct pollfd p = { .fd = LONE, .events = POLLIN };
	char c;

	target_check(poll(&p, 1, 0) == 1 && (p.revents & POLLHUP),
		     "the lone master does not poll POLLHUP (%#x)", p.revents);
	target_check(read(LONE, &c, 1) < 0 && errno == EIO,
		     "reading the lone master: not EIO (%s)", strerror(errno));
}

int main(int argc, char **argv)
{
	const char *mode = argc > 2 ? argv[2] : "";
	struct winsize ws = { .ws_row = 33, .ws_col = 77 };
	struct termios tio;
	int s, m;

	target_init();
	m = open_pty(&s);
	move_fd(m, MASTER);
	move_fd(s, SLAVE);
	if (tcgetattr(SLAVE, &tio))
		target_die("tcgetattr");
	tio.c_lflag |= ICANON;
	tio.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
	tio.c_cc[VINTR] = 1;
	if (tcsetattr(SLAVE, TCSANOW, &tio) || ioctl(MASTER, TIOCSWINSZ, &ws))
		target_die("setting the slave up");
	tcgetattr(SLAVE, &tio);
	m = open_pty(&s);
	close(s);
	move_fd(m, LONE);
	if (!strcmp(mode, "queued") && write(MASTER, "abc\n", 4) != 4)
		target_die("write");
	if (!strcmp(mode, "child")) {
		if (fork() == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			for (;;)
				pause();
		}
		close(SLAVE);
	}
	target_ready();
	target_wait();

	if (!strcmp(mode, "queued")) {
		char buf[8] = { 0 };
		target_check(read(SLAVE, buf, sizeof(buf) - 1) == 4 &&
			     !strcmp(buf, "abc\n"), "the queued line is not 'abc'");
	}
	if (strcmp(mode, "child"))  /* its slave is the child's alone */
		check_pair(&tio);
	check_lone();
	return target_finish();
}
