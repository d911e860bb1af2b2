/*
 * io_uring instances are refused: their submission and completion queues,
 * the requests in flight and the registered files and buffers live in the
 * kernel, and no interface gives them back. The instance shows as an fd
 * (anon_inode:[io_uring]) and, mapped, as its rings in the maps; either
 * one refuses the freeze before anything changed, naming the fd.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fds/fds.h"

#define IO_URING_LINK "anon_inode:[io_uring]"

bool is_io_uring_link(const char *link)
{
	return link && !strcmp(link, IO_URING_LINK);
}

bool is_io_uring_mapping(const struct map_entry *m)
{
	return is_io_uring_link(m->path);
}

int refuse_io_uring_fd(pid_t pid, int fd)
{
	return fail(-ENOTSUP, "process %d: fd %d is an io_uring instance: not "
		    "supported (its queued and in-flight requests cannot be carried)",
		    (int)pid, fd);
}

/* The lowest fd of the process that is an io_uring instance, or -1. */
static int io_uring_fd(pid_t pid)
{
	char dir[64], path[PATH_MAX], link[PATH_MAX];
	int found = -1;
	struct dirent *d;
	DIR *fds;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	if (!(fds = opendir(dir)))
		return -1;
	while ((d = readdir(fds))) {
		int fd = atoi(d->d_name);
		ssize_t n;
		if (d->d_name[0] == '.' || (found >= 0 && fd > found))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n > 0 && (link[n] = 0, is_io_uring_link(link)))
			found = fd;
	}
	closedir(fds);
	return found;
}

int refuse_io_uring(pid_t pid, uint64_t addr)
{
	int fd = io_uring_fd(pid);

	if (fd < 0)
		return fail(-ENOTSUP, "process %d: an io_uring instance is mapped at "
			    "%#lx (its fd is closed): io_uring is not supported",
			    (int)pid, (unsigned long)addr);
	return fail(-ENOTSUP, "process %d: fd %d is an io_uring instance (its rings "
		    "are mapped at %#lx): not supported (its queued and in-flight "
		    "requests cannot be carried)", (int)pid, fd, (unsigned long)addr);
}
