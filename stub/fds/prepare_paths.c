/*
 * Directories and O_PATH fds: reopened by path before the point of no
 * return. A directory goes back to its place in the listing (its f_pos, a
 * file system cookie lseek takes back), so getdents goes on where it was.
 */
#include <linux/fcntl.h>

#include "fds/fds.h"
#include "print.h"
#include "stub.h"
#include "sys.h"

int prepare_path_fd(const struct stub *st, const struct fz_fd *f)
{
	const char *path = (const char *)(f + 1);
	int flags = f->kind == FZ_FD_OPATH ?
		O_PATH | (int)(f->flags & (O_NOFOLLOW | O_DIRECTORY)) :
		(int)(f->flags & REOPEN_FLAGS) | O_DIRECTORY;
	long fd = sys_open(path, flags, 0);

	if (fd < 0)
		die("cannot reopen fd %d (%s): %s", f->fd, path, errname(fd));
	if ((fd = lift_fd(st, (int)fd)) < 0)
		die("cannot keep fd %d open: %s", f->fd, errname(fd));
	if (f->kind == FZ_FD_DIR && f->pos &&
	    sys_lseek((int)fd, (long)f->pos, 0 /* SEEK_SET */) < 0)
		warn("fd %d: cannot go back to its place in the listing of %s; "
		     "reading it starts over", f->fd, path);
	return (int)fd;
}
