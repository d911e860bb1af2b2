/*
 * The stub's entry point. The kernel jumps here with rsp pointing at argc,
 * then argv[], NULL, envp[], NULL, auxv[]; every other register is
 * unspecified except rdx (an atexit function for dynamic executables, unused
 * by a static one).
 */
	.text
	.globl	_start
	.type	_start, @function
_start:
	xor	%ebp, %ebp		/* outermost frame, for debuggers */
	mov	%rsp, %rdi		/* stub_main(initial stack) */
	and	$-16, %rsp		/* the ABI wants 16-byte alignment at a call */
	call	stub_main
	hlt				/* stub_main never returns */

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
