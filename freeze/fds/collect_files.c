/*
 * Regular files, directories and O_PATH fds. Each regular file (one entry
 * per inode, however many fds the process has on it) is recorded with what
 * it was at freeze time, so the stub can tell whether it changed or vanished
 * since. The bytes of a deleted file, and of every file with --save-files,
 * go into the image: freeze keeps an fd on each to read them while it
 * writes the image (the target is still stopped then).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fds/fds.h"
#include "freeze.h"

#define DELETED_SUFFIX " (deleted)"

static bool has_deleted_suffix(const char *link)
{
	size_t n = strlen(link), k = strlen(DELETED_SUFFIX);

	return n > k && !strcmp(link + n - k, DELETED_SUFFIX);
}

bool is_file_fd(const char *link, const struct stat *st, uint32_t flags)
{
	/* memfds are regular files too, but collect_shmem.c owns them. */
	if (link[0] != '/' || !strncmp(link, "/memfd:", 7))
		return false;
	return (flags & O_PATH) || S_ISREG(st->st_mode) || S_ISDIR(st->st_mode);
}

/*
 * A removed directory, or a deleted symlink held with O_PATH: the stub
 * makes a stand-in (collect_dead_paths.c). Other deleted files held with
 * O_PATH stay refused: the process can reopen one through /proc/self/fd
 * and read it, and an O_PATH fd gives freeze no bytes to save, so a
 * stand-in would have to invent its contents.
 */
static bool is_dead_path(const struct stat *st, bool deleted)
{
	return deleted && st->st_nlink == 0 &&
	       (S_ISDIR(st->st_mode) || S_ISLNK(st->st_mode));
}

int classify_file(pid_t pid, const char *link, const struct stat *st,
		  struct fd_entry *e)
{
	bool deleted = has_deleted_suffix(link);

	if (is_dead_path(st, deleted))
		e->rec.kind = FZ_FD_DEAD_PATH;
	else if (deleted && (e->rec.flags & O_PATH))
		return fail(-ENOTSUP,
			    "process %d: fd %d is an O_PATH fd on %s: "
			    "not supported (the process could reopen it through "
			    "/proc/self/fd and read it, and an O_PATH fd gives no "
			    "bytes to save)",
			    (int)pid, e->rec.fd, link);
	else if (e->rec.flags & O_PATH)
		e->rec.kind = FZ_FD_OPATH;
	else if (S_ISDIR(st->st_mode))
		e->rec.kind = FZ_FD_DIR;
	else
		e->rec.kind = FZ_FD_REG;
	e->path = strndup(link, strlen(link) - (deleted ? strlen(DELETED_SUFFIX) : 0));
	return e->path ? 0 : fail(-ENOMEM, "collecting fds");
}

static struct file_entry *find_file(struct target *t, const struct stat *st)
{
	for (size_t i = 0; i < t->nfiles; i++)
		if (t->files[i].rec.ino == st->st_ino &&
		    t->files[i].rec.dev_major == major(st->st_dev) &&
		    t->files[i].rec.dev_minor == minor(st->st_dev))
			return &t->files[i];
	return NULL;
}

/* Is the file still reachable at the path the process sees for it? */
static bool at_its_path(const char *path, const struct stat *st)
{
	struct stat now;

	return st->st_nlink > 0 && !stat(path, &now) && now.st_ino == st->st_ino &&
	       now.st_dev == st->st_dev;
}

/* An fd of freeze's own on the file, to read its bytes from later. */
static int open_for_reading(pid_t pid, const struct fz_fd *f, const char *path)
{
	char link[64];
	int fd;

	snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)pid, f->fd);
	fd = open(link, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return fail(-errno, "process %d: fd %d (%s): opening it to save its "
			    "contents", (int)pid, f->fd, path);
	return fd;
}

static int add_file(struct target *t, const struct options *o,
		    const struct fd_entry *e, const struct stat *st)
{
	struct file_entry f = { .fd = -1 };
	int err;

	f.rec = (struct fz_file){
		.id = t->nfiles + 1, .size = (uint64_t)st->st_size,
		.mtime_sec = st->st_mtim.tv_sec, .mtime_nsec = st->st_mtim.tv_nsec,
		.ino = st->st_ino, .dev_major = major(st->st_dev),
		.dev_minor = minor(st->st_dev), .mode = st->st_mode,
		.uid = st->st_uid, .gid = st->st_gid,
	};
	if (!at_its_path(e->path, st))
		f.rec.flags |= FZ_FILEF_DELETED;
	if ((f.rec.flags & FZ_FILEF_DELETED) || o->save_files) {
		f.rec.flags |= FZ_FILEF_CONTENT;
		if ((f.fd = open_for_reading(t->pid, &e->rec, e->path)) < 0)
			return f.fd;
	}
	if (!(f.path = strdup(e->path)))
		err = -ENOMEM;
	else
		err = append_item(&t->files, &t->nfiles, sizeof(f), &f);
	if (err) {
		free(f.path);
		if (f.fd >= 0)
			close(f.fd);
		return fail(err, "collecting files");
	}
	note(o, "fd %d: %s%s", e->rec.fd, e->path,
	     (f.rec.flags & FZ_FILEF_DELETED) ? " (deleted): its contents go into the image" :
	     (f.rec.flags & FZ_FILEF_CONTENT) ? ": its contents go into the image" : "");
	return 0;
}

int collect_files(struct target *t, const struct options *o)
{
	for (size_t i = 0; i < t->nfds; i++) {
		struct fd_entry *e = &t->fds[i];
		const struct file_entry *known;
		char link[64];
		struct stat st;
		int err;

		if (e->rec.kind != FZ_FD_REG)
			continue;
		snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)t->pid, e->rec.fd);
		if (stat(link, &st) < 0)
			return fail(-errno, "process %d: fd %d (%s)", (int)t->pid,
				    e->rec.fd, e->path);
		known = find_file(t, &st);
		if (!known && (err = add_file(t, o, e, &st)))
			return err;
		e->rec.object_id = known ? known->rec.id : t->files[t->nfiles - 1].rec.id;
	}
	return 0;
}

bool saves_file_contents(const struct target *t)
{
	for (size_t i = 0; i < t->nfiles; i++)
		if (t->files[i].rec.flags & FZ_FILEF_CONTENT)
			return true;
	return false;
}
