/*
 * The target's file descriptors. Each is recorded in a form the stub can
 * rebuild, or refused with a message naming it (or, when asked, replaced by
 * /dev/null with a warning): never dropped silently.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fds/fds.h"
#include "freeze.h"
#include "mm/mm.h"
#include "net/net.h"
#include "tty/tty.h"

/* Character devices that mean the same thing on every host. */
static const char *const portable_devices[] = {
	"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom",
	"/dev/tty",
};

struct fd_probe {
	int fd;
	char link[FZ_PATH_MAX];
	struct stat st;
	uint64_t pos;
	uint32_t flags;
};

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static int list_fds(pid_t pid, int **out, size_t *n)
{
	char path[64];
	struct dirent *e;
	size_t cap = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (!d)
		return -errno;
	*n = 0;
	*out = NULL;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (*n == cap) {
			int *g = realloc(*out, (cap = cap ? cap * 2 : 64) * sizeof(int));
			if (!g) {
				closedir(d);
				return -ENOMEM;
			}
			*out = g;
		}
		(*out)[(*n)++] = atoi(e->d_name);
	}
	closedir(d);
	qsort(*out, *n, sizeof(int), cmp_int);
	return 0;
}

static int probe(pid_t pid, int fd, struct fd_probe *p)
{
	char path[64], info[512], *s;
	ssize_t n;
	int err;

	p->fd = fd;
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	n = readlink(path, p->link, sizeof(p->link) - 1);
	if (n < 0 || stat(path, &p->st) < 0)
		return -errno;
	p->link[n] = 0;
	snprintf(path, sizeof(path), "fdinfo/%d", fd);
	err = read_proc_file(pid, path, info, sizeof(info), NULL);
	if (err)
		return err;
	s = strstr(info, "pos:");
	p->pos = s ? strtoull(s + 4, NULL, 10) : 0;
	s = strstr(info, "flags:");
	p->flags = s ? (uint32_t)strtoul(s + 6, NULL, 8) : 0;
	return 0;
}

static bool is_portable_device(const char *path)
{
	for (size_t i = 0; i < sizeof(portable_devices) / sizeof(*portable_devices); i++)
		if (!strcmp(path, portable_devices[i]))
			return true;
	return false;
}

/* Terminals: virtual consoles and serial lines (4), tty/console (5), ptys. */
static bool isatty_dev(dev_t rdev)
{
	unsigned maj = major(rdev);

	return maj == 4 || maj == 5 || (maj >= 136 && maj <= 143);
}

/*
 * A terminal device that is not the process's terminal, such as
 * /dev/console or /dev/ttyS0, at a path that still leads to it: it is
 * reopened there (its settings are the device's own). Other devices keep
 * state of their own (a tun interface, a fuse connection, ...) that a new
 * open would not have.
 */
static bool is_reopenable_device(const struct fd_probe *p)
{
	struct stat now;

	return S_ISCHR(p->st.st_mode) && isatty_dev(p->st.st_rdev) &&
	       !is_pty_master(&p->st) && !strncmp(p->link, "/dev/", 5) &&
	       stat(p->link, &now) == 0 && S_ISCHR(now.st_mode) &&
	       now.st_rdev == p->st.st_rdev;
}

static const char *kind_name(const struct fd_probe *p)
{
	if (S_ISSOCK(p->st.st_mode))
		return "socket";
	if (S_ISFIFO(p->st.st_mode))
		return "pipe whose other end another process holds";
	if (S_ISDIR(p->st.st_mode))
		return "directory";
	if (S_ISCHR(p->st.st_mode))
		return "character device";
	if (!strncmp(p->link, "anon_inode:", 11))
		return p->link + 11;
	if (S_ISREG(p->st.st_mode))
		return "deleted file";
	return "special file";
}

/*
 * A terminal the process talks to (not /dev/tty, /dev/console or a pty
 * master, all major 5): collect_tty.c records it.
 */
static bool is_terminal(const struct fd_probe *p)
{
	return S_ISCHR(p->st.st_mode) && isatty_dev(p->st.st_rdev) &&
	       major(p->st.st_rdev) != 5;
}

/* A standard stream to the outside: the resumer's own fd stands in for it. */
static bool is_outside_stream(const struct fd_probe *p)
{
	return p->fd <= 2 && (S_ISFIFO(p->st.st_mode) || S_ISSOCK(p->st.st_mode) ||
			      (S_ISCHR(p->st.st_mode) && isatty_dev(p->st.st_rdev)));
}

/* A FIFO opened by a path that still leads to it. */
static bool is_named_fifo(const struct fd_probe *p)
{
	size_t n = strlen(p->link);

	return S_ISFIFO(p->st.st_mode) && p->link[0] == '/' &&
	       !(n > 10 && !strcmp(p->link + n - 10, " (deleted)"));
}

/*
 * A pipe (or FIFO) with a read end and a write end among the process's
 * fds: an O_RDWR end of a FIFO is both.
 */
static bool is_inner_pipe(const struct fd_probe *probes, size_t n, size_t i)
{
	bool reader = false, writer = false;

	if (!S_ISFIFO(probes[i].st.st_mode))
		return false;
	for (size_t j = 0; j < n; j++) {
		if (probes[j].st.st_ino != probes[i].st.st_ino ||
		    probes[j].st.st_dev != probes[i].st.st_dev)
			continue;
		reader |= (probes[j].flags & O_ACCMODE) != O_WRONLY;
		writer |= (probes[j].flags & O_ACCMODE) != O_RDONLY;
	}
	return reader && writer;
}

/*
 * A file of a /proc/PID directory: the process's own (PID its pid) is
 * recorded as /proc/self/..., which resumes as the resumed process's own
 * file; another process's (or a thread's, whose id changes) is refused.
 * 1 when p is such a file, 0 when not, or -errno.
 */
static int classify_proc(pid_t pid, const struct fd_probe *p, struct fd_entry *e)
{
	const char *rest;
	char *end;
	long n;

	if (strncmp(p->link, "/proc/", 6) || !S_ISREG(p->st.st_mode))
		return 0;
	n = strtol(p->link + 6, &end, 10);
	if (end == p->link + 6 || *end != '/')
		return 0;
	rest = end;
	/* A thread's own files (/proc/PID/task/TID/...): its id changes. */
	if (n != pid || !strncmp(rest, "/task/", 6))
		return fail(-ENOTSUP, "process %d: fd %d is on %s, a file of another "
			    "process or thread: not supported", (int)pid, p->fd, p->link);
	if (asprintf(&e->path, "/proc/self%s", rest) < 0) {
		e->path = NULL;
		return -ENOMEM;
	}
	e->rec.kind = FZ_FD_PROC;
	return 1;
}

/*
 * An fd freeze cannot bring back: refused with a message saying what it is
 * (`what`, or its kind and link), or /dev/null if asked.
 */
static int unsupported(const struct options *o, pid_t pid, const struct fd_probe *p,
		       struct fd_entry *e, const char *what)
{
	char kind[FZ_PATH_MAX + 128];

	if (what)
		snprintf(kind, sizeof(kind), "%s", what);
	else
		snprintf(kind, sizeof(kind), "a %s (%s)", kind_name(p), p->link);
	if (o->unsupported_fds == FD_TO_NULL) {
		warning("fd %d (%s) will be /dev/null after resume", p->fd, kind);
		free(e->path);
		e->path = NULL;
		e->rec.kind = FZ_FD_NULL;
		return 0;
	}
	return fail(-ENOTSUP,
		    "process %d: fd %d is %s: not supported yet "
		    "(--unsupported-fds=null replaces such fds by /dev/null)",
		    (int)pid, p->fd, kind);
}

/*
 * A pidfd: of the process itself (or, with PIDFD_THREAD, of its leader
 * thread), it is opened on the resumed process's pid. A pidfd of another
 * process or thread cannot follow: that process is not in the image, and
 * thread ids change.
 */
static int classify_pidfd(pid_t pid, const struct options *o,
			  const struct fd_probe *p, struct fd_entry *e)
{
	char name[64], info[512], what[160];
	long of = 0;
	int err;

	snprintf(name, sizeof(name), "fdinfo/%d", p->fd);
	if ((err = read_proc_file(pid, name, info, sizeof(info), NULL)) ||
	    (err = status_field(info, "\nPid:", &of)))
		return fail(err, "process %d: fd %d: reading its pidfd", (int)pid, p->fd);
	if (of == pid) {
		e->rec.kind = FZ_FD_PIDFD;
		return 0;
	}
	snprintf(name, sizeof(name), "task/%ld/stat", of);
	if (of <= 0)
		snprintf(what, sizeof(what), "a pidfd of a process that has ended");
	else if (read_proc_file(pid, name, info, sizeof(info), NULL) == 0)
		snprintf(what, sizeof(what),
			 "a pidfd of its thread %ld (thread ids "
			 "change at resume)",
			 of);
	else
		snprintf(what, sizeof(what),
			 "a pidfd of process %ld, which is not in "
			 "the image",
			 of);
	return unsupported(o, pid, p, e, what);
}

/*
 * One end of a pipe or FIFO, the other end open nowhere: reads see EOF,
 * writes EPIPE, and the stub keeps it so by closing the end it makes and
 * no fd takes. The kernel tells: a read end without writers polls POLLHUP
 * (a FIFO's only once a writer came and went, so an empty one is asked by
 * tee(), which returns 0 rather than EAGAIN); a write end without readers
 * polls POLLERR. 1 when taken, 0 when the other end is open elsewhere.
 */
static int lone_pipe_end(pid_t pid, const struct fd_probe *p)
{
	int copy = pidfd_dup(pid, p->fd), scratch[2], ret = 0;
	struct pollfd pf = { .fd = copy, .events = POLLIN | POLLOUT };
	bool reader = (p->flags & O_ACCMODE) == O_RDONLY;

	if (copy < 0)
		return fail(copy, "process %d: fd %d: taking a copy of the pipe",
			    (int)pid, p->fd);
	if (poll(&pf, 1, 0) < 0)
		ret = fail(-errno, "process %d: fd %d: polling the pipe", (int)pid, p->fd);
	else if (reader && (pf.revents & POLLHUP))
		ret = 1;
	else if (!reader && (pf.revents & POLLERR))
		ret = 1;
	else if (reader && !(pf.revents & POLLIN) &&
		 pipe2(scratch, O_CLOEXEC | O_NONBLOCK) == 0) {
		ret = tee(copy, scratch[1], 1, SPLICE_F_NONBLOCK) == 0;
		close(scratch[0]);
		close(scratch[1]);
	}
	close(copy);
	return ret;
}

/* An end of pipe (or FIFO) p, which the image rebuilds. */
static int pipe_entry(const struct fd_probe *p, struct fd_entry *e)
{
	e->rec.kind = FZ_FD_PIPE;
	e->rec.object_id = p->st.st_ino;
	if (!is_named_fifo(p))
		return 0;
	e->path = strdup(p->link);
	return e->path ? 0 : -ENOMEM;
}

static int classify_pipe(pid_t pid, const struct options *o,
			 const struct fd_probe *p, struct fd_entry *e)
{
	int lone = lone_pipe_end(pid, p);

	if (lone < 0)
		return lone;
	if (!lone)
		return unsupported(o, pid, p, e, NULL);
	return pipe_entry(p, e);
}

static int classify(const struct fd_probe *probes, size_t nprobes, size_t i,
		    const struct options *o, pid_t pid, struct fd_entry *e)
{
	const struct fd_probe *p = &probes[i];
	int err;

	*e = (struct fd_entry){ .rec = { .fd = p->fd, .flags = p->flags,
					 .cloexec = !!(p->flags & O_CLOEXEC),
					 .pos = p->pos, .dup_of = -1 } };
	if (is_inner_pipe(probes, nprobes, i))
		return pipe_entry(p, e);
	if ((err = classify_proc(pid, p, e)))
		return err < 0 ? err : 0;
	if (is_file_fd(p->link, &p->st, p->flags))
		return classify_file(pid, p->link, &p->st, e);
	if (is_pty_master(&p->st)) {
		/* collect_pty_master() records its pty once dups are known. */
		e->rec.kind = FZ_FD_PTY_MASTER;
		return 0;
	}
	if (is_terminal(p)) {
		e->rec.kind = FZ_FD_TTY;
		e->path = strdup(p->link);
		return e->path ? 0 : -ENOMEM;
	}
	if (is_outside_stream(p)) {
		e->rec.kind = FZ_FD_INHERIT;
		return 0;
	}
	if (S_ISFIFO(p->st.st_mode))
		return classify_pipe(pid, o, p, e);
	if (S_ISSOCK(p->st.st_mode)) {
		/* collect_sockets() records it, or refuses it. */
		e->rec.kind = FZ_FD_SOCKET;
		e->rec.object_id = p->st.st_ino;
		return 0;
	}
	if (S_ISREG(p->st.st_mode) && is_memfd(p->link, p->st.st_dev)) {
		/* collect_shmem() turns the inode into its object's id. */
		e->rec.kind = FZ_FD_MEMFD;
		e->rec.object_id = p->st.st_ino;
		return 0;
	}
	if (S_ISCHR(p->st.st_mode) &&
	    (is_portable_device(p->link) || is_reopenable_device(p))) {
		e->rec.kind = is_portable_device(p->link) ? FZ_FD_DEVICE : FZ_FD_CHARDEV;
		e->path = strdup(p->link);
		return e->path ? 0 : -ENOMEM;
	}
	if (!strcmp(p->link, "anon_inode:[pidfd]"))
		return classify_pidfd(pid, o, p, e);
	if (!strcmp(p->link, "anon_inode:[fanotify]"))
		return unsupported(o, pid, p, e,
				   "an fanotify group (its marks "
				   "can only be made again with CAP_SYS_ADMIN, and "
				   "its queued events cannot be read without "
				   "consuming them)");
	if ((e->rec.kind = anon_fd_kind(p->link)))
		return 0;
	if (is_io_uring_link(p->link))  /* even with --unsupported-fds=null */
		return refuse_io_uring_fd(pid, p->fd);
	return unsupported(o, pid, p, e, NULL);
}

/* Kinds whose fds can share one open file description. */
static bool shareable(uint32_t kind)
{
	return kind == FZ_FD_DEVICE || kind == FZ_FD_CHARDEV || kind == FZ_FD_PROC ||
	       kind == FZ_FD_PIPE || kind == FZ_FD_PIDFD || kind == FZ_FD_PTY_MASTER ||
	       kind == FZ_FD_PTY_SLAVE || kind == FZ_FD_MEMFD || kind == FZ_FD_REG ||
	       kind == FZ_FD_DIR || kind == FZ_FD_OPATH || kind == FZ_FD_SOCKET ||
	       kind == FZ_FD_DEAD_PATH || (kind >= FZ_FD_EVENTFD && kind <= FZ_FD_EPOLL);
}

/* Does fd share its open file description with an earlier fd? */
static void find_dup(struct target *t, const struct fd_probe *probes, size_t i,
		     struct fd_entry *e)
{
	for (size_t j = 0; j < i; j++) {
		if (!shareable(t->fds[j].rec.kind) ||
		    probes[j].st.st_ino != probes[i].st.st_ino ||
		    probes[j].st.st_dev != probes[i].st.st_dev)
			continue;
		if (syscall(SYS_kcmp, t->pid, t->pid, KCMP_FILE, probes[j].fd,
			    probes[i].fd) == 0) {
			free(e->path);
			e->path = NULL;
			e->rec.kind = FZ_FD_DUP;
			e->rec.dup_of = probes[j].fd;
			e->rec.object_id = 0;
			return;
		}
	}
}

static bool pipe_known(const struct target *t, uint64_t id)
{
	for (size_t i = 0; i < t->npipes; i++)
		if (t->pipes[i].rec.id == id)
			return true;
	return false;
}

/*
 * Each pipe once, through one of its read ends; a pipe the process holds
 * only write ends of, through one of those.
 */
static int collect_pipes(struct target *t)
{
	for (int writers = 0; writers <= 1; writers++) {
		for (size_t i = 0; i < t->nfds; i++) {
			const struct fz_fd *f = &t->fds[i].rec;
			int err;
			if (f->kind != FZ_FD_PIPE || pipe_known(t, f->object_id) ||
			    ((f->flags & O_ACCMODE) == O_WRONLY) != writers)
				continue;
			if ((err = collect_pipe(t, f->fd, f->object_id, writers)))
				return err;
		}
	}
	return 0;
}

/*
 * The ptys whose master the process holds, then the fds on their slaves
 * (found as terminals until now): their dups are looked for again, now
 * that they are of a kind that can share.
 */
static int collect_ptys(struct target *t, const struct options *o, const struct fd_probe *probes)
{
	int err = 0;

	for (size_t i = 0; !err && i < t->nfds; i++)
		if (t->fds[i].rec.kind == FZ_FD_PTY_MASTER)
			err = collect_pty_master(t, &t->fds[i], probes[i].link,
						 &probes[i].st);
	for (size_t i = 0; !err && i < t->nfds; i++) {
		const struct pty_entry *pty;
		if (t->fds[i].rec.kind != FZ_FD_TTY ||
		    !(pty = pty_of_slave(t, &probes[i].st)))
			continue;
		free(t->fds[i].path);
		t->fds[i].path = NULL;
		t->fds[i].rec.kind = FZ_FD_PTY_SLAVE;
		t->fds[i].rec.object_id = pty->rec.id;
		find_dup(t, probes, i, &t->fds[i]);
	}
	return err ? err : finish_ptys(t, o);
}

int collect_fds(struct target *t, const struct options *o)
{
	struct fd_probe *probes = NULL;
	int *fds = NULL;
	size_t n = 0;
	int err = list_fds(t->pid, &fds, &n);

	if (err)
		return fail(err, "process %d: listing its fds", (int)t->pid);
	probes = calloc(n ? n : 1, sizeof(*probes));
	t->fds = calloc(n ? n : 1, sizeof(*t->fds));
	if (!probes || !t->fds)
		err = fail(-ENOMEM, "collecting fds");
	for (size_t i = 0; !err && i < n; i++)
		if ((err = probe(t->pid, fds[i], &probes[i])))
			err = fail(err, "process %d: fd %d", (int)t->pid, fds[i]);
	for (size_t i = 0; !err && i < n; i++) {
		err = classify(probes, n, i, o, t->pid, &t->fds[i]);
		if (!err && shareable(t->fds[i].rec.kind))
			find_dup(t, probes, i, &t->fds[i]);
		t->nfds = i + 1;
	}
	if (!err)
		err = collect_ptys(t, o, probes);
	if (!err)
		err = collect_pipes(t);
	if (!err)
		err = collect_anon_fds(t);
	if (!err)
		err = collect_sockets(t, o);
	if (!err)
		err = collect_dead_paths(t);
	if (!err && !(err = collect_files(t, o)))
		err = collect_locks(t);
	free(probes);
	free(fds);
	return err;
}
