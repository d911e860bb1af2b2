/*
 * Waiting for a traced thread without the risk of waiting forever. A
 * thread can stop being ours without a report we would see: when another
 * thread of the target executes a program, the kernel releases the old
 * leader silently and gives its tid to the executing thread, which we may
 * not trace. So the wait is woken by SIGCHLD, and when nothing has come
 * for a while it looks whether the thread is still traced by us.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"
#include "freeze.h"

#define RECHECK_NS 100000000L   /* 0.1 s without news: is it still ours? */

static bool traced_by_us(pid_t tid)
{
	char name[64], buf[4096];
	const char *p;

	snprintf(name, sizeof(name), "task/%d/status", (int)tid);
	if (read_proc_file(tid, name, buf, sizeof(buf), NULL))
		return false;
	p = strstr(buf, "\nTracerPid:");
	return p && atoi(p + 11) == getpid();
}

int wait_tracee(pid_t tid, int *status)
{
	static const struct timespec recheck = { 0, RECHECK_NS };
	sigset_t chld;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	/* Blocked, so that a stop reported meanwhile wakes sigtimedwait. */
	sigprocmask(SIG_BLOCK, &chld, NULL);
	for (;;) {
		pid_t got = waitpid(tid, status, __WALL | WNOHANG);
		if (got == tid)
			return 0;
		if (got < 0 && errno != EINTR)
			return -errno;
		if (got == 0 && sigtimedwait(&chld, NULL, &recheck) < 0 &&
		    errno == EAGAIN && !traced_by_us(tid))
			return -ESRCH;
	}
}
