/*
 * haschild: a process with a child (sleeping) and a zombie child not reaped
 * yet, for the cases of a freeze that must not drop them silently
 * (bad/children: refused, its children untouched; alone/...: --alone
 * names them). Its own check: both children are still its own, the live
 * one alive, the zombie's status still there to reap.
 */
#include "target.h"
#include <sys/wait.h>

static pid_t spawn(int exit_at_once)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (exit_at_once)
			_exit(7);
		for (;;)
			pause();
	}
	if (pid < 0)
		target_die("fork");
	return pid;
}

int main(void)
{
	pid_t live, zombie;
	siginfo_t si = { 0 };
	int status = 0;

	target_init();
	live = spawn(0);
	zombie = spawn(1);
	if (waitid(P_PID, (id_t)zombie, &si, WEXITED | WNOWAIT))
		target_die("waitid");
	target_ready();
	target_wait();
	target_check(kill(live, 0) == 0 && waitpid(live, NULL, WNOHANG) == 0,
		     "its live child %d is gone", (int)live);
	target_check(waitpid(zombie, &status, 0) == zombie && WIFEXITED(status) &&
			     WEXITSTATUS(status) == 7,
		     "its exited child %d is not there to reap with status 7", (int)zombie);
	kill(live, SIGKILL);
	waitpid(live, NULL, 0);
	return target_finish();
}
