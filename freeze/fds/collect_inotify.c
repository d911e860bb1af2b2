/*
 * An inotify fd's watches. fdinfo gives, per watch, its number (wd), its
 * mask, and the watched inode: device, inode number and a file handle, but
 * no path. inode_path() finds a path leading to that inode now (see there);
 * the stub watches that path again under the same wd. A watch whose inode
 * no path reaches any more (a deleted file) cannot be restored: refused.
 *
 * Events queued and not read yet cannot be copied without consuming them:
 * freeze warns that they are dropped (the process sees the events that
 * come after its resume).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fds/anon_fds.h"
#include "fds/fds.h"

struct watch_line {
	int wd;
	unsigned long ino;
	unsigned sdev, mask;
	struct fz_file_handle fh;
};

static int hex_bytes(const char *s, unsigned char *out, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		unsigned b;
		if (sscanf(s + 2 * i, "%2x", &b) != 1)
			return -EINVAL;
		out[i] = (unsigned char)b;
	}
	return 0;
}

/* "inotify wd:%x ino:%lx sdev:%x mask:%x ignored_mask:%x fhandle-bytes:%x
 *  fhandle-type:%x f_handle:<hex>"; the handle part may be missing. */
static int parse_watch(const char *line, struct watch_line *w)
{
	const char *h;
	unsigned ignored;

	memset(w, 0, sizeof(*w));
	if (sscanf(line, "inotify wd:%x ino:%lx sdev:%x mask:%x ignored_mask:%x "
		   "fhandle-bytes:%x fhandle-type:%x", (unsigned *)&w->wd, &w->ino,
		   &w->sdev, &w->mask, &ignored, &w->fh.bytes, &w->fh.type) < 4)
		return -EINVAL;
	h = strstr(line, "f_handle:");
	if (!h || w->fh.bytes > sizeof(w->fh.handle) ||
	    hex_bytes(h + 9, w->fh.handle, w->fh.bytes))
		w->fh.bytes = 0;
	return 0;
}

/* The kernel's dev_t (major << 20 | minor) as user space's. */
static dev_t user_dev(unsigned sdev)
{
	return makedev(sdev >> 20, sdev & 0xfffff);
}

static int add_watch(struct target *t, int fd, const struct watch_line *w)
{
	struct inotify_watch iw = { .rec = { .fd = fd, .wd = w->wd, .mask = w->mask } };
	int err;

	iw.path = inode_path(t, user_dev(w->sdev), (ino_t)w->ino, &w->fh);
	if (!iw.path)
		return fail(-ENOENT, "process %d: inotify fd %d: watch %d (inode %lu on "
			    "device %u:%u): no path leads to it any more (deleted?), "
			    "cannot watch it again", (int)t->pid, fd, w->wd, w->ino,
			    w->sdev >> 20, w->sdev & 0xfffff);
	err = append_item(&t->anon->watches, &t->anon->nwatches, sizeof(iw), &iw);
	if (err)
		free(iw.path);
	return err;
}

static int cmp_wd(const void *a, const void *b)
{
	return ((const struct inotify_watch *)a)->rec.wd -
	       ((const struct inotify_watch *)b)->rec.wd;
}

static void warn_unread(pid_t pid, int fd)
{
	int copy = pidfd_dup(pid, fd), n = 0;

	if (copy < 0)
		return;
	if (!ioctl(copy, FIONREAD, &n) && n > 0)
		warning("inotify fd %d: %d bytes of events not read yet are dropped",
			fd, n);
	close(copy);
}

int collect_inotify(struct target *t, int fd, FILE *info)
{
	size_t first = t->anon->nwatches;
	char line[1024];
	int err = 0;

	rewind(info);
	while (!err && fgets(line, sizeof(line), info)) {
		struct watch_line w;
		if (!strncmp(line, "inotify ", 8) && !parse_watch(line, &w))
			err = add_watch(t, fd, &w);
	}
	if (err)
		return err;
	/* The stub recreates them in this order, to get the same numbers. */
	qsort(t->anon->watches + first, t->anon->nwatches - first,
	      sizeof(*t->anon->watches), cmp_wd);
	warn_unread(t->pid, fd);
	return 0;
}
