/* Each thread's registers and the kernel state ptrace can read for it. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "freeze.h"
#include "task/task.h"


/* glibc has the request number, not its result struct. */
struct rseq_config {
	uint64_t rseq_abi_pointer;
	uint32_t rseq_abi_size;
	uint32_t signature;
	uint32_t flags;
	uint32_t pad;
};

static void collect_rseq(struct thread *th)
{
	struct rseq_config rc = { 0 };

	/* Kernels before 5.13 lack the request: then no rseq to restore. */
	if (ptrace(PTRACE_GET_RSEQ_CONFIGURATION, th->tid, (void *)sizeof(rc),
		   &rc) <= 0)
		return;
	th->rec.rseq_addr = rc.rseq_abi_pointer;
	th->rec.rseq_len = rc.rseq_abi_size;
	th->rec.rseq_sig = rc.signature;
}

static void collect_comm(pid_t pid, struct thread *th)
{
	char name[64];

	snprintf(name, sizeof(name), "task/%d/comm", (int)th->tid);
	if (read_proc_file(pid, name, th->rec.comm, sizeof(th->rec.comm), NULL))
		return;
	th->rec.comm[strcspn(th->rec.comm, "\n")] = 0;
}

/* Scheduling: nice (field 19 of the thread's stat), policy and priority. */
static void collect_sched(pid_t pid, struct thread *th)
{
	char name[64], buf[1024];
	struct sched_param sp = { 0 };
	const char *p;
	int policy;

	snprintf(name, sizeof(name), "task/%d/stat", (int)th->tid);
	if (!read_proc_file(pid, name, buf, sizeof(buf), NULL) &&
	    (p = strrchr(buf, ')')))
		sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u "
			      "%*d %*d %*d %d", &th->rec.nice);
	policy = sched_getscheduler(th->tid);
	if (policy >= 0 && sched_getparam(th->tid, &sp) == 0) {
		th->rec.sched_policy = (uint32_t)policy;
		th->rec.sched_priority = (uint32_t)sp.sched_priority;
	}
}

static int collect_thread(pid_t pid, struct thread *th)
{
	uint8_t *xstate = malloc(XSTATE_MAX);
	size_t xlen = 0;
	uint64_t mask;
	long head = 0;
	size_t len = 0;
	int err;

	if (!xstate)
		return fail(-ENOMEM, "thread %d", (int)th->tid);
	th->xstate = xstate;
	th->rec.tid = (uint64_t)th->tid;
	err = arch_get_regs(th->tid, &th->live_regs);
	if (err)
		return fail(err, "thread %d: reading registers", (int)th->tid);
	th->rec.regs = th->live_regs;
	arch_prepare_restart(&th->rec.regs, 1);
	err = arch_get_xstate(th->tid, xstate, XSTATE_MAX, &xlen);
	if (err)
		return fail(err, "thread %d: reading FPU/AVX state", (int)th->tid);
	th->rec.xstate_len = (uint32_t)xlen;
	if (ptrace(PTRACE_GETSIGMASK, th->tid, (void *)sizeof(mask), &mask) < 0)
		return fail(-errno, "thread %d: reading the signal mask", (int)th->tid);
	th->rec.sigmask = mask;
	if (syscall(SYS_get_robust_list, th->tid, &head, &len) == 0) {
		th->rec.robust_list = (uint64_t)head;
		th->rec.robust_list_len = len;
	}
	collect_rseq(th);
	collect_comm(pid, th);
	collect_sched(pid, th);
	return 0;
}

int collect_threads(struct target *t)
{
	for (size_t i = 0; i < t->nthreads; i++) {
		int err = collect_thread(t->pid, &t->threads[i]);
		if (err)
			return err;
	}
	return 0;
}
