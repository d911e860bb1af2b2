/*
 * Whatever happens to freeze, the target must be left as it was. The work
 * runs in a child of the freeze the user started: if that parent is killed
 * (even with SIGKILL), the child gets SIGTERM as its parent-death signal.
 * SIGINT, SIGTERM and SIGHUP stay blocked in both; the child looks for them
 * between steps (interrupted()) and then unwinds: registers put back,
 * scratch page unmapped, threads detached, temporary file removed.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/core.h"
#include "freeze.h"

static sigset_t stop_signals;

bool interrupted(void)
{
	sigset_t pending;

	if (sigpending(&pending))
		return false;
	return sigismember(&pending, SIGINT) || sigismember(&pending, SIGTERM) ||
	       sigismember(&pending, SIGHUP);
}

int check_interrupted(void)
{
	if (!interrupted())
		return 0;
	return fail(-EINTR, "interrupted by a signal (the process is left as it was)");
}

/* Returns in the child, which does the work; the parent waits and exits. */
void guard_start(void)
{
	pid_t parent = getpid(), child;
	int status;

	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGHUP);
	sigaddset(&stop_signals, SIGPIPE); /* a closed stdout: EPIPE, not death */
	sigprocmask(SIG_BLOCK, &stop_signals, NULL);
	child = fork();
	if (child < 0)
		return; /* no guard: work in this process */
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			raise(SIGTERM); /* the parent died already: stays pending */
		return;
	}
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}
