/* Leaving the stub: entering the trampoline (trampoline.S), thread pointers. */
#include <asm/prctl.h>
#include <asm/unistd.h>

#include "arch.h"

void arch_enter_trampoline_other(uint64_t entry, uint64_t sp,
				 uint32_t *arrived, uint32_t *go)
{
	register uint32_t *r12 __asm__("r12") = arrived;
	register uint32_t *r13 __asm__("r13") = go;

	__asm__ volatile("mov %0, %%rsp\n\t"
			 "jmp *%1"
			 :
			 : "r"(sp), "r"(entry), "r"(r12), "r"(r13)
			 : "memory");
	__builtin_unreachable();
}

void arch_enter_trampoline_leader(uint64_t entry, uint64_t sp,
				  uint64_t unmap_start, uint64_t unmap_len,
				  uint32_t *go, const void *exe_map, int exe_fd)
{
	register uint32_t *r13 __asm__("r13") = go;
	register const void *r14 __asm__("r14") = exe_map;
	register long r15 __asm__("r15") = exe_fd;

	__asm__ volatile("mov %0, %%rsp\n\t"
			 "jmp *%1"
			 :
			 : "r"(sp), "r"(entry), "D"(unmap_start),
			   "S"(unmap_len), "r"(r13), "r"(r14), "r"(r15)
			 : "memory");
	__builtin_unreachable();
}

void arch_set_tls(void *tp)
{
	arch_syscall6(__NR_arch_prctl, ARCH_SET_FS, (long)tp, 0, 0, 0, 0);
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
