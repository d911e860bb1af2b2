/*
 * The leader's hand-over to the exit cleaner (exit_cleaner.c), once every
 * other thread waits in the trampoline: it sends the threads' ids and the
 * exit area, and waits until the cleaner traces them all or says it
 * cannot. Either way the threads then leave exactly as they would without
 * it: nothing here may end the stub, and no answer changes what it does.
 */
#include <linux/prctl.h>

#include "sys.h"
#include "task/exit_cleaner.h"
#include "task/task.h"

static int write_full(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		long w = sys_write(fd, p, n);
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int send_job(const struct stub *st, const long *tids)
{
	struct cleaner_job job = {
		.area = st->params->hole_start,
		.len = st->params->exit_size,
		.insn = st->params->hole_start +
			(uint64_t)(arch_trampoline_syscall - arch_trampoline_start),
		.nthreads = st->nthreads,
	};
	int32_t ids[FZ_MAX_THREADS];

	for (unsigned i = 0; i < st->nthreads; i++)
		ids[i] = (int32_t)tids[i];
	if (write_full(st->cleaner.to, &job, sizeof(job)) < 0)
		return -1;
	return write_full(st->cleaner.to, ids, st->nthreads * sizeof(ids[0]));
}

void hand_exit_to_cleaner(const struct stub *st, const long *tids)
{
	const struct stub_cleaner *c = &st->cleaner;
	long dumpable;
	char answer;

	if (!c->pid)
		return;
	/*
	 * The kernel lets a process of the same uid attach only to a dumpable
	 * one, and checks it at the attach alone: a process that is not
	 * dumpable (restore_process.c made it so again) is dumpable for the
	 * seize only. Nothing of it can be read now that could not be read
	 * from its image already.
	 */
	dumpable = sys_prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	if (dumpable == 0)
		sys_prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	if (send_job(st, tids) == 0)
		sys_read(c->from, &answer, 1);  /* CLEANER_GO, or EOF */
	if (dumpable == 0)
		sys_prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	sys_close(c->to);
	sys_close(c->from);
}
