/*
 * Socket system calls and the constants the stub needs to rebuild sockets.
 * The kernel's uapi headers give the address structures; the socket type
 * and family numbers live only in libc headers, so they are spelled here.
 */
#ifndef FREEZE_STUB_SYS_SOCKET_H
#define FREEZE_STUB_SYS_SOCKET_H

#include <asm/socket.h>
#include <asm/stat.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/un.h>

#include "sys.h"

#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_SEQPACKET 5
#define SOCK_CLOEXEC 02000000
#define SOCK_NONBLOCK 04000
#define MSG_DONTWAIT 0x40
#define MSG_NOSIGNAL 0x4000
#define SHUT_RD 0
#define SHUT_WR 1
#define SHUT_RDWR 2
#define AT_FDCWD_ (-100)
#define AT_SYMLINK_NOFOLLOW_ 0x100
#define S_IFMT_ 0170000
#define S_IFSOCK_ 0140000

struct linger_ {
	int onoff, linger;
};

#define SCM_RIGHTS_ 1

struct iovec_ {
	const void *base;
	size_t len;
};

struct msghdr_ {
	const void *name;
	unsigned namelen;
	struct iovec_ *iov;
	size_t iovlen;
	void *control;
	size_t controllen;
	unsigned flags;
};

struct cmsghdr_ {
	size_t len;
	int level, type;
};

struct pollfd_ {
	int fd;
	short events, revents;
};

static inline long sys_socket(int family, int type, int protocol)
{ return SYS(socket, family, type, protocol, 0, 0, 0); }
static inline long sys_socketpair(int family, int type, int protocol, int sv[2])
{ return SYS(socketpair, family, type, protocol, sv, 0, 0); }
static inline long sys_bind(int s, const void *addr, unsigned len)
{ return SYS(bind, s, addr, len, 0, 0, 0); }
static inline long sys_listen(int s, int backlog)
{ return SYS(listen, s, backlog, 0, 0, 0, 0); }
static inline long sys_connect(int s, const void *addr, unsigned len)
{ return SYS(connect, s, addr, len, 0, 0, 0); }
static inline long sys_accept4(int s, int flags)
{ return SYS(accept4, s, 0, 0, flags, 0, 0); }
static inline long sys_getsockname(int s, void *addr, unsigned *len)
{ return SYS(getsockname, s, addr, len, 0, 0, 0); }
static inline long sys_setsockopt(int s, int level, int name, const void *v,
				  unsigned len)
{ return SYS(setsockopt, s, level, name, v, len, 0); }
static inline long sys_sendto(int s, const void *buf, size_t n, int flags,
			      const void *addr, unsigned len)
{ return SYS(sendto, s, buf, n, flags, addr, len); }
static inline long sys_sendmsg(int s, const struct msghdr_ *m, int flags)
{
	return SYS(sendmsg, s, m, flags, 0, 0, 0);
}
static inline long sys_shutdown(int s, int how)
{ return SYS(shutdown, s, how, 0, 0, 0, 0); }
static inline long sys_ppoll(struct pollfd_ *fds, unsigned n, const int64_t ts[2])
{ return SYS(ppoll, fds, n, ts, 0, 8, 0); }
static inline long sys_unlink(const char *path)
{ return SYS(unlink, path, 0, 0, 0, 0, 0); }
static inline long sys_chmod(const char *path, unsigned mode)
{ return SYS(chmod, path, mode, 0, 0, 0, 0); }
static inline long sys_mkdir(const char *path, unsigned mode)
{
	return SYS(mkdir, path, mode, 0, 0, 0, 0);
}
static inline long sys_rmdir(const char *path)
{
	return SYS(rmdir, path, 0, 0, 0, 0, 0);
}
#define RENAME_NOREPLACE_ 1
static inline long sys_rename_noreplace(const char *from, const char *to)
{
	return SYS(renameat2, AT_FDCWD_, from, AT_FDCWD_, to, RENAME_NOREPLACE_, 0);
}
/* The file type bits of path (not following a symlink), or -errno. */
static inline long sys_file_type(const char *path)
{
	struct stat st;
	long ret = SYS(newfstatat, AT_FDCWD_, path, &st, AT_SYMLINK_NOFOLLOW_, 0, 0);

	return ret < 0 ? ret : (long)(st.st_mode & S_IFMT_);
}

#endif
