/*
 * The exit cleaner's use of another process's stopped thread: its
 * registers as PTRACE_GETREGS gives them (struct user_regs_struct, which
 * the freestanding stub has no header for), and pointing them at one
 * system call. Only the general registers: the FPU and XSAVE state are
 * never read or written.
 */
#include <linux/ptrace.h>
#include <asm/unistd.h>

#include "arch.h"

/* The kernel's struct user_regs_struct, in its order. */
struct x86_user_regs {
	uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
	uint64_t rax, rcx, rdx, rsi, rdi, orig_rax;
	uint64_t rip, cs, eflags, rsp, ss;
	uint64_t fs_base, gs_base, ds, es, fs, gs;
};
_Static_assert(sizeof(struct x86_user_regs) == sizeof(struct arch_user_regs),
	       "arch_user_regs holds user_regs_struct");

long arch_ptrace_get_regs(int tid, struct arch_user_regs *r)
{
	return arch_syscall6(__NR_ptrace, PTRACE_GETREGS, tid, 0, (long)r, 0, 0);
}

long arch_ptrace_set_regs(int tid, const struct arch_user_regs *r)
{
	return arch_syscall6(__NR_ptrace, PTRACE_SETREGS, tid, 0, (long)r, 0, 0);
}

/*
 * Run nr(a0, a1) at the syscall instruction `insn`. orig_rax -1: the
 * thread is not in a system call the kernel could think of restarting
 * on its way back to user space, whatever rax held.
 */
void arch_regs_set_syscall(struct arch_user_regs *regs, uint64_t insn,
			   long nr, uint64_t a0, uint64_t a1)
{
	struct x86_user_regs r;

	__builtin_memcpy(&r, regs, sizeof(r));
	r.rip = insn;
	r.rax = (uint64_t)nr;
	r.orig_rax = (uint64_t)-1;
	r.rdi = a0;
	r.rsi = a1;
	__builtin_memcpy(regs, &r, sizeof(r));
}
