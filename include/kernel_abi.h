/*
 * Kernel interfaces newer than the kernel headers freeze is built with
 * (Debian 12 ships those of Linux 6.1), spelled out here for the freezer
 * and the stub alike. Each is the kernel's own value; the version that
 * added it is noted.
 */
#ifndef FREEZE_KERNEL_ABI_H
#define FREEZE_KERNEL_ABI_H

/* prctl(2) */
#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65                  /* 6.3: memory-deny-write-execute */
#define PR_GET_MDWE 66
/* madvise(2), mseal(2) */
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102 /* 6.13: accesses fault (SIGSEGV) */
#define MADV_GUARD_REMOVE 103
#endif
#ifndef __NR_mseal
#define __NR_mseal 462 /* 6.10; one number on every arch */
#endif
/* PAGEMAP_SCAN's category of guard pages (6.14). */
#define FZ_PM_SCAN_GUARD (1ULL << 8)

/* membarrier(2) */
#ifndef MEMBARRIER_CMD_GET_REGISTRATIONS
#define MEMBARRIER_CMD_GET_REGISTRATIONS (1 << 9) /* 6.3 */
#endif
/* The registrations a process can hold, each a MEMBARRIER_CMD_REGISTER_*. */
#define FZ_MEMBARRIER_REGISTRATIONS ((1u << 2) | (1u << 4) | (1u << 6) | (1u << 8))

#endif
#ifndef PR_MDWE_REFUSE_EXEC_GAIN
#define PR_MDWE_REFUSE_EXEC_GAIN (1UL << 0)
/* membarrier(2) */
#ifndef MEMBARRIER_CMD_GET_REGISTRATIONS
#define MEMBARRIER_CMD_GET_REGISTRATIONS (1 << 9) /* 6.3 */
#endif
/* The registrations a process can hold, each a MEMBARRIER_CMD_REGISTER_*. */
#define FZ_MEMBARRIER_REGISTRATIONS ((1u << 2) | (1u << 4) | (1u << 6) | (1u << 8))

#endif
#ifndef PR_SET_MEMORY_MERGE
#define PR_SET_MEMORY_MERGE 67          /* 6.4: KSM for the whole process */
#define PR_GET_MEMORY_MERGE 68
/* membarrier(2) */
#ifndef MEMBARRIER_CMD_GET_REGISTRATIONS
#define MEMBARRIER_CMD_GET_REGISTRATIONS (1 << 9) /* 6.3 */
#endif
/* The registrations a process can hold, each a MEMBARRIER_CMD_REGISTER_*. */
#define FZ_MEMBARRIER_REGISTRATIONS ((1u << 2) | (1u << 4) | (1u << 6) | (1u << 8))

#endif

/* membarrier(2) */
#ifndef MEMBARRIER_CMD_GET_REGISTRATIONS
#define MEMBARRIER_CMD_GET_REGISTRATIONS (1 << 9) /* 6.3 */
#endif
/* The registrations a process can hold, each a MEMBARRIER_CMD_REGISTER_*. */
#define FZ_MEMBARRIER_REGISTRATIONS ((1u << 2) | (1u << 4) | (1u << 6) | (1u << 8))

#endif
