/* System calls for the anon-inode fds the stub rebuilds; see sys.h. */
#ifndef FREEZE_STUB_SYS_ANON_FDS_H
#define FREEZE_STUB_SYS_ANON_FDS_H

#include "sys.h"

static inline long sys_eventfd2(unsigned count, int flags)
{ return SYS(eventfd2, count, flags, 0, 0, 0, 0); }
static inline long sys_timerfd_create(int clock, int flags)
{ return SYS(timerfd_create, clock, flags, 0, 0, 0, 0); }
static inline long sys_timerfd_settime(int fd, int flags, const void *value)
{ return SYS(timerfd_settime, fd, flags, value, 0, 0, 0); }
static inline long sys_signalfd4(const uint64_t *mask, int flags)
{ return SYS(signalfd4, -1, mask, 8, flags, 0, 0); }
static inline long sys_inotify_init1(int flags)
{ return SYS(inotify_init1, flags, 0, 0, 0, 0, 0); }
static inline long sys_inotify_add_watch(int fd, const char *path, uint32_t mask)
{ return SYS(inotify_add_watch, fd, path, mask, 0, 0, 0); }
static inline long sys_inotify_rm_watch(int fd, int wd)
{ return SYS(inotify_rm_watch, fd, wd, 0, 0, 0, 0); }
static inline long sys_epoll_create1(int flags)
{ return SYS(epoll_create1, flags, 0, 0, 0, 0, 0); }
static inline long sys_epoll_ctl(int epfd, int op, int fd, const void *event)
{ return SYS(epoll_ctl, epfd, op, fd, event, 0, 0); }
static inline long sys_pidfd_open(long pid, unsigned flags)
{
	return SYS(pidfd_open, pid, flags, 0, 0, 0, 0);
}

#endif
