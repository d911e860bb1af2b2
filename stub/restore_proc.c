/*
 * Process-wide kernel state: signal dispositions and pending signals, interval
 * timers, umask, cwd, limits.
 */
#include <asm/signal.h>
#include <linux/prctl.h>

#include "print.h"
#include "stub.h"
#include "sys.h"

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

static void restore_itimers(const struct stub *st)
{
	for (int which = 0; st->itimers && which < FZ_NITIMERS; which++) {
		long ret = sys_setitimer(which, &st->itimers[which]);
		if (ret < 0)
			warn("cannot restore interval timer %d: %s", which,
			     errname(ret));
	}
}

static void restore_prctl_flags(const struct fz_process *p)
{
	long ret;

	if (p->dumpable <= 1 && (ret = sys_prctl(PR_SET_DUMPABLE, p->dumpable, 0, 0, 0)) < 0)
		warn("cannot restore the dumpable flag: %s", errname(ret));
	if (p->child_subreaper &&
	    (ret = sys_prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)) < 0)
		warn("cannot make the process a child subreaper again: %s",
		     errname(ret));
	/* Irreversible, and harmless to the rest of the restore: last. */
	if (p->no_new_privs &&
	    (ret = sys_prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) < 0)
		warn("cannot set no_new_privs again: %s", errname(ret));
}

/* Last of the process-wide steps: the cwd fd is closed by place_fds later. */
void restore_process_attrs(const struct stub *st)
{
	const struct fz_process *p = st->proc;

	restore_itimers(st);
	queue_pending_signals(st, FZ_SIGINFO_SHARED);
	restore_prctl_flags(p);
	sys_umask(p->umask);
	sys_personality(p->personality);
	if (st->cwd_fd >= 0)
		sys_fchdir(st->cwd_fd);
	if (!st->rlimits)
		return;
	for (int res = 0; res < FZ_NRLIMITS; res++) {
		long ret = sys_prlimit(0, res, &st->rlimits[res], 0);
		if (ret < 0)
			warn("cannot restore resource limit %d: %s", res, errname(ret));
	}
}
