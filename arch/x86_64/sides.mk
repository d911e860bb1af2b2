# Which side each file of arch/x86_64/ serves; the Makefile builds from these.
#
#   freeze (hosted)   regs.c         ptrace registers and XSAVE, syscall restart
#                                    and injection, the stub's relocations
#   stub (no libc)    sigframe.c     the rt_sigframe every thread returns through
#                     stub_exit.c    entering the trampoline, thread pointers
#                     cleaner_regs.c another process's stopped thread made
#                                    to run munmap (the exit cleaner)
#                     cpu_features.c which CPU features the image needs, compared
#                     vdso_patch.c   jumps and syscalls over the old vdso's entries
#                     stub_start.S   _start, before anything is set up
#                     trampoline.S   the last code the stub runs, on its own page
#                     syscall.h      raw system calls (stub/sys.h types them)
#   both              pc.c           the program counter in fz_regs
#                     cpu_collect.c  CPUID and XCR0 of this host
#                     arch_defs.h    constants common code needs by name
ARCH_FREEZE_SRCS := regs.c
ARCH_STUB_SRCS   := sigframe.c stub_exit.c cleaner_regs.c cpu_features.c vdso_patch.c
ARCH_STUB_ASM    := stub_start.S trampoline.S
ARCH_BOTH_SRCS   := pc.c cpu_collect.c
