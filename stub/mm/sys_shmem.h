/*
 * Typed system calls for shared memory (memfds, SysV segments), beside
 * the common ones in sys.h. Each returns the kernel's value or -errno.
 */
#ifndef FREEZE_STUB_SYS_SHMEM_H
#define FREEZE_STUB_SYS_SHMEM_H

#include <asm/shmbuf.h>
#include <linux/ipc.h>
#include <linux/memfd.h>
#include <linux/shm.h>

#include "sys.h"

/* Newer than some installed headers (Linux 6.3). */
#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

/* memfd_create, ftruncate, fchmod: in sys.h. */
static inline long sys_shmget(int key, size_t size, int flags)
{ return SYS(shmget, key, size, flags, 0, 0, 0); }
static inline long sys_shmat(int id, uint64_t addr, int flags)
{ return SYS(shmat, id, addr, flags, 0, 0, 0); }
static inline long sys_shmdt(uint64_t addr)
{ return SYS(shmdt, addr, 0, 0, 0, 0, 0); }
/* x86_64 has one layout: IPC_STAT fills a struct shmid64_ds. */
static inline long sys_shmctl(int id, int cmd, struct shmid64_ds *ds)
{ return SYS(shmctl, id, cmd, ds, 0, 0, 0); }

#endif
