/*
 * Raw x86_64 system calls for the freestanding stub.
 *
 * ABI: number in rax; arguments in rdi, rsi, rdx, r10, r8, r9; result in
 * rax, -4095..-1 meaning -errno. The `syscall` instruction clobbers rcx (return
 * address) and r11 (saved rflags); the kernel may also write memory.
 */
#ifndef FREEZE_X86_64_SYSCALL_H
#define FREEZE_X86_64_SYSCALL_H

static inline long arch_syscall6(long n, long a1, long a2, long a3, long a4,
				 long a5, long a6)
{
	long ret;
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8),
			   "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

#endif
