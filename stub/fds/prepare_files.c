/*
 * Regular files, before the point of no return.
 *
 * A file that is still there is reopened by path, once per open file
 * description, and compared with what it was when frozen: a change is
 * named in a warning, and the process sees the file as it is now. A file
 * that is gone is refused, unless its bytes are in the image: a file
 * missing since the freeze (--save-files) is recreated at its path; a file
 * deleted before the freeze, or one whose path cannot be created, is
 * rebuilt as an unlinked file:
 *  - created under its own name in its own directory when the name is
 *    free (so /proc/PID/fd shows "path (deleted)" as before), else under a
 *    temporary name there, else in /tmp, else in /dev/shm;
 *  - filled, opened once per open file description with that fd's flags,
 *    given its mode back, and unlinked at once: fds that shared the file
 *    share the new one;
 *  - with no writable directory at all: a memfd, whose fds are reopened
 *    through /proc/self/fd (so this last resort needs /proc).
 * The name is visible only while the stub fills and reopens the file.
 */
#include <linux/fcntl.h>
#include <linux/memfd.h>
#include <linux/mman.h>
#include <linux/stat.h>

#include "fds/fds.h"
#include "lib.h"
#include "print.h"
#include "stub.h"
#include "sys.h"

static const char *file_path(const struct fz_file *f)
{
	return (const char *)(f + 1);
}

/* The first fd on file f, to name it in messages. */
static int first_fd(const struct stub *st, const struct fz_file *f)
{
	for (unsigned i = 0; i < st->nfds; i++)
		if (st->fds[i].rec->kind == FZ_FD_REG && st->fds[i].rec->object_id == f->id)
			return st->fds[i].rec->fd;
	return -1;
}

/*
 * A file that only grew is the normal case for a log another writer
 * appends to, or an input file: it resumes quietly. "Only grew" is taken
 * as: the same inode, not shorter than at the freeze, and no fd of the
 * process at an offset past the frozen size (so what the process reads or
 * overwrites next was there before). That the bytes up to the frozen size
 * are unchanged is not checked: it would mean reading them all, or freeze
 * storing a checksum of every open file; the inode, the size and the
 * offsets are enough for a warning. Warned: another file at the path, a
 * file that shrank, one that changed under an fd's offset.
 */
static void warn_if_changed(const struct stub *st, const struct fz_file *f,
			    const struct statx *sx)
{
	int fd = first_fd(st, f);
	uint64_t pos = 0;

	if (sx->stx_ino != f->ino || sx->stx_dev_major != f->dev_major ||
	    sx->stx_dev_minor != f->dev_minor) {
		warn("fd %d: %s is another file than when frozen (inode %lu, was "
		     "%lu): the process gets the new one", fd, file_path(f),
		     (unsigned long)sx->stx_ino, (unsigned long)f->ino);
		return;
	}
	if (sx->stx_size < f->size) {
		warn("fd %d: %s shrank since the freeze (%lu bytes, was %lu): "
		     "the process sees it as it is now",
		     fd, file_path(f), (unsigned long)sx->stx_size, (unsigned long)f->size);
		return;
	}
	if (sx->stx_size == f->size && sx->stx_mtime.tv_sec == f->mtime_sec &&
	    sx->stx_mtime.tv_nsec == (uint32_t)f->mtime_nsec)
		return;
	for (unsigned i = 0; i < st->nfds; i++)
		if (st->fds[i].rec->kind == FZ_FD_REG &&
		    st->fds[i].rec->object_id == f->id && st->fds[i].rec->pos > pos)
			pos = st->fds[i].rec->pos;
	if (pos > f->size)
		warn("fd %d: %s changed under the process's offset %lu since the "
		     "freeze (%lu bytes, was %lu): the process sees it as it is "
		     "now",
		     fd, file_path(f), (unsigned long)pos,
		     (unsigned long)sx->stx_size, (unsigned long)f->size);
}

/*
 * 0: the file is at its path (a change is named unless quiet); 1: it must
 * come from the image. Dies if it cannot.
 */
static int check_one(const struct stub *st, const struct fz_file *f, int quiet)
{
	struct statx sx;
	long err;

	if (f->flags & FZ_FILEF_DELETED)
		return 1;
	err = sys_statx(AT_FDCWD, file_path(f), 0, STATX_BASIC_STATS, &sx);
	if (!err) {
		if (!quiet)
			warn_if_changed(st, f, &sx);
		return 0;
	}
	if (!(f->flags & FZ_FILEF_CONTENT))
		die("fd %d: %s is gone (%s); it was open when the process was "
		    "frozen (freeze --save-files keeps the files' contents)",
		    first_fd(st, f), file_path(f), errname(err));
	return 1;
}

static void check_all(const struct stub *st, int quiet)
{
	for_each_record(&st->img, r)
		if (r->type == FZ_REC_FILE)
			check_one(st, rec_data(r), quiet);
}

void check_files(const struct stub *st)
{
	check_all(st, 0);
}

/* One fd onto `path` with the fd's flags, at its offset; or -errno. */
static int open_fd(const struct stub *st, const struct fz_fd *f, const char *path,
		   const char *shown)
{
	int flags = (int)(f->flags & REOPEN_FLAGS);
	long fd = sys_open(path, flags, 0);

	if (fd == -22 /* EINVAL */ && (flags & O_DIRECT)) {
		fd = sys_open(path, flags & ~O_DIRECT, 0);
		if (fd >= 0)
			warn("fd %d: %s: this file system refuses O_DIRECT; "
			     "reopened without it", f->fd, shown);
	}
	if (fd < 0)
		return (int)fd;
	if ((fd = lift_fd(st, (int)fd)) < 0)
		return (int)fd;
	if (sys_lseek((int)fd, (long)f->pos, 0 /* SEEK_SET */) < 0 && f->pos)
		die("cannot seek fd %d (%s) to %lu", f->fd, shown, (unsigned long)f->pos);
	return (int)fd;
}

/* Every fd of the process on file `file`, opened through `path`. */
static long open_all(struct stub *st, const struct fz_file *file, const char *path)
{
	for (unsigned i = 0; i < st->nfds; i++) {
		const struct fz_fd *f = st->fds[i].rec;
		int fd;
		if (f->kind != FZ_FD_REG || f->object_id != file->id)
			continue;
		if ((fd = open_fd(st, f, path, file_path(file))) < 0)
			return fd;
		st->fds[i].tmp = fd;
	}
	return 0;
}

static int create_at(const char *dir, const char *base, char *name, unsigned mode)
{
	format(name, FZ_PATH_MAX, "%s/%s", dir, base);
	return (int)sys_open(name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			     (int)mode);
}

/* A new file for `file` in the first place that takes one; its name in name. */
static int create_somewhere(const struct fz_file *file, char *name)
{
	char dir[FZ_PATH_MAX], tmp[64];
	const char *path = file_path(file), *slash = path;
	int fd;

	for (const char *p = path; *p; p++)
		if (*p == '/')
			slash = p;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = 0;
	format(tmp, sizeof(tmp), ".freeze-%d-%lu", (int)sys_getpid(),
	       (unsigned long)file->id);
	fd = create_at(dir, slash + 1, name, 0600);
	if (fd == -17 /* EEXIST */)
		fd = create_at(dir, tmp, name, 0600);
	if (fd < 0)
		fd = create_at("/tmp", tmp, name, 0600);
	if (fd < 0)
		fd = create_at("/dev/shm", tmp, name, 0600);
	return fd;
}

/*
 * A file rebuilt from the image gets its owner back where the resumer may
 * give it (root; anyone else keeps the file as their own), and its mtime
 * where the stub wrote it last: what the process fstat()s is what it saw.
 */
static void restore_owner_and_mtime(int fd, const struct fz_file *file)
{
	struct { int64_t sec, nsec; } times[2] = {
		{ 0, (1L << 30) - 2 /* UTIME_OMIT: the access time */ },
		{ file->mtime_sec, file->mtime_nsec },
	};

	sys_fchown(fd, file->uid, file->gid);
	sys_utimensat(fd, 0, times, 0);
}

/* The process's fds onto a copy of `file` that has no name. */
static void rebuild_unlinked(struct stub *st, const struct fz_file *file,
			     uint8_t *buf)
{
	char name[FZ_PATH_MAX];
	int fd = create_somewhere(file, name);
	long err;

	if (fd < 0) {
		/* No writable directory: a memfd, reopened through /proc. */
		fd = (int)sys_memfd_create("freeze-file", MFD_CLOEXEC);
		if (fd < 0)
			die("fd %d: nowhere to rebuild the deleted file %s: %s",
			    first_fd(st, file), file_path(file), errname(fd));
		format(name, sizeof(name), "/proc/self/fd/%d", fd);
		warn("fd %d: no writable directory for the deleted file %s: it "
		     "becomes a memfd", first_fd(st, file), file_path(file));
	}
	err = fill_file(st, fd, file, buf);
	if (!err)
		err = open_all(st, file, name);
	if (!err)
		err = sys_fchmod(fd, file->mode & 07777);
	if (!err)
		restore_owner_and_mtime(fd, file);
	if (memcmp(name, "/proc/self/fd/", 14))
		sys_unlinkat(AT_FDCWD, name, 0);
	sys_close(fd);
	if (err)
		die("fd %d: cannot rebuild the deleted file %s (in %s): %s",
		    first_fd(st, file), file_path(file), name, errname(err));
}

/* A file missing since the freeze, back at its path from its saved bytes. */
static long recreate(const struct stub *st, const struct fz_file *file,
		     uint8_t *buf)
{
	const char *path = file_path(file);
	long fd = sys_open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			   (int)(file->mode & 07777));
	long err;

	if (fd < 0)
		return fd;
	err = fill_file(st, (int)fd, file, buf);
	if (err)
		sys_unlinkat(AT_FDCWD, path, 0);
	else
		restore_owner_and_mtime((int)fd, file);
	sys_close((int)fd);
	if (!err)
		warn("fd %d: %s was missing: recreated from the image",
		     first_fd(st, file), path);
	return err;
}

static void prepare_one_file(struct stub *st, const struct fz_file *file,
			     uint8_t *buf)
{
	long err;

	if (!check_one(st, file, 0)) {
		if ((err = open_all(st, file, file_path(file))))
			die("cannot reopen fd %d (%s): %s", first_fd(st, file),
			    file_path(file), errname(err));
		return;
	}
	if (!(file->flags & FZ_FILEF_DELETED)) {
		err = recreate(st, file, buf);
		if (!err && !(err = open_all(st, file, file_path(file))))
			return;
		warn("fd %d: cannot recreate %s (%s): its fds get an unlinked "
		     "copy of it", first_fd(st, file), file_path(file), errname(err));
	}
	rebuild_unlinked(st, file, buf);
}

void prepare_files(struct stub *st)
{
	long buf = 0;

	/* Refuse a vanished file before anything is created. */
	check_all(st, 1);
	for_each_record(&st->img, r) {
		const struct fz_file *file = rec_data(r);
		if (r->type != FZ_REC_FILE)
			continue;
		if ((file->flags & FZ_FILEF_CONTENT) && !buf) {
			buf = sys_mmap(0, FZ_FILE_BLOCK_MAX, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (buf < 0)
				die("no memory to rebuild files: %s", errname(buf));
		}
		prepare_one_file(st, file, (uint8_t *)buf);
	}
	if (buf)
		sys_munmap((uint64_t)buf, FZ_FILE_BLOCK_MAX);
}
