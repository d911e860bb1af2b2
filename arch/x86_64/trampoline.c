/*
 * The last code the stub runs, from a page of its own outside the stub: it
 * unmaps the stub and payload, then rt_sigreturn jumps into the process.
 *
 * In: rdi = start and rsi = length to unmap, rsp = the frame's sigreturn sp.
 */
#include <asm/prctl.h>
#include <asm/unistd.h>

#include "arch.h"

const uint8_t arch_trampoline[] = {
	0xb8, __NR_munmap, 0, 0, 0,        /* mov $__NR_munmap, %eax */
	0x0f, 0x05,                        /* syscall */
	0xb8, __NR_rt_sigreturn, 0, 0, 0,  /* mov $__NR_rt_sigreturn, %eax */
	0x0f, 0x05,                        /* syscall: does not return here */
	0x0f, 0x0b,                        /* ud2: a bad frame ends here */
};
const size_t arch_trampoline_len = sizeof(arch_trampoline);
_Static_assert(sizeof(arch_trampoline) == 16, "trampoline size");
_Static_assert(__NR_munmap < 256 && __NR_rt_sigreturn < 256,
	       "syscall numbers fit the imm32's low byte");

void arch_jump_trampoline(uint64_t trampoline, uint64_t sp,
			  uint64_t unmap_start, uint64_t unmap_len)
{
	__asm__ volatile("mov %0, %%rsp\n\t"
			 "jmp *%1"
			 :
			 : "r"(sp), "r"(trampoline), "D"(unmap_start),
			   "S"(unmap_len)
			 : "memory");
	__builtin_unreachable();
}

void arch_set_tls(void *tp)
{
	arch_syscall6(__NR_arch_prctl, ARCH_SET_FS, (long)tp, 0, 0,
		      0, 0);
}

long arch_set_tls_bases(const struct fz_regs *regs)
{
	long r = arch_syscall6(__NR_arch_prctl, ARCH_SET_FS,
			       (long)regs->fs_base, 0, 0, 0, 0);
	if (r < 0)
		return r;
	return arch_syscall6(__NR_arch_prctl, ARCH_SET_GS,
			     (long)regs->gs_base, 0, 0, 0, 0);
}
