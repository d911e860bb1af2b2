/* x86_64 constants the common code needs by name. */
#ifndef FREEZE_X86_64_ARCH_DEFS_H
#define FREEZE_X86_64_ARCH_DEFS_H

#include "x86_64/syscall.h"

#define ARCH_SYSCALL_INSN_LEN 2
/* Highest user address with 4-level paging; we never place anything above. */
#define ARCH_TASK_SIZE 0x7ffffffff000UL
/* Keep the stub below where the kernel puts stacks and the mmap base. */
#define ARCH_STUB_CEILING 0x7f0000000000UL
/* musl's struct pthread: self, dtv, prev, next, sysinfo, canary, then tid. */
#define ARCH_MUSL_TID_OFFSET 48
/* glibc's pthread_mutex_t: __lock, __count, then __owner. */
#define ARCH_GLIBC_MUTEX_OWNER_OFFSET 8

/* Words of struct user_regs_struct, as PTRACE_GETREGS fills it. */
#define ARCH_USER_REGS_WORDS 27

/* The longest code written over a vdso entry point (vdso_patch.c). */
#define ARCH_VDSO_PATCH_MAX 14

#endif
