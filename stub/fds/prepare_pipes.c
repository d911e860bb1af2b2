/*
 * Pipes and FIFOs whose both ends the process holds, rebuilt before the point
 * of no return with the bytes they held: a pipe made anew, a FIFO opened at
 * its path again (made again there if it is gone).
 */
#include <linux/errno.h>
#include <linux/stat.h>

#include "fds/fds.h"
#include "lib.h"
#include "print.h"
#include "sys.h"

/*
 * --verify changes nothing on the host: a FIFO that is gone is not made
 * again; the check goes on with an anonymous pipe in its place.
 */
static int gone_while_verifying(const struct stub *st, const char *path)
{
	long fd;

	if (strcmp(st->opt.mode, "--verify"))
		return 0;
	fd = sys_open(path, O_RDONLY | O_NONBLOCK, 0);
	if (fd >= 0)
		sys_close((int)fd);
	return fd == -ENOENT;
}

static struct prepared_pipe *find_pipe(struct stub *st, uint64_t id)
{
	for (unsigned i = 0; i < st->npipes; i++)
		if (st->pipes[i].rec->id == id)
			return &st->pipes[i];
	return 0;
}

/*
 * A new open file description of a rebuilt pipe's end `end`, with f's
 * access mode: a FIFO opened again by its path; an unlinked one, or a pipe,
 * through /proc/self/fd (Linux opens a pipe there like a FIFO). The fd, or
 * -errno; *via gets the path tried, proc_path when it is the /proc one.
 */
static int open_again(const struct stub *st, const struct fz_fd *f, int end,
		      char proc_path[32], const char **via)
{
	*via = (const char *)(f + 1);
	if (f->path_len <= 1 || gone_while_verifying(st, *via)) {
		format(proc_path, 32, "/proc/self/fd/%d", end);
		*via = proc_path;
	}
	return open_lifted(st, *via, (int)(f->flags & O_ACCMODE) | O_NONBLOCK);
}

/*
 * A pipe end the process had opened more than once (again through
 * /proc/self/fd or a FIFO's path, not dup'ed): each fd on it has an open
 * file description of its own, and its status flags with it. Opened the
 * same way here; without /proc it shares the first one's, with a warning.
 */
static int another_description(const struct stub *st, const struct fz_fd *f,
				int end)
{
	char proc_path[32];
	const char *via;
	int fd = open_again(st, f, end, proc_path, &via);

	if (fd >= 0)
		return fd;
	warn("fd %d shares its status flags with another fd on the same pipe end: "
	     "cannot open it again (%s: %s)", f->fd, via, errname(fd));
	return end;
}

/* An fd open for both ends (O_RDWR): a FIFO's, or an unlinked FIFO's. */
static int both_ends(const struct stub *st, const struct fz_fd *f, int read_end)
{
	char proc_path[32];
	const char *via;
	int fd = open_again(st, f, read_end, proc_path, &via);

	if (fd < 0)
		die("fd %d: cannot open %s for reading and writing: %s%s", f->fd,
		    via, errname(fd), via == proc_path ?
		    " (an unlinked FIFO open for both ends needs /proc)" : "");
	return fd;
}

/*
 * The end of a rebuilt pipe an fd stands for, with its status flags; a
 * FIFO opened for both reading and writing is opened so again.
 */
int pipe_end(struct stub *st, const struct fz_fd *f)
{
	struct prepared_pipe *p = find_pipe(st, f->object_id);
	int side = (f->flags & O_ACCMODE) == O_WRONLY, end;

	if (!p)
		die("image is damaged: fd %d is an end of a pipe it lacks", f->fd);
	if ((f->flags & O_ACCMODE) == O_RDWR) {
		end = both_ends(st, f, p->ends[0]);
	} else if (p->taken[side]) {
		end = another_description(st, f, p->ends[side]);
	} else {
		end = p->ends[side];
		p->taken[side] = 1;
	}
	sys_fcntl(end, F_SETFL, f->flags & (O_NONBLOCK | O_DIRECT));
	return end;
}

/* A named pipe's path: the one its fd records carry, or NULL for a pipe. */
static const char *fifo_path(const struct stub *st, uint64_t id)
{
	for_each_record(&st->img, r) {
		const struct fz_fd *f = rec_data(r);
		if (r->type == FZ_REC_FD && f->kind == FZ_FD_PIPE &&
		    f->object_id == id && f->path_len > 1)
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
void prepare_pipe(struct stub *st, const struct fz_pipe *rec)
{
	struct prepared_pipe *p = &st->pipes[st->npipes];
	const uint8_t *data = (const uint8_t *)(rec + 1);
	const char *path = fifo_path(st, rec->id);
	int fds[2];
	long ret;

	if (path && gone_while_verifying(st, path)) {
		warn("the FIFO %s is gone: resuming makes it again", path);
		path = 0;
	}
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
