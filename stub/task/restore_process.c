/*
 * Process-wide kernel state after the point of no return: umask,
 * personality, cwd, limits, prctl flags, oom_score_adj; the interval
 * timers and the process-wide pending signals are started from here too.
 */
#include <linux/errno.h>
#include <linux/prctl.h>

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

/* Last of the process-wide steps: the cwd fd is closed by place_fds later. */
void restore_process_attrs(const struct stub *st)
{
	const struct fz_process *p = st->proc;

	restore_itimers(st);
	queue_pending_signals(st, FZ_SIGINFO_SHARED);
	restore_prctl_flags(p);
	restore_oom_score_adj(p);
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
