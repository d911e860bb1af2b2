/*
 * launch - start a program and time it from the outside, for `make bench`.
 *
 *   launch REPORT -u PROG [ARGS...]      send SIGUSR1, wait for the exit
 *   launch REPORT -c NAME PROG [ARGS...] wait until /proc/PID/comm is NAME,
 *                                        then SIGKILL it
 *   launch REPORT -w PROG [ARGS...]      wait for the exit
 *
 * REPORT gets "T0 <ns>" (CLOCK_REALTIME read just before fork), and for -c
 * and -w "T1 <ns>" (comm seen / exit reaped), then "STATUS <wait status>".
 *
 * -u: SIGUSR1 is blocked before fork, so the child inherits it blocked; the
 * signal is sent right after fork and stays pending across execve and
 * through the resume stub (which blocks every signal itself) until the
 * resumed process's own mask lets it in.  No race with the shell: a signal
 * sent by `kill` right after `./image &` could hit the child before exec,
 * where SIGUSR1 still has its default action and kills it.
 *
 * -c: the stub sets the process name (PR_SET_NAME) after the memory is
 * rebuilt, just before it jumps into the process; comm is polled every
 * 50 us, so the time is an upper bound with that granularity (plus the
 * scheduling delay of this poller).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define POLL_NS 50000
#define COMM_TIMEOUT_NS (60LL * 1000000000)

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int comm_is(pid_t pid, const char *name)
{
	char path[64], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	if (buf[n - 1] == '\n')
		buf[n - 1] = 0;
	return !strcmp(buf, name);
}

int main(int argc, char **argv)
{
	const char *name = NULL;
	int mode, argi = 3, status = -1;
	int64_t t0, t1 = 0;
	sigset_t usr1, old;
	FILE *report;
	pid_t pid;

	if (argc < 4 || argv[2][0] != '-' || !strchr("ucw", argv[2][1])) {
		fprintf(stderr, "usage: launch REPORT -u|-w|-c NAME PROG [ARGS...]\n");
		return 2;
	}
	mode = argv[2][1];
	if (mode == 'c') {
		name = argv[3];
		argi = 4;
		if (argc < 5)
			return 2;
	}
	if (!(report = fopen(argv[1], "we"))) {
		perror(argv[1]);
		return 2;
	}
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &old);
	if (mode != 'u')
		sigprocmask(SIG_SETMASK, &old, NULL);

	t0 = now_ns();
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 2;
	}
	if (pid == 0) {
		execv(argv[argi], argv + argi);
		_exit(127);
	}
	if (mode == 'u')
		kill(pid, SIGUSR1);
	if (mode == 'c') {
		struct timespec ts = { 0, POLL_NS };
		int r;
		while ((r = comm_is(pid, name)) == 0 && now_ns() - t0 < COMM_TIMEOUT_NS) {
			if (waitpid(pid, &status, WNOHANG) == pid) {
				r = -2;
				break;
			}
			nanosleep(&ts, NULL);
		}
		t1 = now_ns();
		if (r != -2) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
		}
		if (r != 1)
			t1 = 0;	/* never saw the name: no time */
	} else {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		t1 = now_ns();
	}
	fprintf(report, "T0 %lld\n", (long long)t0);
	if (mode != 'u' && t1)
		fprintf(report, "T1 %lld\n", (long long)t1);
	fprintf(report, "STATUS %d\n", status);
	fclose(report);
	return 0;
}
