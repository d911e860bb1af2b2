/*
 * File descriptors in flight: a message queued in a UNIX socket of the
 * process carries fds (SCM_RIGHTS) nobody has received yet. The stub sends
 * the message again with fds that are the same thing: the open file of one
 * of the process's own fds (a pipe end, a socket, a file, a device), found
 * with kcmp; else a regular file reopened at its path with its flags and
 * offset, or a device such as /dev/null. Anything else is refused naming it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "freeze.h"
#include "image/image_writer.h"
#include "net/net.h"
#include "net/sockets.h"

/* Devices that mean the same thing on every host (not /dev/tty: a terminal). */
static const char *const plain_devices[] = {
	"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom",
};

/* Kinds of the process's fds whose prepared fd is its open file at resume. */
static bool sendable_kind(uint32_t kind)
{
	return kind == FZ_FD_PIPE || kind == FZ_FD_SOCKET || kind == FZ_FD_REG ||
	       kind == FZ_FD_DEVICE || kind == FZ_FD_CHARDEV || kind == FZ_FD_MEMFD;
}

/* The process's fd with the open file of freeze's fd `mine`, or NULL. */
static const struct fd_entry *held_by(const struct target *t, int mine)
{
	for (size_t i = 0; i < t->nfds; i++)
		if (syscall(SYS_kcmp, getpid(), t->pid, KCMP_FILE, mine,
			    t->fds[i].rec.fd) == 0)
			return &t->fds[i];
	return NULL;
}

static const struct fd_entry *owner_of(const struct target *t, const struct fd_entry *f)
{
	for (size_t i = 0; f->rec.kind == FZ_FD_DUP && i < t->nfds; i++)
		if (t->fds[i].rec.fd == f->rec.dup_of)
			return &t->fds[i];
	return f;
}

static bool plain_device(const char *link, const struct stat *st)
{
	struct stat now;

	for (size_t i = 0; i < sizeof(plain_devices) / sizeof(*plain_devices); i++)
		if (!strcmp(link, plain_devices[i]))
			return S_ISCHR(st->st_mode) && stat(link, &now) == 0 &&
			       S_ISCHR(now.st_mode) && now.st_rdev == st->st_rdev;
	return false;
}

static int refuse(const struct target *t, int fd, const char *what, const char *link)
{
	return fail(-ENOTSUP,
		    "process %d: fd %d: a message queued in its socket "
		    "carries %s%s: not supported",
		    (int)t->pid, fd, what, link);
}

/* One fd of the message: what the stub sends in its place. */
static int classify(const struct target *t, int fd, int mine, struct passed_fd *out)
{
	char self[64], link[FZ_PATH_MAX];
	const struct fd_entry *held = held_by(t, mine);
	struct stat st, now;
	ssize_t n;

	snprintf(self, sizeof(self), "/proc/self/fd/%d", mine);
	n = readlink(self, link, sizeof(link) - 1);
	if (n < 0 || fstat(mine, &st) < 0)
		return fail(-errno, "process %d: fd %d: an fd in flight in its socket",
			    (int)t->pid, fd);
	link[n] = 0;
	out->rec.held_fd = -1;
	if (held) {
		if (!sendable_kind(owner_of(t, held)->rec.kind))
			return refuse(t, fd,
				      "the open file of one of its own fds, of a kind "
				      "freeze does not send again (only pipes, sockets, "
				      "files, devices and memfds): ",
				      link);
		out->rec.kind = FZ_PASSED_HELD;
		out->rec.held_fd = held->rec.fd;
		return 0;
	}
	if (S_ISSOCK(st.st_mode))
		return refuse(t, fd, "a socket the process does not hold: ", link);
	if (S_ISFIFO(st.st_mode))
		return refuse(t, fd, "a pipe the process does not hold: ", link);
	if (S_ISREG(st.st_mode) &&
	    (st.st_nlink == 0 || link[0] != '/' || stat(link, &now) ||
	     now.st_ino != st.st_ino || now.st_dev != st.st_dev))
		return refuse(t, fd, "a file no path leads to any more: ", link);
	if (!S_ISREG(st.st_mode) && !plain_device(link, &st))
		return refuse(t, fd, "an fd on ", link);
	out->rec.kind = S_ISREG(st.st_mode) ? FZ_PASSED_FILE : FZ_PASSED_DEVICE;
	out->rec.flags = (uint32_t)fcntl(mine, F_GETFL) & ~(uint32_t)O_CLOEXEC;
	out->rec.pos = S_ISREG(st.st_mode) ? (uint64_t)lseek(mine, 0, SEEK_CUR) : 0;
	if (!(out->path = strdup(link)))
		return fail(-ENOMEM, "collecting sockets");
	out->rec.path_len = (uint32_t)n + 1;
	return 0;
}

int collect_passed(struct target *t, struct socket_entry *e, int fd, uint32_t at,
		   uint32_t len, const int *fds, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct passed_fd p = { .rec = { .socket_id = e->rec.id, .at = at, .len = len } };
		int err = classify(t, fd, fds[i], &p);
		if (!err && (err = append_item(&e->passed, &e->npassed, sizeof(p), &p)))
			err = fail(err, "collecting sockets");
		if (err) {
			free(p.path);
			return err;
		}
	}
	return 0;
}

/*
 * The stub sends a queue again from the other end of a socketpair or from
 * a socket of its own to the socket's name: one without a name, or one a
 * TCP connection (no fds there anyway), cannot get its fds back.
 */
int check_passed_states(const struct target *t)
{
	for (size_t i = 0; i < t->nsockets; i++) {
		const struct socket_entry *e = &t->sockets[i];
		uint32_t st = e->rec.state;
		if (!e->npassed || st == FZ_SOCK_PAIR || st == FZ_SOCK_PEER_GONE ||
		    ((st == FZ_SOCK_BOUND || st == FZ_SOCK_CONNECTED) &&
		     e->rec.addr_len > sizeof(sa_family_t)))
			continue;
		return fail(-ENOTSUP,
			    "process %d: fd %d: a message queued in its socket "
			    "carries fds, and nothing can send them to it again (it has "
			    "no name): not supported",
			    (int)t->pid, e->fd);
	}
	return 0;
}

int write_passed_fds(const struct target *t, struct image_writer *w)
{
	int err = 0;

	for (size_t i = 0; !err && i < t->nsockets; i++)
		for (size_t j = 0; !err && j < t->sockets[i].npassed; j++) {
			const struct passed_fd *p = &t->sockets[i].passed[j];
			err = iw_record(w, FZ_REC_PASSED_FD, &p->rec, sizeof(p->rec),
					p->path, p->rec.path_len);
		}
	return err;
}
