/*
 * Per-process and per-thread kernel state, then the jump into the process.
 * Order matters at the end: the cwd fd is used before fds above max_fd are
 * gone, and fs_base is switched last because the stub's own TLS goes with it.
 */
#include <linux/mman.h>
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

/* Is [addr, addr+len) inside a writable private mapping of the process? */
static int writable(const struct stub *st, uint64_t addr, uint64_t len)
{
	for_each_record(&st->img, r) {
		const struct fz_mapping *m = rec_data(r);
		if (r->type == FZ_REC_MAPPING && m->kind == FZ_MAP_ANON &&
		    (m->prot & PROT_WRITE) && addr >= m->start &&
		    addr + len <= m->end)
			return 1;
	}
	return 0;
}

void restore_thread_attrs(const struct stub *st)
{
	const struct fz_process *p = st->proc;
	long ret;

	if (p->robust_list)
		sys_set_robust_list(p->robust_list, p->robust_list_len);
	if (p->rseq_len) {
		ret = sys_rseq(p->rseq_addr, p->rseq_len, 0, p->rseq_sig);
		if (ret < 0)
			warn("cannot register rseq: %s", errname(ret));
	}
	if (!p->tid_address)
		return;
	ret = sys_set_tid_address(p->tid_address);
	/*
	 * glibc keeps the thread's id at its clear_child_tid address and uses
	 * it for raise() and pthread_kill(): update it when it holds the old id.
	 */
	if (writable(st, p->tid_address, 4) &&
	    *(volatile uint32_t *)p->tid_address == (uint32_t)p->pid)
		*(volatile uint32_t *)p->tid_address = (uint32_t)ret;
}

void restore_process_attrs(const struct stub *st)
{
	const struct fz_process *p = st->proc;

	sys_prctl(PR_SET_NAME, (long)p->comm, 0, 0, 0);
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

_Noreturn void jump_to_process(const struct stub *st)
{
	const struct fz_process *p = st->proc;
	uint64_t tramp = st->params->hole_start;
	struct arch_frame_args fa = {
		.regs = st->regs,
		.xstate = st->xstate,
		.xstate_len = st->xstate ? st->xstate_len : 0,
		.host = &st->host,
		.sigmask = p->sigmask,
		.altstack_sp = p->altstack_sp,
		.altstack_size = p->altstack_size,
		.altstack_flags = p->altstack_flags,
	};
	uint64_t sp;
	long ret;

	ret = sys_mmap(tramp, FZ_PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (ret < 0)
		die("cannot map the trampoline: %s", errname(ret));
	__builtin_memcpy((void *)tramp, arch_trampoline, arch_trampoline_len);
	sys_mprotect(tramp, FZ_PAGE_SIZE, PROT_READ | PROT_EXEC);
	sp = arch_build_sigframe(&fa);
	ret = arch_set_tls_bases(st->regs);
	if (ret < 0)
		die("cannot set the thread pointer: %s", errname(ret));
	arch_jump_trampoline(tramp, sp, tramp + FZ_PAGE_SIZE,
			     st->params->hole_end - tramp - FZ_PAGE_SIZE);
}
