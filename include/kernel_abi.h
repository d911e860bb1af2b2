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
#endif
#ifndef PR_MDWE_REFUSE_EXEC_GAIN
#define PR_MDWE_REFUSE_EXEC_GAIN (1UL << 0)
#endif
#ifndef PR_SET_MEMORY_MERGE
#define PR_SET_MEMORY_MERGE 67          /* 6.4: KSM for the whole process */
#define PR_GET_MEMORY_MERGE 68
#endif

#endif
