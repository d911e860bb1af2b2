/*
 * A UNIX socket whose path was unlinked at freeze time (or now leads to
 * another file): the process's getsockname() still names the path, so the
 * socket is bound to it again, and the path unlinked at once, as it was.
 * Its directories are made for the time of the bind if they are gone, and
 * removed again; a file that holds the path now is moved aside for the
 * time of the bind (to a name next to it) and put back, never removed.
 */
#include "lib.h"
#include "net/sockets.h"
#include "net/sys_socket.h"
#include "print.h"

#define EEXIST_ 17
#define ENOENT_ 2
#define MAX_MADE 32

struct made_dirs {
	char path[FZ_SOCK_ADDR_MAX];
	unsigned ends[MAX_MADE];  /* where each made directory's name ends */
	unsigned n;
};

/* Every missing directory above path, made 0700; which ones, in *m. */
static long make_dirs(const char *path, struct made_dirs *m)
{
	unsigned len = (unsigned)strlen(path);

	m->n = 0;
	memcpy(m->path, path, len + 1);
	for (unsigned i = 1; i < len; i++) {
		long ret;
		if (m->path[i] != '/')
			continue;
		m->path[i] = 0;
		ret = sys_mkdir(m->path, 0700);
		m->path[i] = '/';
		if (ret == -EEXIST_)
			continue;
		if (ret < 0 || m->n == MAX_MADE)
			return ret < 0 ? ret : -EEXIST_;
		m->ends[m->n++] = i;
	}
	return 0;
}

/* The directories make_dirs made, deepest first. */
static void remove_dirs(struct made_dirs *m)
{
	while (m->n) {
		unsigned end = m->ends[--m->n];
		m->path[end] = 0;
		sys_rmdir(m->path);
		m->path[end] = '/';
	}
}

/* A name next to path for what holds it now: path + ".freeze-PID". */
static int aside_name(char *out, unsigned cap, const char *path)
{
	char pid[24];
	unsigned n = (unsigned)strlen(path), p;
	long v = sys_getpid();

	p = sizeof(pid);
	pid[--p] = 0;
	do {
		pid[--p] = (char)('0' + v % 10);
		v /= 10;
	} while (v && p);
	if (n + 8 + (sizeof(pid) - 1 - p) + 1 > cap)
		return -1;
	memcpy(out, path, n);
	memcpy(out + n, ".freeze-", 8);
	memcpy(out + n + 8, pid + p, sizeof(pid) - p);
	return 0;
}

void bind_unlinked(struct stub *st, int s, const struct fz_socket *r,
		   const char *path, sock_then_fn *then)
{
	char aside[FZ_SOCK_ADDR_MAX + 32];
	struct made_dirs m;
	int moved = 0, fd = sock_fd_of(st, r->id);
	long ret = make_dirs(path, &m);

	if (ret < 0) {
		remove_dirs(&m);
		die("fd %d: cannot make the directories of %s to bind its socket: %s", fd,
		    path, errname(ret));
	}
	if (sys_file_type(path) >= 0) {
		if (aside_name(aside, sizeof(aside), path) ||
		    (ret = sys_rename_noreplace(path, aside)) < 0)
			die("fd %d: cannot bind %s: another file is there and cannot be "
			    "moved aside: %s", fd, path, errname(ret));
		moved = 1;
	}
	ret = sys_bind(s, r->addr, r->addr_len);
	if (ret >= 0 && then)
		then(st, s, r);
	if (ret >= 0)
		sys_unlink(path);
	if (moved && sys_rename_noreplace(aside, path) < 0)
		warn("fd %d: the file that was at %s is now at %s", fd, path, aside);
	remove_dirs(&m);
	if (ret < 0)
		die("fd %d: cannot bind its socket to %s again: %s", fd, path, errname(ret));
}
