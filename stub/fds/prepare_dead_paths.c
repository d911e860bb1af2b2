/*
 * Removed directories and deleted symlinks, before the point of no return.
 * No path leads to the one the process held, so a stand-in is made that
 * the process cannot tell apart by what it can do with its fds: an empty
 * directory (or a symlink with the same target text) is made under its
 * own name when that is free, else under a private name in its old
 * directory, in /tmp, or in /dev/shm; every fd on it is opened with its
 * flags; it gets its mode, and where the resumer may give them its owner
 * and mtime; then it is removed again. So fstat says nlink 0, a directory
 * lists nothing and takes no new entries (ENOENT), readlinkat(fd, "")
 * gives the target, and /proc/self/fd shows "path (deleted)". Its inode
 * number and device are new: the same is true of every reopened file.
 * So is a directory's read position (lseek gives 0): ext4 takes no
 * position of the old listing on an empty directory, and a removed one
 * lists nothing (ENOENT) from anywhere.
 * A removed working directory gets a stand-in too, which the process
 * fchdirs into.
 */
#include <linux/fcntl.h>
#include <linux/stat.h>

#include "fds/fds.h"
#include "lib.h"
#include "print.h"
#include "stub.h"
#include "sys.h"

#define EEXIST 17

static const char *dead_path(const struct fz_dead_path *d)
{
	return (const char *)(d + 1);
}

static int is_link(const struct fz_dead_path *d)
{
	return S_ISLNK(d->mode);
}

/* Make the stand-in at dir/base; 0 or -errno. */
static long make_at(const struct fz_dead_path *d, const char *dir, const char *base,
		    char *name)
{
	format(name, FZ_PATH_MAX, "%s/%s", dir, base);
	if (is_link(d))
		return sys_symlinkat(dead_path(d) + d->path_len, AT_FDCWD, name);
	return sys_mkdirat(AT_FDCWD, name, 0700);
}

static long make_somewhere(const struct fz_dead_path *d, char *name)
{
	char dir[FZ_PATH_MAX], tmp[64];
	const char *path = dead_path(d), *slash = path;
	long err;

	for (const char *p = path; *p; p++)
		if (*p == '/')
			slash = p;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = 0;
	format(tmp, sizeof(tmp), ".freeze-%d-d%lu", (int)sys_getpid(),
	       (unsigned long)d->id);
	err = slash[1] ? make_at(d, dir, slash + 1, name) : -EEXIST;
	if (err == -EEXIST)
		err = make_at(d, dir, tmp, name);
	if (err < 0)
		err = make_at(d, "/tmp", tmp, name);
	if (err < 0)
		err = make_at(d, "/dev/shm", tmp, name);
	return err;
}

/* As prepare_paths.c reopens a directory or O_PATH fd. */
static int open_flags(const struct fz_fd *f)
{
	if (f->flags & O_PATH)
		return O_PATH | (int)(f->flags & (O_NOFOLLOW | O_DIRECTORY));
	return (int)(f->flags & REOPEN_FLAGS) | O_DIRECTORY;
}

/* Every fd of the process on d, opened through name. */
static long open_all(struct stub *st, const struct fz_dead_path *d, const char *name)
{
	for (unsigned i = 0; i < st->nfds; i++) {
		const struct fz_fd *f = st->fds[i].rec;
		int fd;
		if (f->kind != FZ_FD_DEAD_PATH || f->object_id != d->id)
			continue;
		if ((fd = open_lifted(st, name, open_flags(f))) < 0)
			return fd;
		st->fds[i].tmp = fd;
	}
	return 0;
}

/*
 * Owner where the resumer may give it (root; anyone else keeps it as their
 * own), then the mode (a symlink has none of its own: after the chown, so
 * a set-group-ID bit it had stays), then the mtime.
 */
static long give_attributes(const struct fz_dead_path *d, const char *name)
{
	struct { int64_t sec, nsec; } times[2] = {
		{ 0, (1L << 30) - 2 /* UTIME_OMIT: the access time */ },
		{ d->mtime_sec, d->mtime_nsec },
	};
	long err;

	sys_fchownat(AT_FDCWD, name, d->uid, d->gid, AT_SYMLINK_NOFOLLOW);
	err = is_link(d) ? 0 : sys_fchmodat(AT_FDCWD, name, d->mode & 07777);
	sys_utimensat(AT_FDCWD, name, times, AT_SYMLINK_NOFOLLOW);
	return err;
}

static const char *what(const struct fz_dead_path *d)
{
	return is_link(d)                ? "symlink" :
	       (d->flags & FZ_DEADF_CWD) ? "working directory" :
					   "directory";
}

static void prepare_dead_path(struct stub *st, const struct fz_dead_path *d)
{
	char name[FZ_PATH_MAX];
	long err = make_somewhere(d, name), gone;

	if (err < 0)
		die("nowhere to make a stand-in for the removed %s %s: %s", what(d),
		    dead_path(d), errname(err));
	err = open_all(st, d, name);
	if (!err && (d->flags & FZ_DEADF_CWD)) {
		/* restore_process_attrs fchdirs into it; prepare_cwd leaves it. */
		st->cwd_fd = open_lifted(st, name, O_RDONLY | O_DIRECTORY);
		err = st->cwd_fd < 0 ? st->cwd_fd : 0;
	}
	if (!err)
		err = give_attributes(d, name);
	gone = sys_unlinkat(AT_FDCWD, name, is_link(d) ? 0 : AT_REMOVEDIR);
	if (err || gone)
		die("cannot make a stand-in for the removed %s %s (in %s): %s",
		    what(d), dead_path(d), name, errname(err ? err : gone));
}

void prepare_dead_paths(struct stub *st)
{
	for_each_record(&st->img, r)
		if (r->type == FZ_REC_DEAD_PATH)
			prepare_dead_path(st, rec_data(r));
}
