/*
 * The state of the fds on anonymous inodes freeze restores: eventfd,
 * timerfd, signalfd, inotify and epoll. Shared by collect_anon_fds.c and
 * the per-kind collectors.
 */
#ifndef FREEZE_ANON_FDS_H
#define FREEZE_ANON_FDS_H

#include <stdio.h>
#include <sys/types.h>

#include "freeze.h"

struct inotify_watch {
	struct fz_inotify_watch rec;
	char *path;
};

struct anon_fds {
	struct fz_eventfd *eventfds;
	size_t neventfds;
	struct fz_timerfd *timerfds;
	size_t ntimerfds;
	struct fz_signalfd *signalfds;
	size_t nsignalfds;
	struct inotify_watch *watches;
	size_t nwatches;
	struct fz_epoll_target *epoll;
	size_t nepoll;
};

/* /proc/PID/fdinfo/FD, open for reading; NULL with errno set. */
FILE *fdinfo_open(pid_t pid, int fd);
/* The number after `key` on its line, in `base`; -ENOENT if no such line. */
int fdinfo_field(FILE *f, const char *key, int base, uint64_t *value);

/* collect_timerfd.c, collect_inotify.c, collect_epoll.c */
int collect_timerfd(struct target *t, int fd, FILE *info);
int collect_inotify(struct target *t, int fd, FILE *info);
int collect_epoll(struct target *t, int fd, FILE *info);

/* inode_path.c: a path that leads to inode `ino` of device `dev` now. */
struct fz_file_handle {
	unsigned bytes;
	int type;
	unsigned char handle[128];
};
char *inode_path(const struct target *t, dev_t dev, ino_t ino,
		 const struct fz_file_handle *fh);

#endif
