/*
 * Open everything the process needs from the host's file system while
 * failing is still harmless: its files, the files behind its shared
 * mappings, its working directory. The fds are kept above every number
 * the process uses, so placing them later overwrites nothing still needed.
 */
#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/stat.h>

#include "lib.h"
#include "print.h"
#include "stub.h"
#include "sys.h"

static int max_fd_of(const struct stub *st)
{
	int max = 2;

	for_each_record(&st->img, r) {
		const struct fz_fd *f = rec_data(r);
		if (r->type == FZ_REC_FD && f->fd > max)
			max = f->fd;
	}
	return max;
}

int lift_fd(const struct stub *st, int fd)
{
	long high = sys_fcntl(fd, F_DUPFD_CLOEXEC, st->max_fd + 1);

	sys_close(fd);
	return (int)high;
}

static int open_lifted(const struct stub *st, const char *path, int flags)
{
	long fd = sys_open(path, flags, 0);

	if (fd < 0)
		return (int)fd;
	return lift_fd(st, (int)fd);
}

const struct prepared_fd *find_prepared(const struct stub *st, int fd)
{
	for (unsigned i = 0; i < st->nfds; i++)
		if (st->fds[i].rec->fd == fd)
			return &st->fds[i];
	return 0;
}

static int is_device(const char *path)
{
	return !memcmp(path, "/dev/", 5);
}

/*
 * A device such as /dev/null that this host (or chroot) lacks: a standard
 * stream falls back to the resumer's own, any other fd stays closed.
 */
static int missing_device(const struct fz_fd *f, const char *path, int err)
{
	if (f->fd <= 2) {
		warn("fd %d: cannot open %s (%s); using this terminal's fd %d",
		     f->fd, path, errname(err), f->fd);
		return INHERIT_FD;
	}
	warn("fd %d: cannot open %s (%s); it stays closed", f->fd, path,
	     errname(err));
	return -1;
}

static const struct prepared_pipe *find_pipe(const struct stub *st, uint64_t id)
{
	for (unsigned i = 0; i < st->npipes; i++)
		if (st->pipes[i].rec->id == id)
			return &st->pipes[i];
	return 0;
}

/*
 * The end of a rebuilt pipe an fd stands for, with its status flags; a
 * FIFO opened for both reading and writing is opened so again.
 */
static int pipe_end(const struct stub *st, const struct fz_fd *f)
{
	const struct prepared_pipe *p = find_pipe(st, f->pipe_id);
	int end;

	if (!p)
		die("image is damaged: fd %d is an end of a pipe it lacks", f->fd);
	if ((f->flags & O_ACCMODE) == O_RDWR) {
		if (f->path_len <= 1)
			die("image is damaged: fd %d is a pipe open for both ends", f->fd);
		end = open_lifted(st, (const char *)(f + 1), O_RDWR | O_NONBLOCK);
		if (end < 0)
			die("cannot open the FIFO %s: %s", (const char *)(f + 1),
			    errname(end));
	} else {
		end = p->ends[(f->flags & O_ACCMODE) == O_WRONLY];
	}
	sys_fcntl(end, F_SETFL, f->flags & (O_NONBLOCK | O_DIRECT));
	return end;
}

static int prepare_one(struct stub *st, const struct fz_fd *f)
{
	const char *path = (const char *)(f + 1);

	switch (f->kind) {
	case FZ_FD_FILE: {
		int fd = open_lifted(st, path, (int)(f->flags & REOPEN_FLAGS));
		if (fd < 0 && is_device(path))
			return missing_device(f, path, fd);
		if (fd < 0)
			die("cannot reopen fd %d (%s): %s", f->fd, path, errname(fd));
		if (sys_lseek(fd, (long)f->pos, 0 /* SEEK_SET */) < 0 &&
		    f->pos != 0)
			die("cannot seek fd %d (%s) to %lu", f->fd, path,
			    (unsigned long)f->pos);
		return fd;
	}
	case FZ_FD_NULL: {
		int fd = open_lifted(st, "/dev/null", O_RDWR);
		if (fd < 0)
			warn("fd %d: no /dev/null here, left closed", f->fd);
		return fd;
	}
	case FZ_FD_DUP: {
		const struct prepared_fd *of = find_prepared(st, f->dup_of);
		if (!of || of->rec->kind == FZ_FD_DUP || f->dup_of >= f->fd)
			die("image is damaged: fd %d duplicates a missing fd", f->fd);
		return -1;
	}
	case FZ_FD_PIPE:
		return pipe_end(st, f);
	case FZ_FD_REG:  /* prepare_files() opens them once their files exist */
		return -1;
	case FZ_FD_DIR:
	case FZ_FD_OPATH:
		return prepare_path_fd(st, f);
	case FZ_FD_MEMFD:
		return prepare_memfd_fd(st, f);
	case FZ_FD_EVENTFD: case FZ_FD_TIMERFD: case FZ_FD_SIGNALFD:
	case FZ_FD_INOTIFY: case FZ_FD_EPOLL:
		return prepare_anon_fd(st, f);
	case FZ_FD_TTY:
		return prepare_tty_fd(st, f);
	case FZ_FD_SOCKET:
		return socket_fd(st, f);
	case FZ_FD_INHERIT:
		if (f->fd > 2)
			die("image is damaged: fd %d cannot be inherited", f->fd);
		return -1;
	}
	die("image is damaged: fd %d has unknown kind %u", f->fd, f->kind);
}

/* A named pipe's path: the one its fd records carry, or NULL for a pipe. */
static const char *fifo_path(const struct stub *st, uint64_t id)
{
	for_each_record(&st->img, r) {
		const struct fz_fd *f = rec_data(r);
		if (r->type == FZ_REC_FD && f->kind == FZ_FD_PIPE &&
		    f->pipe_id == id && f->path_len > 1)
			return (const char *)(f + 1);
	}
	return 0;
}

/*
 * Both ends of a named pipe, opened by its path without blocking (a reader
 * is open when the writer opens). A FIFO that is gone is made again.
 */
static void open_fifo(const struct stub *st, const char *path, int fds[2])
{
	long ret = sys_open(path, O_RDONLY | O_NONBLOCK, 0);

	if (ret == -ENOENT) {
		warn("the FIFO %s is gone: made again", path);
		ret = sys_mknodat(AT_FDCWD, path, S_IFIFO | 0600, 0);
		if (ret == 0)
			ret = sys_open(path, O_RDONLY | O_NONBLOCK, 0);
	}
	if (ret < 0)
		die("cannot open the FIFO %s: %s", path, errname(ret));
	fds[0] = lift_fd(st, (int)ret);
	if (fds[0] < 0 || sys_fcntl(fds[0], F_GETPIPE_SZ, 0) < 0)
		die("%s is not a FIFO any more", path);
	ret = sys_open(path, O_WRONLY | O_NONBLOCK, 0);
	if (ret < 0)
		die("cannot open the FIFO %s for writing: %s", path, errname(ret));
	fds[1] = (int)ret;
}

/* A new pipe (or the FIFO again) as large as before, holding the bytes it held. */
static void prepare_pipe(struct stub *st, const struct fz_pipe *rec)
{
	struct prepared_pipe *p = &st->pipes[st->npipes];
	const uint8_t *data = (const uint8_t *)(rec + 1);
	const char *path = fifo_path(st, rec->id);
	int fds[2];
	long ret;

	if (st->npipes == STUB_MAX_PIPES)
		die("more than %d pipes: not supported yet", STUB_MAX_PIPES);
	if (path) {
		open_fifo(st, path, fds);
	} else {
		ret = sys_pipe2(fds, O_NONBLOCK);
		if (ret < 0)
			die("cannot create a pipe: %s", errname(ret));
	}
	p->rec = rec;
	p->ends[0] = path ? fds[0] : lift_fd(st, fds[0]);
	p->ends[1] = lift_fd(st, fds[1]);
	if (p->ends[0] < 0 || p->ends[1] < 0)
		die("cannot keep a pipe open: too many open files");
	ret = sys_fcntl(p->ends[1], F_SETPIPE_SZ, rec->capacity);
	if (ret < 0)
		warn("a pipe cannot be as large as before (%u bytes): %s",
		     rec->capacity, errname(ret));
	ret = sys_write(p->ends[1], data, rec->data_len);
	if (ret != (long)rec->data_len)
		die("cannot put back the %u bytes a pipe held", rec->data_len);
	st->npipes++;
}

void prepare_fds(struct stub *st)
{
	st->max_fd = max_fd_of(st);
	for_each_record(&st->img, r)
		if (r->type == FZ_REC_PIPE)
			prepare_pipe(st, rec_data(r));
	prepare_shmem(st);
	prepare_sockets(st);
	for_each_record(&st->img, r) {
		const struct fz_fd *f = rec_data(r);
		if (r->type != FZ_REC_FD)
			continue;
		st->fds[st->nfds].rec = f;
		st->fds[st->nfds].tmp = prepare_one(st, f);
		st->nfds++;
	}
	check_epoll_targets(st);
}

void prepare_cwd(struct stub *st)
{
	int fd;

	if (!st->cwd)
		return;
	fd = open_lifted(st, st->cwd, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		warn("working directory %s is gone (%s); staying in the current one",
		     st->cwd, errname(fd));
	st->cwd_fd = fd;
}

void prepare_shared_maps(struct stub *st)
{
	for_each_record(&st->img, r) {
		const struct fz_mapping *m = rec_data(r);
		const char *path = (const char *)(m + 1);
		int fd;
		if (r->type != FZ_REC_MAPPING || m->kind != FZ_MAP_SHARED_FILE)
			continue;
		if (st->nshared == STUB_MAX_SHARED_MAPS)
			die("more than %d shared file mappings: not supported yet",
			    STUB_MAX_SHARED_MAPS);
		fd = open_lifted(st, path, (m->prot & 2) ? O_RDWR : O_RDONLY);
		if (fd < 0)
			die("cannot open %s for its shared mapping at %lx: %s", path,
			    (unsigned long)m->start, errname(fd));
		st->shared[st->nshared].rec = m;
		st->shared[st->nshared].fd = fd;
		st->nshared++;
	}
}
