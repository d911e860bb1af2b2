/*
 * Process-wide kernel state after the point of no return: umask,
 * personality, cwd, limits, prctl flags, oom_score_adj; the interval
 * timers and the process-wide pending signals are started from here too,
 * and the prctl flags of each thread and MDWE are set from here, when
 * restore_threads.c asks.
 */
#include <linux/errno.h>
#include <linux/prctl.h>

#include "kernel_abi.h"
#include "print.h"
#include "sys.h"
#include "task/task.h"

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

/*
 * Anyone may raise its oom_score_adj; lowering it below what it was given
 * at the start takes CAP_SYS_RESOURCE. Without /proc nothing can be done:
 * only a value other than the default is worth a warning then.
 */
static void restore_oom_score_adj(const struct fz_process *p)
{
	long now = 0, ret;

	if (!(p->known & FZ_PROCK_OOM_SCORE_ADJ))
		return;
	ret = proc_self_read("oom_score_adj", &now);
	if (!ret && now == p->oom_score_adj)
		return;
	if (!ret)
		ret = proc_self_write("oom_score_adj", p->oom_score_adj);
	if (ret < 0 && (p->oom_score_adj || now))
		warn("cannot restore oom_score_adj %d (it is %ld here): %s%s",
		     (int)p->oom_score_adj, now, errname(ret),
		     ret == -EACCES ? ": lowering it takes CAP_SYS_RESOURCE" : "");
}

/*
 * Per thread, after its scheduling policy (which resets the timer slack of
 * a real-time thread): timer slack and machine-check kill policy.
 */
void restore_thread_prctls(const struct fz_thread *t)
{
	long ret;

	if (t->timerslack_ns &&
	    (uint64_t)sys_prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0) != t->timerslack_ns &&
	    (ret = sys_prctl(PR_SET_TIMERSLACK, (long)t->timerslack_ns, 0, 0, 0)) < 0)
		warn("thread %lu: cannot restore its timer slack of %lu ns: %s",
		     (unsigned long)t->tid, (unsigned long)t->timerslack_ns, errname(ret));
	if (sys_prctl(PR_MCE_KILL_GET, 0, 0, 0, 0) == t->mce_kill)
		return;
	ret = t->mce_kill == PR_MCE_KILL_DEFAULT ?
		      sys_prctl(PR_MCE_KILL, PR_MCE_KILL_CLEAR, 0, 0, 0) :
		      sys_prctl(PR_MCE_KILL, PR_MCE_KILL_SET, t->mce_kill, 0, 0);
	if (ret < 0)
		warn("thread %lu: cannot restore its machine-check kill policy %d: %s",
		     (unsigned long)t->tid, (int)t->mce_kill, errname(ret));
}

/*
 * Memory-deny-write-execute is sticky and forbids what the stub still
 * does until its exit area is ready (making a page executable after
 * writing it): resume_threads calls this once it no longer does.
 */
void restore_mdwe(const struct stub *st)
{
	uint32_t want = st->proc->mdwe;
	long now = sys_prctl(PR_GET_MDWE, 0, 0, 0, 0), ret;

	if (!want || now == (long)want)
		return;
	ret = sys_prctl(PR_SET_MDWE, want, 0, 0, 0);
	if (ret < 0)
		warn("cannot deny write+execute memory again (PR_SET_MDWE %u): %s",
		     want, errname(ret));
}

/*
 * membarrier registrations, which liburcu and managed runtimes make once
 * and rely on ever after: without them their barriers fail with EPERM.
 */
static void restore_membarrier(const struct fz_process *p)
{
	uint32_t regs = p->membarrier & FZ_MEMBARRIER_REGISTRATIONS;

	for (uint32_t cmd = 1; cmd <= regs; cmd <<= 1) {
		long ret = (regs & cmd) ? sys_membarrier(cmd, 0, 0) : 0;
		if (ret < 0)
			warn("cannot register for membarrier again (command %u): %s",
			     cmd, errname(ret));
	}
	if (!(p->known & FZ_PROCK_MEMBARRIER))
		warn("membarrier: whether the process registered for "
		     "GLOBAL_EXPEDITED was not known at freeze time (kernel < 6.3)");
}

/* Last of the process-wide steps: the cwd fd is closed by place_fds later. */
void restore_process_attrs(const struct stub *st)
{
	const struct fz_process *p = st->proc;

	restore_itimers(st);
	queue_pending_signals(st, FZ_SIGINFO_SHARED);
	restore_prctl_flags(p);
	restore_oom_score_adj(p);
	restore_membarrier(p);
	restore_creds(st);
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
