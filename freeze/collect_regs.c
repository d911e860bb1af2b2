/* Registers and per-thread kernel state readable through ptrace. */
#include <errno.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "freeze.h"

/* Debian 12's glibc headers predate this request's struct. */
struct rseq_config {
	uint64_t rseq_abi_pointer;
	uint32_t rseq_abi_size;
	uint32_t signature;
	uint32_t flags;
	uint32_t pad;
};

static void collect_rseq(struct target *t)
{
	struct rseq_config rc = { 0 };

	/* Kernels before 5.13 lack the request: then no rseq to restore. */
	if (ptrace(0x420f /* PTRACE_GET_RSEQ_CONFIGURATION */, t->pid,
		   (void *)sizeof(rc), &rc) <= 0)
		return;
	t->proc.rseq_addr = rc.rseq_abi_pointer;
	t->proc.rseq_len = rc.rseq_abi_size;
	t->proc.rseq_sig = rc.signature;
}

int collect_regs(struct target *t)
{
	uint64_t mask;
	long head = 0;
	size_t len = 0;
	int err;

	err = arch_get_regs(t->pid, &t->live_regs);
	if (err)
		return fail(err, "process %d: reading registers", (int)t->pid);
	t->regs = t->live_regs;
	arch_prepare_restart(&t->regs, 1);
	err = arch_get_xstate(t->pid, t->xstate, sizeof(t->xstate), &t->xstate_len);
	if (err)
		return fail(err, "process %d: reading FPU/AVX state", (int)t->pid);
	if (ptrace(PTRACE_GETSIGMASK, t->pid, (void *)sizeof(mask), &mask) < 0)
		return fail(-errno, "process %d: reading the signal mask", (int)t->pid);
	t->proc.sigmask = mask;
	if (syscall(SYS_get_robust_list, t->pid, &head, &len) == 0) {
		t->proc.robust_list = (uint64_t)head;
		t->proc.robust_list_len = len;
	}
	collect_rseq(t);
	return 0;
}
