/*
 * x86_64 registers for the freezer: ptrace access, syscall restart and
 * syscall injection.
 *
 * Syscall ABI: number in rax, arguments in rdi, rsi, rdx, r10, r8, r9; the
 * result comes back in rax; the kernel clobbers rcx and r11. orig_rax holds
 * the number of the syscall a stopped thread is in (-1 outside one).
 */
#include <elf.h>
#include <errno.h>
#include <stddef.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>

#include "arch.h"

_Static_assert(sizeof(struct user_regs_struct) == sizeof(struct fz_regs),
	       "fz_regs mirrors user_regs_struct");
_Static_assert(offsetof(struct user_regs_struct, rip) ==
		       offsetof(struct fz_regs, rip),
	       "fz_regs mirrors user_regs_struct");

/* Kernel-internal errnos a syscall leaves in rax when a stop interrupts it. */
#define ERESTARTSYS 512
#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514
#define ERESTART_RESTARTBLOCK 516
#define NR_restart_syscall 219

const uint8_t arch_syscall_insn[ARCH_SYSCALL_INSN_LEN] = { 0x0f, 0x05 };

int arch_get_regs(int tid, struct fz_regs *regs)
{
	if (ptrace(PTRACE_GETREGS, tid, NULL, regs) < 0)
		return -errno;
	return 0;
}

int arch_set_regs(int tid, const struct fz_regs *regs)
{
	if (ptrace(PTRACE_SETREGS, tid, NULL, regs) < 0)
		return -errno;
	return 0;
}

int arch_get_xstate(int tid, void *buf, size_t cap, size_t *len)
{
	struct iovec iov = { .iov_base = buf, .iov_len = cap };

	if (ptrace(PTRACE_GETREGSET, tid, (void *)NT_X86_XSTATE, &iov) < 0)
		return -errno;
	*len = iov.iov_len;
	return 0;
}

void arch_prepare_restart(struct fz_regs *regs, int in_new_process)
{
	if ((int64_t)regs->orig_rax < 0)
		return;
	switch ((int64_t)regs->rax) {
	case -ERESTARTSYS:
	case -ERESTARTNOINTR:
	case -ERESTARTNOHAND:
		regs->rax = regs->orig_rax;
		break;
	case -ERESTART_RESTARTBLOCK:
		/*
		 * restart_syscall needs the kernel's restart block of this
		 * thread; a new process has none, so it re-issues the call
		 * itself (a relative sleep then starts over).
		 */
		regs->rax = in_new_process ? regs->orig_rax : NR_restart_syscall;
		break;
	default:
		return;
	}
	regs->rip -= ARCH_SYSCALL_INSN_LEN;
	regs->orig_rax = (uint64_t)-1;
}

void arch_inject_setup(struct fz_regs *regs, uint64_t insn, long nr,
		       const uint64_t args[6])
{
	regs->rip = insn;
	regs->rax = (uint64_t)nr;
	/* Not inside a syscall, so the kernel does not try to restart one. */
	regs->orig_rax = (uint64_t)-1;
	regs->rdi = args[0];
	regs->rsi = args[1];
	regs->rdx = args[2];
	regs->r10 = args[3];
	regs->r8 = args[4];
	regs->r9 = args[5];
}

long arch_syscall_result(const struct fz_regs *regs)
{
	return (long)regs->rax;
}

int arch_apply_reloc(uint32_t type, uint8_t *where, uint64_t base,
		     int64_t addend)
{
	uint64_t value = base + (uint64_t)addend;

	if (type != R_X86_64_RELATIVE)
		return -EINVAL;
	__builtin_memcpy(where, &value, sizeof(value));
	return 0;
}
