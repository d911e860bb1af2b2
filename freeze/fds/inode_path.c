/*
 * A path to an inode known only by device and inode number (and a file
 * handle), as inotify's fdinfo describes a watch. Two ways, in order:
 *
 * 1. open_by_handle_at() with the handle, on a mount of that device found
 *    in /proc/PID/mountinfo, then the kernel's name for the opened file
 *    (/proc/self/fd/N). Exact, but it needs CAP_DAC_READ_SEARCH.
 * 2. Otherwise, the places the process itself points at: its working
 *    directory, the entries in it and the directories above it, and the
 *    paths of its open files and mapped files with their directories.
 *
 * A path is accepted only if stat() finds the same device and inode there
 * now. NULL when neither way finds one.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fds/anon_fds.h"

static char *if_same(const char *path, dev_t dev, ino_t ino)
{
	struct stat st;

	if (!path || path[0] != '/' || stat(path, &st) || st.st_dev != dev ||
	    st.st_ino != ino)
		return NULL;
	return strdup(path);
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] && s[3]) {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = 0;
}

/* An fd on a mount of device dev, or -1 (open_by_handle_at takes no O_PATH fd). */
static int open_mount_of(pid_t pid, dev_t dev)
{
	char name[64], line[4096], want[32], mnt[4096];
	int fd = -1;
	FILE *f;

	snprintf(name, sizeof(name), "/proc/%d/mountinfo", (int)pid);
	snprintf(want, sizeof(want), "%u:%u", major(dev), minor(dev));
	if (!(f = fopen(name, "re")))
		return -1;
	while (fd < 0 && fgets(line, sizeof(line), f)) {
		char devs[32];
		if (sscanf(line, "%*d %*d %31s %*s %4095s", devs, mnt) != 2 ||
		    strcmp(devs, want))
			continue;
		unescape(mnt);
		fd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	fclose(f);
	return fd;
}

static char *by_handle(pid_t pid, dev_t dev, ino_t ino, const struct fz_file_handle *fh)
{
	struct {
		struct file_handle h;
		unsigned char bytes[sizeof(fh->handle)];
	} h;
	char link[64], path[FZ_PATH_MAX];
	int mfd, fd;
	ssize_t n = -1;

	if (!fh->bytes || (mfd = open_mount_of(pid, dev)) < 0)
		return NULL;
	h.h.handle_bytes = fh->bytes;
	h.h.handle_type = fh->type;
	memcpy(h.h.f_handle, fh->handle, fh->bytes);
	fd = open_by_handle_at(mfd, &h.h, O_PATH | O_CLOEXEC);
	close(mfd);
	if (fd < 0)
		return NULL;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	path[n] = 0;
	return if_same(path, dev, ino);
}

/* path, then each directory above it. */
static char *path_or_above(const char *path, dev_t dev, ino_t ino)
{
	char buf[FZ_PATH_MAX], *slash, *found;

	if (!path || path[0] != '/' || strlen(path) >= sizeof(buf))
		return NULL;
	strcpy(buf, path);
	for (;;) {
		if ((found = if_same(buf, dev, ino)))
			return found;
		slash = strrchr(buf, '/');
		if (!slash || slash == buf)
			return if_same("/", dev, ino);
		*slash = 0;
	}
}

static char *in_directory(const char *dir, dev_t dev, ino_t ino)
{
	char path[FZ_PATH_MAX];
	struct dirent *e;
	char *found = NULL;
	DIR *d = dir ? opendir(dir) : NULL;

	if (!d)
		return NULL;
	while (!found && (e = readdir(d))) {
		if (e->d_ino != ino || !strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) < (int)sizeof(path))
			found = if_same(path, dev, ino);
	}
	closedir(d);
	return found;
}

static char *by_search(const struct target *t, dev_t dev, ino_t ino)
{
	char *found = path_or_above(t->cwd, dev, ino);

	if (!found)
		found = in_directory(t->cwd, dev, ino);
	for (size_t i = 0; !found && i < t->nfds; i++)
		found = path_or_above(t->fds[i].path, dev, ino);
	for (size_t i = 0; !found && i < t->nmaps; i++)
		found = path_or_above(t->maps[i].path, dev, ino);
	return found;
}

char *inode_path(const struct target *t, dev_t dev, ino_t ino,
		 const struct fz_file_handle *fh)
{
	char *path = by_handle(t->pid, dev, ino, fh);

	return path ? path : by_search(t, dev, ino);
}
