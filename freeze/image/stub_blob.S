/* The resume stub, built from stub/ by the Makefile, carried inside freeze. */
	.section .rodata
	.globl	stub_blob
	.globl	stub_blob_end
	.balign	16
stub_blob:
	.incbin	STUB_ELF
stub_blob_end:
	.section .note.GNU-stack, "", @progbits
