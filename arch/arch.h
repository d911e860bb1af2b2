/*
 * The closed list of per-architecture hooks. Common code includes only this
 * header; the architecture is chosen here and nowhere else. Hooks are
 * grouped by the side that calls them: freeze (hosted), the stub
 * (freestanding: no libc) or both. Which file of arch/<arch>/ serves which
 * side is listed in arch/<arch>/sides.mk, which the Makefile reads.
 */
#ifndef FREEZE_ARCH_H
#define FREEZE_ARCH_H

#include <stddef.h>
#include <stdint.h>
#include "image.h"

#if defined(__x86_64__)
#include "x86_64/arch_defs.h"
#else
#error "freeze: unsupported architecture"
#endif

/* --- freeze side (hosted) ------------------------------------------------ */

/* Registers of a ptrace-stopped thread. 0 or -errno. */
int arch_get_regs(int tid, struct fz_regs *regs);
int arch_set_regs(int tid, const struct fz_regs *regs);
/* The XSAVE area into buf (cap bytes); *len gets its size. 0 or -errno. */
int arch_get_xstate(int tid, void *buf, size_t cap, size_t *len);

/*
 * A thread stopped inside an interrupted syscall: rewrite regs so that it
 * re-issues the call when it runs again. `in_new_process` says the regs
 * will run in a fresh process, where the kernel's restart block is gone.
 */
void arch_prepare_restart(struct fz_regs *regs, int in_new_process);


/* Point regs at the syscall instruction at `insn` to run nr(args). */
void arch_inject_setup(struct fz_regs *regs, uint64_t insn, long nr,
		       const uint64_t args[6]);
long arch_syscall_result(const struct fz_regs *regs);
/* The bytes of one syscall instruction, to find one in the target. */
extern const uint8_t arch_syscall_insn[ARCH_SYSCALL_INSN_LEN];

/* Where this CPU puts each XSAVE component enabled in xcr0. */
void arch_xsave_layout(uint64_t xcr0, struct fz_xsave_layout *layout);

/* Apply one dynamic relocation of the stub loaded at `base`. 0 or -EINVAL. */
int arch_apply_reloc(uint32_t type, uint8_t *where, uint64_t base,
		     int64_t addend);

/* --- both sides ----------------------------------------------------------- */

/* The program counter in regs (pc.c). */
uint64_t arch_pc(const struct fz_regs *regs);
void arch_set_pc(struct fz_regs *regs, uint64_t pc);

/* The CPU features user space can use on this host. */
void arch_cpu_collect(struct fz_cpu *cpu);

/* --- stub side (freestanding) -------------------------------------------- */

/* Names of CPU features the host lacks, one call per missing feature. */
typedef void (*arch_missing_fn)(const char *name, void *ctx);
int arch_cpu_missing(const struct fz_cpu *have, const struct fz_cpu *need,
		     arch_missing_fn report, void *ctx);
void arch_cpu_describe(const struct fz_cpu *cpu, arch_missing_fn each,
		       void *ctx);
/* The name of each XSAVE component in mask. */
void arch_xstate_describe(uint64_t mask, arch_missing_fn each, void *ctx);
/* The components a thread's XSAVE area (as recorded) has in use. */
uint64_t arch_xstate_in_use(const void *xstate, size_t len);


/* Give the stub a thread pointer: liblz4 reads its stack canary through it. */
void arch_set_tls(void *tp);
/* Run fn(arg) on the stack that ends at top. */
_Noreturn void arch_switch_stack(void *top, void (*fn)(void *), void *arg);
/* Set fs_base/gs_base from regs for the calling thread. 0 or -errno. */
long arch_set_tls_bases(const struct fz_regs *regs);

/* What the final jump needs: the frame rt_sigreturn restores from. */
struct arch_frame_args {
	const struct fz_regs *regs;
	const void *xstate;          /* as the freezer read it */
	size_t xstate_len;
	const struct fz_cpu *host;   /* XSAVE components the host has */
	uint64_t frame_top;          /* the frame is built below this address,
					in memory of the stub's own */
	const struct fz_xsave_layout *layout; /* of xstate; NULL: the host's */
	uint64_t sigmask;
	uint64_t altstack_sp, altstack_size;
	uint32_t altstack_flags;
};
/*
 * Write an rt_sigframe below a->frame_top and return the stack pointer
 * rt_sigreturn must see. arch_sigframe_room(): the most bytes below
 * frame_top a frame takes on this host.
 */
uint64_t arch_build_sigframe(const struct arch_frame_args *a);
uint64_t arch_sigframe_room(const struct fz_cpu *host);

/*
 * The trampoline (trampoline.S): code copied to a page of its own, where
 * each thread leaves the stub through rt_sigreturn. The other threads enter
 * first and wait; the leader enters last, unmaps the stub, releases them.
 * The page itself is unmapped from outside, by the exit cleaner.
 */
extern const uint8_t arch_trampoline_start[], arch_trampoline_end[];
extern const uint8_t arch_trampoline_other[], arch_trampoline_leader[];
/* A bare system call instruction in it, for the exit cleaner. */
extern const uint8_t arch_trampoline_syscall[];
_Noreturn void arch_enter_trampoline_other(uint64_t entry, uint64_t sp,
					   uint32_t *arrived, uint32_t *go);
_Noreturn void arch_enter_trampoline_leader(uint64_t entry, uint64_t sp,
					    uint64_t unmap_start,
					    uint64_t unmap_len, uint32_t *go,
					    const void *exe_map, int exe_fd);

/*
 * The exit cleaner (cleaner_regs.c): a thread of another process, stopped
 * under its ptrace, has its registers saved, made to run nr(a0, a1) at the
 * system call instruction insn, and put back. 0 or -errno.
 */
struct arch_user_regs {
	uint64_t w[ARCH_USER_REGS_WORDS];
};
long arch_ptrace_get_regs(int tid, struct arch_user_regs *regs);
long arch_ptrace_set_regs(int tid, const struct arch_user_regs *regs);
void arch_regs_set_syscall(struct arch_user_regs *regs, uint64_t insn, long nr,
			   uint64_t a0, uint64_t a1);

/*
 * The vdso redirect (vdso_patch.c): code written over an entry point of
 * the old vdso, at most ARCH_VDSO_PATCH_MAX bytes. A jump to target, or
 * the system call the vdso function `name` stands for (-ENOSYS if none).
 */
unsigned arch_vdso_jump(uint8_t *at, uint64_t target);
unsigned arch_vdso_fallback(uint8_t *at, const char *name);
/* The system call vdso function `name` stands for, or -1. */
long arch_vdso_syscall_nr(const char *name);
/* Map the host's vvar+vdso block with its vvar at addr. 0 or -errno. */
long arch_map_vdso(uint64_t addr);

/*
 * A new thread in this process running fn(arg) on stack_top. child_tid: the
 * word CLONE_CHILD_CLEARTID clears, or NULL. tid or -errno.
 */
long arch_clone_thread(unsigned long flags, void *stack_top,
		       void (*fn)(void *), void *arg, uint32_t *child_tid);

#endif
