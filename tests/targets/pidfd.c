/*
 * pidfd: pidfds of the process itself, which must name the resumed process
 * (its pid changes at resume):
 *   fd 10  pidfd_open(getpid(), 0)
 *   fd 11  with PIDFD_NONBLOCK
 *   fd 12  with PIDFD_THREAD, where the kernel has it (6.9+)
 * argv[2] = "other": fd 13 is a pidfd of its parent, which freeze refuses
 * (bad/pidfd-other).
 */
#include "target.h"
#include <fcntl.h>
#include <sys/syscall.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#define PIDFD_THREAD O_EXCL

static int thread_fd = -1;

static int pidfd_at(pid_t pid, unsigned flags, int at)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, flags);

	if (fd < 0)
		return -1;
	if (dup2(fd, at) != at)
		target_die("dup2");
	close(fd);
	return at;
}

/* The "Pid:" and "flags:" lines of fd's fdinfo. */
static void fdinfo(int fd, long *pid, unsigned long *flags)
{
	char path[64], buf[512] = { 0 }, *s;
	FILE *f;

	*pid = 0;
	*flags = 0;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (!(f = fopen(path, "r")))
		return;
	fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	if ((s = strstr(buf, "\nPid:")))
		*pid = strtol(s + 5, NULL, 10);
	if ((s = strstr(buf, "flags:")))
		*flags = strtoul(s + 6, NULL, 8);
}

static void check(int fd, unsigned flags)
{
	unsigned long now;
	long pid;

	fdinfo(fd, &pid, &now);
	target_check(pid == getpid(), "fd %d is a pidfd of %ld, not of itself (%d)",
		     fd, pid, (int)getpid());
	target_check((now & (O_NONBLOCK | O_EXCL)) == flags,
		     "fd %d has flags %#lo, wanted %#o", fd, now & (O_NONBLOCK | O_EXCL),
		     flags);
	target_check(syscall(SYS_pidfd_send_signal, fd, 0, NULL, 0) == 0,
		     "pidfd_send_signal(fd %d, 0): %s", fd, strerror(errno));
}

int main(int argc, char **argv)
{
	target_init();
	if (pidfd_at(getpid(), 0, 10) < 0) {
		if (errno == ENOSYS)
			target_skip("no pidfd_open");
		target_die("pidfd_open");
	}
	if (pidfd_at(getpid(), O_NONBLOCK, 11) < 0)
		target_die("pidfd_open(PIDFD_NONBLOCK)");
	thread_fd = pidfd_at(getpid(), PIDFD_THREAD, 12);
	if (argc > 2 && !strcmp(argv[2], "other") && pidfd_at(getppid(), 0, 13) < 0)
		target_die("pidfd_open(parent)");
	target_ready();
	target_wait();

	check(10, 0);
	check(11, O_NONBLOCK);
	if (thread_fd >= 0)
		check(12, O_EXCL);
	return target_finish();
}
