/*
 * The stub's entry point. The kernel jumps here with rsp pointing at argc,
 * then argv[], NULL, envp[], NULL, auxv[]; every other register is
 * unspecified except rdx (an atexit function for dynamic executables, unused
 * by a static one).
 *
 * This code sits in .text.early, which stub/core/early.ld places first, so it is
 * on the first page of code: a truncated image may lack any later page, and
 * touching one raises SIGBUS, which early_fault turns into a message.
 * freeze writes the output's program headers behind this code (see
 * fz_early_phdrs): a file cut short anywhere before the end of the entry
 * code lacks its program headers too, and the kernel refuses to run it.
 */
#include <asm/unistd.h>

#define SIGBUS		7
#define SIGSEGV		11
#define SA_NODEFER	0x40000000
#define SA_RESTORER	0x04000000	/* x86_64 delivers no signal without one */
#define SIGSET_SIZE	8

	.section .text.early, "ax", @progbits
	.globl	_start
	.type	_start, @function
_start:
	xor	%ebp, %ebp		/* outermost frame, for debuggers */
	/* struct sigaction on the stack: handler, flags, restorer, mask */
	sub	$32, %rsp
	lea	early_fault(%rip), %rax
	mov	%rax, 0(%rsp)
	movq	$(SA_RESTORER | SA_NODEFER), 8(%rsp)
	mov	%rax, 16(%rsp)		/* never returns, so never used */
	movq	$0, 24(%rsp)
	mov	$SIGBUS, %edi
	call	set_action
	mov	$SIGSEGV, %edi
	call	set_action
	add	$32, %rsp
	mov	%rsp, %rdi		/* stub_main(initial stack) */
	and	$-16, %rsp		/* the ABI wants 16-byte alignment at a call */
	call	stub_main
	hlt				/* stub_main never returns */

/* rt_sigaction(edi, the struct at the caller's rsp, NULL, 8) */
set_action:
	lea	8(%rsp), %rsi
	xor	%edx, %edx
	mov	$SIGSET_SIZE, %r10d
	mov	$__NR_rt_sigaction, %eax
	syscall
	ret

early_fault:
	mov	$2, %edi
	lea	truncated(%rip), %rsi
	mov	$(truncated_end - truncated), %edx
	mov	$__NR_write, %eax
	syscall
	mov	$1, %edi
	mov	$__NR_exit_group, %eax
	syscall
	hlt

truncated:
	.ascii	"freeze: image is truncated or unreadable (a page of the file is missing)\n"
truncated_end:

/* Room for the output's program headers (FZ_EARLY_PHDRS of 56 bytes). */
	.balign	8
	.globl	fz_early_phdrs
	.hidden	fz_early_phdrs
fz_early_phdrs:
	.zero	16 * 56

	.text
/*
 * arch_switch_stack(top, fn, arg): run fn(arg) on the stack ending at top.
 * fn never returns, so nothing of the old stack is needed afterwards.
 */
	.globl	arch_switch_stack
	.type	arch_switch_stack, @function
arch_switch_stack:
	mov	%rdi, %rsp
	and	$-16, %rsp
	mov	%rdx, %rdi
	call	*%rsi
	hlt

	.section .note.GNU-stack, "", @progbits
