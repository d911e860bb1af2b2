/* Process-wide kernel state: signal dispositions, umask, cwd, limits. */
#include <asm/signal.h>

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

/* Last of the process-wide steps: the cwd fd is closed by place_fds later. */
void restore_process_attrs(const struct stub *st)
{
	const struct fz_process *p = st->proc;

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
