/*
 * File descriptors: files, directories, pipes and FIFOs, devices, the
 * anon-inode kinds (eventfd, timerfd, signalfd, inotify, epoll) and file
 * locks. collect_fds() classifies every fd and hands each kind to its
 * collector.
 */
#ifndef FREEZE_FDS_H
#define FREEZE_FDS_H

#include "freeze.h"

struct image_writer;
struct stat;

/* collect_fds.c: every fd of the process, or a refusal naming one. */
int collect_fds(struct target *t, const struct options *o);
/* collect_pipes.c: the pipe fd is an end of (write_end: its write end),
   with its unread bytes. */
int collect_pipe(struct target *t, int fd, uint64_t id, bool write_end);
/*
 * collect_files.c: regular files, directories, O_PATH fds. classify_file
 * takes the fds is_file_fd accepts; collect_files then records each regular
 * file once (and opens those whose bytes go into the image).
 */
bool is_file_fd(const char *link, const struct stat *st, uint32_t flags);
int classify_file(pid_t pid, const char *link, const struct stat *st,
		  struct fd_entry *e);
int collect_files(struct target *t, const struct options *o);
/*
 * collect_dead_paths.c: each removed directory and deleted symlink of an
 * FZ_FD_DEAD_PATH fd recorded once, with what its stand-in needs.
 */
int collect_dead_paths(struct target *t);
int write_dead_paths(const struct target *t, struct image_writer *w);
/* Do file contents go into the image (read while it is written)? */
bool saves_file_contents(const struct target *t);
/* collect_locks.c: flock, POSIX and OFD locks, after collect_files. */
int collect_locks(struct target *t);
/* collect_anon_fds.c: FZ_FD_* kind of an anon_inode fd freeze restores, or 0. */
uint32_t anon_fd_kind(const char *link);
/* The state of every such fd, once all fds are classified. */
int collect_anon_fds(struct target *t);

/*
 * refuse_io_uring.c: io_uring instances, as fds or as mapped rings, are
 * refused with a message naming the fd (refuse_io_uring looks it up).
 */
bool is_io_uring_link(const char *link);
bool is_io_uring_mapping(const struct map_entry *m);
int refuse_io_uring_fd(pid_t pid, int fd);
int refuse_io_uring(pid_t pid, uint64_t addr);

/* write_files.c: the FILE records and the bytes they carry. */
int write_files(const struct target *t, struct image_writer *w);
/* collect_anon_fds.c: their records. */
int write_anon_fds(const struct target *t, struct image_writer *w);

#endif
