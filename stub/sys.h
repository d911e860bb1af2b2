/*
 * Typed system calls for the stub. Each returns the kernel's value: >= 0 on
 * success, -errno on failure. There is no errno and no libc.
 */
#ifndef FREEZE_STUB_SYS_H
#define FREEZE_STUB_SYS_H

#include <asm/unistd.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "kernel_abi.h" /* __NR_mseal */

#define SYS(n, a, b, c, d, e, f)                                          \
	arch_syscall6(__NR_##n, (long)(a), (long)(b), (long)(c), (long)(d), \
		      (long)(e), (long)(f))

static inline long sys_read(int fd, void *buf, size_t n)
{ return SYS(read, fd, buf, n, 0, 0, 0); }
static inline long sys_write(int fd, const void *buf, size_t n)
{ return SYS(write, fd, buf, n, 0, 0, 0); }
static inline long sys_open(const char *path, int flags, int mode)
{ return SYS(open, path, flags, mode, 0, 0, 0); }
static inline long sys_pwrite64(int fd, const void *buf, size_t n, uint64_t off)
{ return SYS(pwrite64, fd, buf, n, off, 0, 0); }
static inline long sys_ftruncate(int fd, uint64_t len)
{ return SYS(ftruncate, fd, len, 0, 0, 0, 0); }
static inline long sys_fchmod(int fd, unsigned mode)
{ return SYS(fchmod, fd, mode, 0, 0, 0, 0); }
static inline long sys_capget(void *header, void *data)
{ return SYS(capget, header, data, 0, 0, 0, 0); }
static inline long sys_fchown(int fd, unsigned uid, unsigned gid)
{ return SYS(fchown, fd, uid, gid, 0, 0, 0); }
static inline long sys_utimensat(int dirfd, const char *path, const void *times, int flags)
{ return SYS(utimensat, dirfd, path, times, flags, 0, 0); }
static inline long sys_unlinkat(int dirfd, const char *path, int flags)
{ return SYS(unlinkat, dirfd, path, flags, 0, 0, 0); }
static inline long sys_mkdirat(int dirfd, const char *path, unsigned mode)
{
	return SYS(mkdirat, dirfd, path, mode, 0, 0, 0);
}
static inline long sys_symlinkat(const char *target, int dirfd, const char *path)
{
	return SYS(symlinkat, target, dirfd, path, 0, 0, 0);
}
static inline long sys_fchmodat(int dirfd, const char *path, unsigned mode)
{
	return SYS(fchmodat, dirfd, path, mode, 0, 0, 0);
}
static inline long sys_fchownat(int dirfd, const char *path, unsigned uid, unsigned gid, int flags)
{
	return SYS(fchownat, dirfd, path, uid, gid, flags, 0);
}
static inline long sys_memfd_create(const char *name, unsigned flags)
{ return SYS(memfd_create, name, flags, 0, 0, 0, 0); }
static inline long sys_statx(int dirfd, const char *path, int flags,
			     unsigned mask, void *buf)
{ return SYS(statx, dirfd, path, flags, mask, buf, 0); }
static inline long sys_flock(int fd, int op)
{ return SYS(flock, fd, op, 0, 0, 0, 0); }
static inline long sys_mknodat(int dirfd, const char *path, unsigned mode,
				unsigned dev)
{ return SYS(mknodat, dirfd, path, mode, dev, 0, 0); }
static inline long sys_pipe2(int fds[2], int flags)
{ return SYS(pipe2, fds, flags, 0, 0, 0, 0); }
static inline long sys_close(int fd)
{ return SYS(close, fd, 0, 0, 0, 0, 0); }
static inline long sys_fstat(int fd, void *st)
{ return SYS(fstat, fd, st, 0, 0, 0, 0); }
static inline long sys_pread(int fd, void *buf, size_t n, uint64_t off)
{ return SYS(pread64, fd, buf, n, off, 0, 0); }
static inline long sys_lseek(int fd, long off, int whence)
{ return SYS(lseek, fd, off, whence, 0, 0, 0); }
static inline long sys_fcntl(int fd, int cmd, long arg)
{ return SYS(fcntl, fd, cmd, arg, 0, 0, 0); }
static inline long sys_dup3(int old, int new_fd, int flags)
{ return SYS(dup3, old, new_fd, flags, 0, 0, 0); }
static inline long sys_close_range(unsigned first, unsigned last, unsigned fl)
{ return SYS(close_range, first, last, fl, 0, 0, 0); }
static inline long sys_mmap(uint64_t addr, size_t len, int prot, int flags,
			    int fd, uint64_t off)
{ return SYS(mmap, addr, len, prot, flags, fd, off); }
static inline long sys_munmap(uint64_t addr, size_t len)
{ return SYS(munmap, addr, len, 0, 0, 0, 0); }
static inline long sys_mprotect(uint64_t addr, size_t len, int prot)
{ return SYS(mprotect, addr, len, prot, 0, 0, 0); }
static inline long sys_mremap(uint64_t old, size_t old_len, size_t new_len,
			      int flags, uint64_t new_addr)
{ return SYS(mremap, old, old_len, new_len, flags, new_addr, 0); }
static inline long sys_prctl(int op, long a, long b, long c, long d)
{ return SYS(prctl, op, a, b, c, d, 0); }
static inline long sys_mlock2(uint64_t addr, size_t len, unsigned flags)
{
	return SYS(mlock2, addr, len, flags, 0, 0, 0);
}
static inline long sys_mseal(uint64_t addr, size_t len, unsigned long flags)
{
	return SYS(mseal, addr, len, flags, 0, 0, 0);
}
static inline long sys_membarrier(unsigned cmd, unsigned flags, int cpu)
{
	return SYS(membarrier, cmd, flags, cpu, 0, 0, 0);
}
static inline long sys_prlimit(int pid, int res, const void *new_lim,
			       void *old_lim)
{ return SYS(prlimit64, pid, res, new_lim, old_lim, 0, 0); }
static inline long sys_umask(unsigned mask)
{ return SYS(umask, mask, 0, 0, 0, 0, 0); }
static inline long sys_personality(unsigned p)
{ return SYS(personality, p, 0, 0, 0, 0, 0); }
static inline long sys_fchdir(int fd)
{ return SYS(fchdir, fd, 0, 0, 0, 0, 0); }
static inline long sys_rt_sigaction(int sig, const void *act, void *old)
{ return SYS(rt_sigaction, sig, act, old, 8, 0, 0); }
static inline long sys_rt_sigprocmask(int how, const uint64_t *set,
				      uint64_t *old)
{ return SYS(rt_sigprocmask, how, set, old, 8, 0, 0); }
static inline long sys_set_robust_list(uint64_t head, size_t len)
{ return SYS(set_robust_list, head, len, 0, 0, 0, 0); }
static inline long sys_set_tid_address(uint64_t addr)
{ return SYS(set_tid_address, addr, 0, 0, 0, 0, 0); }
static inline long sys_rseq(uint64_t addr, uint32_t len, int flags,
			    uint32_t sig)
{ return SYS(rseq, addr, len, flags, sig, 0, 0); }
static inline long sys_futex(uint32_t *word, int op, uint32_t val)
{ return SYS(futex, word, op, val, 0, 0, 0); }
static inline long sys_setitimer(int which, const void *value)
{ return SYS(setitimer, which, value, 0, 0, 0, 0); }
static inline long sys_rt_sigqueueinfo(int tgid, int sig, const void *info)
{ return SYS(rt_sigqueueinfo, tgid, sig, info, 0, 0, 0); }
static inline long sys_rt_tgsigqueueinfo(int tgid, int tid, int sig,
					 const void *info)
{ return SYS(rt_tgsigqueueinfo, tgid, tid, sig, info, 0, 0); }
static inline long sys_gettid(void)
{ return SYS(gettid, 0, 0, 0, 0, 0, 0); }
static inline long sys_setpriority(int which, int who, int prio)
{ return SYS(setpriority, which, who, prio, 0, 0, 0); }
static inline long sys_sched_setscheduler(int pid, int policy, const int *prio)
{ return SYS(sched_setscheduler, pid, policy, prio, 0, 0, 0); }
static inline long sys_timer_create(int clock, const void *sev, int *id)
{ return SYS(timer_create, clock, sev, id, 0, 0, 0); }
static inline long sys_timer_delete(int id)
{ return SYS(timer_delete, id, 0, 0, 0, 0, 0); }
static inline long sys_timer_settime(int id, int flags, const void *value)
{ return SYS(timer_settime, id, flags, value, 0, 0, 0); }
static inline long sys_clock_gettime(int clock, int64_t ts[2])
{ return SYS(clock_gettime, clock, ts, 0, 0, 0, 0); }
static inline long sys_unshare(unsigned long flags)
{ return SYS(unshare, flags, 0, 0, 0, 0, 0); }
static inline long sys_setns(int fd, int type)
{ return SYS(setns, fd, type, 0, 0, 0, 0); }
static inline long sys_getuid(void)
{ return SYS(getuid, 0, 0, 0, 0, 0, 0); }
static inline long sys_geteuid(void)
{ return SYS(geteuid, 0, 0, 0, 0, 0, 0); }
static inline long sys_getgroups(int n, uint32_t *list)
{
	return SYS(getgroups, n, list, 0, 0, 0, 0);
}
static inline long sys_setgroups(size_t n, const uint32_t *list)
{
	return SYS(setgroups, n, list, 0, 0, 0, 0);
}
static inline long sys_getgid(void)
{ return SYS(getgid, 0, 0, 0, 0, 0, 0); }
static inline long sys_getpid(void)
{ return SYS(getpid, 0, 0, 0, 0, 0, 0); }
static inline long sys_ioctl(int fd, unsigned long req, void *arg)
{ return SYS(ioctl, fd, req, arg, 0, 0, 0); }
static inline long sys_kill(int pid, int sig)
{ return SYS(kill, pid, sig, 0, 0, 0, 0); }
static inline long sys_setpgid(int pid, int pgid)
{ return SYS(setpgid, pid, pgid, 0, 0, 0, 0); }
static inline long sys_clone3(void *args, size_t size)
{ return SYS(clone3, args, size, 0, 0, 0, 0); }
static inline long sys_getpgid(int pid)
{ return SYS(getpgid, pid, 0, 0, 0, 0, 0); }
static inline long sys_getsid(int pid)
{ return SYS(getsid, pid, 0, 0, 0, 0, 0); }
static inline long sys_madvise(uint64_t addr, size_t len, int advice)
{ return SYS(madvise, addr, len, advice, 0, 0, 0); }
static inline long sys_sched_getaffinity(int pid, size_t len, void *mask)
{ return SYS(sched_getaffinity, pid, len, mask, 0, 0, 0); }
static inline long sys_chdir(const char *path)
{
	return SYS(chdir, path, 0, 0, 0, 0, 0);
}
static inline long sys_setsid(void)
{
	return SYS(setsid, 0, 0, 0, 0, 0, 0);
}
/*
 * A new process, as fork() makes one (no CLONE_VM: a copy of the address
 * space, running on from here); exit_signal goes to the parent when it
 * ends (0: none, and only wait4(__WALL) sees it). 0 in the child.
 */
static inline long sys_fork_with(int exit_signal)
{
	return SYS(clone, exit_signal, 0, 0, 0, 0, 0);
}
static inline long sys_wait4(int pid, int *status, int options)
{
	return SYS(wait4, pid, status, options, 0, 0, 0);
}
/* The raw call: PEEK requests would store into data, not return it. */
static inline long sys_ptrace(long request, int pid, uint64_t addr, uint64_t data)
{
	return SYS(ptrace, request, pid, addr, data, 0, 0);
}
/* Ends the calling thread only. */
static inline _Noreturn void sys_exit_thread(int status)
{
	SYS(exit, status, 0, 0, 0, 0, 0);
	__builtin_unreachable();
}
static inline _Noreturn void sys_exit_group(int status)
{
	SYS(exit_group, status, 0, 0, 0, 0, 0);
	__builtin_unreachable();
}

#endif
