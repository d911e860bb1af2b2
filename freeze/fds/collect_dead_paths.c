/*
 * Removed directories and deleted symlinks the process holds fds on. No
 * path leads to one any more; what the process can still learn through
 * its fd is little: fstat (type, mode, owner, times, nlink 0), a
 * symlink's target text (readlinkat(fd, "")), that a removed directory
 * lists nothing and takes no new entries, and the "(deleted)" name in
 * /proc/self/fd. The stub rebuilds exactly that: a stand-in made in a
 * private place, opened, and removed again. Each inode is recorded once,
 * so fds that were on one directory are on one stand-in. A working
 * directory that was removed is rebuilt the same way.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fds/fds.h"
#include "freeze.h"
#include "image/image_writer.h"

static struct dead_path *find_dead(struct target *t, const struct stat *st)
{
	for (size_t i = 0; i < t->ndead_paths; i++)
		if (t->dead_paths[i].ino == st->st_ino && t->dead_paths[i].dev == st->st_dev)
			return &t->dead_paths[i];
	return NULL;
}

/* The target text of the deleted symlink fd holds, read through a copy of the fd. */
static int read_target(pid_t pid, int fd, char **out)
{
	char buf[FZ_PATH_MAX];
	int copy = pidfd_dup(pid, fd);
	ssize_t n;

	if (copy < 0)
		return copy;
	n = readlinkat(copy, "", buf, sizeof(buf));
	close(copy);
	if (n < 0)
		return -errno;
	if ((size_t)n >= sizeof(buf))
		return -ENAMETOOLONG;
	*out = strndup(buf, (size_t)n);
	return *out ? 0 : -ENOMEM;
}

/* Record the inode st, at path; fd: one of the process's on it, or -1. */
static int add_dead(struct target *t, const char *path, int fd, const struct stat *st)
{
	struct dead_path d = { .dev = st->st_dev, .ino = st->st_ino };
	int err = 0;

	d.rec = (struct fz_dead_path){
		.id = t->ndead_paths + 1, .mode = st->st_mode,
		.uid = st->st_uid, .gid = st->st_gid,
		.mtime_sec = st->st_mtim.tv_sec, .mtime_nsec = (uint32_t)st->st_mtim.tv_nsec,
	};
	if (S_ISLNK(st->st_mode) && (err = read_target(t->pid, fd, &d.target)))
		return fail(err,
			    "process %d: fd %d: reading the target of the deleted "
			    "symlink %s",
			    (int)t->pid, fd, path);
	if (!(d.path = strdup(path)) ||
	    append_item(&t->dead_paths, &t->ndead_paths, sizeof(d), &d)) {
		free(d.path);
		free(d.target);
		return fail(-ENOMEM, "collecting fds");
	}
	return 0;
}

/*
 * A working directory that was removed: its stand-in becomes the resumed
 * process's cwd (the same one as its fds' if they are on that directory).
 * The CWD record keeps the kernel's name for it, "path (deleted)".
 */
static int collect_dead_cwd(struct target *t)
{
	const char *suffix = " (deleted)";
	size_t n = t->cwd ? strlen(t->cwd) : 0, k = strlen(suffix);
	struct dead_path *known;
	char link[64], *path;
	struct stat st;
	int err;

	if (n <= k || t->cwd[0] != '/' || strcmp(t->cwd + n - k, suffix))
		return 0;
	snprintf(link, sizeof(link), "/proc/%d/cwd", (int)t->pid);
	if (stat(link, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_nlink != 0)
		return 0;
	if (!(known = find_dead(t, &st))) {
		if (!(path = strndup(t->cwd, n - k)))
			return fail(-ENOMEM, "collecting the cwd");
		err = add_dead(t, path, -1, &st);
		free(path);
		if (err)
			return err;
		known = &t->dead_paths[t->ndead_paths - 1];
	}
	known->rec.flags |= FZ_DEADF_CWD;
	return 0;
}

int collect_dead_paths(struct target *t)
{
	for (size_t i = 0; i < t->nfds; i++) {
		struct fd_entry *e = &t->fds[i];
		const struct dead_path *known;
		char link[64];
		struct stat st;
		int err;

		if (e->rec.kind != FZ_FD_DEAD_PATH)
			continue;
		snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)t->pid, e->rec.fd);
		if (stat(link, &st) < 0)
			return fail(-errno, "process %d: fd %d (%s)", (int)t->pid,
				    e->rec.fd, e->path);
		known = find_dead(t, &st);
		if (!known && (err = add_dead(t, e->path, e->rec.fd, &st)))
			return err;
		e->rec.object_id = known ? known->rec.id :
					   t->dead_paths[t->ndead_paths - 1].rec.id;
	}
	return collect_dead_cwd(t);
}

int write_dead_paths(const struct target *t, struct image_writer *w)
{
	int err = 0;

	for (size_t i = 0; !err && i < t->ndead_paths; i++) {
		const struct dead_path *d = &t->dead_paths[i];
		struct fz_dead_path rec = d->rec;
		size_t plen = strlen(d->path) + 1, tlen = d->target ? strlen(d->target) + 1 : 0;
		char *both = malloc(plen + tlen);

		if (!both)
			return fail(-ENOMEM, "writing the image");
		memcpy(both, d->path, plen);
		if (tlen)
			memcpy(both + plen, d->target, tlen);
		rec.path_len = (uint32_t)plen;
		rec.target_len = (uint32_t)tlen;
		err = iw_record(w, FZ_REC_DEAD_PATH, &rec, sizeof(rec), both, plen + tlen);
		free(both);
	}
	return err;
}
