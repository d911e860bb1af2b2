/*
 * Signals after the point of no return: every disposition, and the pending
 * signals queued again. Masks come back with each thread's rt_sigreturn.
 */
#include <asm/signal.h>

#include "print.h"
#include "sys.h"
#include "task/task.h"

void restore_signals(const struct stub *st)
{
	if (!st->sigactions)
		return;
	for (int sig = 1; sig <= FZ_NSIG; sig++) {
		long ret;
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		ret = sys_rt_sigaction(sig, &st->sigactions[sig - 1], 0);
		if (ret < 0)
			warn("cannot restore the action of signal %d: %s", sig,
			     errname(ret));
	}
}

/*
 * Signals stay blocked in the stub until each thread's rt_sigreturn restores
 * its mask, so these wait, queued as they were, for the process's handlers.
 * Sent to ourselves, any si_code is accepted.
 */
void queue_pending_signals(const struct stub *st, uint32_t index)
{
	long pid = sys_getpid(), tid = sys_gettid();

	for_each_record(&st->img, r) {
		const struct fz_siginfo *s = rec_data(r);
		int sig;
		long ret;
		if (r->type != FZ_REC_SIGINFO || s->thread != index)
			continue;
		__builtin_memcpy(&sig, s->info, sizeof(sig)); /* si_signo comes first */
		ret = index == FZ_SIGINFO_SHARED
			      ? sys_rt_sigqueueinfo((int)pid, sig, s->info)
			      : sys_rt_tgsigqueueinfo((int)pid, (int)tid, sig, s->info);
		if (ret < 0)
			warn("cannot queue pending signal %d again: %s", sig,
			     errname(ret));
	}
}
