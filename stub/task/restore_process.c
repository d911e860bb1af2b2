/*
 * Process-wide kernel state after the point of no return: umask,
 * personality, cwd, limits, prctl flags; the interval timers and the
 * process-wide pending signals are started from here too.
 */
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
