/*
 * The last code the stub runs. It is copied to a page of its own outside
 * the stub (so it must not refer to anything by rip-relative address), and
 * ends every thread's life in the stub with rt_sigreturn into the process.
 *
 * The other threads enter at arch_trampoline_other with
 *	r12 = their `arrived` word, r13 = the `go` word, rsp = sigreturn sp;
 * they say they have left the stub, then wait for go.
 * The leader enters at arch_trampoline_leader, once every other thread has
 * arrived, with rdi/rsi = the range to unmap (the stub and its payload),
 * r13 = go, rsp = its sigreturn sp, r14 = a struct prctl_mm_map whose
 * exe_fd (r15) names the process's executable, or 0; it unmaps the stub,
 * makes /proc/self/exe that file again (the kernel refuses while the image
 * is mapped: prepare_exe.c) and closes it, then releases all.
 * The words, and the signal frames rsp points at, are in the exit area
 * (stub_abi.h), the stub's own memory: nothing of the process is written.
 *
 * The page cannot unmap itself: threads run from it and read their frames
 * from it until their rt_sigreturn is over. The exit cleaner, a process of
 * the stub's own (stub/task/exit_cleaner.c), traces every thread through
 * this code and, once all are back in the process, makes one of them run
 * munmap of the whole area at arch_trampoline_syscall, then puts its
 * registers back and lets all go. Without the cleaner (it could not trace
 * them) the area stays mapped.
 */
#include <asm/unistd.h>

#define FUTEX_WAIT_PRIVATE	128
#define FUTEX_WAKE_PRIVATE	129
#define ALL_WAITERS		0x7fffffff
#define PR_SET_MM		35
#define PR_SET_MM_MAP		14
#define PRCTL_MM_MAP_SIZE	104	/* sizeof(struct prctl_mm_map) */

	.section .rodata.trampoline, "a", @progbits
	.globl	arch_trampoline_start, arch_trampoline_end
	.globl	arch_trampoline_other, arch_trampoline_leader
	.globl	arch_trampoline_syscall
arch_trampoline_start:
arch_trampoline_other:
	movl	$1, (%r12)			/* arrived: out of the stub now */
	mov	%r12, %rdi
	mov	$FUTEX_WAKE_PRIVATE, %esi
	mov	$1, %edx
	mov	$__NR_futex, %eax
	syscall
1:	cmpl	$0, (%r13)
	jne	2f
	mov	%r13, %rdi			/* futex_wait(go, 0) */
	mov	$FUTEX_WAIT_PRIVATE, %esi
	xor	%edx, %edx
	xor	%r10d, %r10d
	mov	$__NR_futex, %eax
	syscall
	jmp	1b
2:	mov	$__NR_rt_sigreturn, %eax
	syscall
	ud2					/* a bad frame kills us here */

arch_trampoline_leader:
	mov	$__NR_munmap, %eax		/* munmap(rdi, rsi) */
	syscall
	test	%r14, %r14
	jz	3f
	mov	$PR_SET_MM, %edi		/* prctl(PR_SET_MM, PR_SET_MM_MAP, */
	mov	$PR_SET_MM_MAP, %esi		/*       r14, sizeof *r14, 0) */
	mov	%r14, %rdx
	mov	$PRCTL_MM_MAP_SIZE, %r10d
	xor	%r8d, %r8d
	mov	$__NR_prctl, %eax
	syscall
	mov	%r15d, %edi			/* close(exe_fd) */
	mov	$__NR_close, %eax
	syscall
3:	movl	$1, (%r13)			/* go */
	mov	%r13, %rdi
	mov	$FUTEX_WAKE_PRIVATE, %esi
	mov	$ALL_WAITERS, %edx
	mov	$__NR_futex, %eax
	syscall
	mov	$__NR_rt_sigreturn, %eax
	syscall
	ud2

arch_trampoline_syscall:		/* the cleaner points a thread here */
	syscall
	ud2
arch_trampoline_end:

	.text
/*
 * long arch_clone_thread(flags, stack_top, fn, arg, child_tid): a new thread
 * that runs fn(arg) on stack_top; fn never returns. child_tid is the word
 * CLONE_CHILD_CLEARTID clears when the thread is gone. Returns the new tid or
 * -errno.
 */
	.globl	arch_clone_thread
	.type	arch_clone_thread, @function
arch_clone_thread:
	and	$-16, %rsi
	sub	$16, %rsi
	mov	%rdx, 0(%rsi)			/* the child pops fn and arg */
	mov	%rcx, 8(%rsi)
	xor	%edx, %edx			/* parent_tid */
	mov	%r8, %r10			/* child_tid */
	xor	%r8d, %r8d			/* tls */
	mov	$__NR_clone, %eax
	syscall
	test	%rax, %rax
	jnz	1f
	pop	%rax				/* child, on its new stack */
	pop	%rdi
	call	*%rax
	hlt
1:	ret

	.section .note.GNU-stack, "", @progbits
