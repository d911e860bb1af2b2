/*
 * File descriptors: files, directories, pipes and FIFOs, devices, the
 * anon-inode kinds (eventfd, timerfd, signalfd, inotify, epoll) and file
 * locks. Every fd is opened before the point of no return above the
 * numbers the process uses (prepare_*), and put at its number after it
 * (restore_*).
 */
#ifndef FREEZE_STUB_FDS_H
#define FREEZE_STUB_FDS_H

#include <linux/fcntl.h>

#include "stub.h"

/* Before the point of no return. */
/* prepare_fds.c: every FD record prepared; first, as it learns max_fd. */
void prepare_fds(struct stub *st);
/* The highest fd number the process uses (2 at least): max_fd. */
int highest_image_fd(const struct stub *st);
/* The prepared entry of the process's fd number fd, or NULL. */
const struct prepared_fd *find_prepared(const struct stub *st, int fd);
/* Move fd above every number the process uses; closes the original. */
int lift_fd(const struct stub *st, int fd);
/* open() a path, the result lifted; -errno. */
int open_lifted(const struct stub *st, const char *path, int flags);
/* prepare_pipes.c: a PIPE record rebuilt with its unread bytes; the end
   an FZ_FD_PIPE fd names. */
void prepare_pipe(struct stub *st, const struct fz_pipe *rec);
int pipe_end(struct stub *st, const struct fz_fd *f);
/* prepare_paths.c: prepare_fds's step for a directory or O_PATH fd. */
int prepare_path_fd(const struct stub *st, const struct fz_fd *f);
/*
 * prepare_files.c: every regular file's fds, after prepare_fds: files
 * rebuilt when deleted or missing, checked for changes otherwise.
 */
void prepare_files(struct stub *st);
/* Only what prepare_files checks: vanished files refused, changed ones named. */
void check_files(const struct stub *st);
/* prepare_dead_paths.c, at the end of prepare_fds: the fds on removed
   directories and deleted symlinks get stand-ins. */
void prepare_dead_paths(struct stub *st);
/* prepare_file_data.c: write file's saved bytes into fd; buf: one decoded block. */
long fill_file(const struct stub *st, int fd, const struct fz_file *file,
	       uint8_t *buf);
/* prepare_locks.c: take back flock and OFD locks, check POSIX ones are free. */
void prepare_locks(const struct stub *st);
/* The range and kind of lock l, as F_SETLK takes it. */
struct flock lock_range(const struct fz_lock *l);
/* prepare_anon_fds.c: an eventfd, timerfd, signalfd, inotify or epoll fd
   with its state, lifted; prepare_inotify.c: an inotify fd, not lifted. */
int prepare_anon_fd(const struct stub *st, const struct fz_fd *f);
int prepare_inotify(const struct stub *st, int fd);
/* info_anon_fds.c: the state of an eventfd, timerfd, ... fd, for --info. */
void print_anon_fd_state(const struct stub *st, const struct fz_fd *f);
/* The same as members of the fd's --json object. */
void json_anon_fd_state(const struct stub *st, const struct fz_fd *f);

/* After it, in this order. */
/* restore_fds.c: every prepared fd moved to its number. */
void place_fds(const struct stub *st);
/* restore_epoll.c: once every fd is in place, the epoll registrations. */
void restore_epoll(const struct stub *st);
/* restore_timerfds.c: the timerfds armed (arm_timerfd: one, 0 or -errno). */
long arm_timerfd(int fd, const struct fz_timerfd *t);
void restore_timerfds(const struct stub *st);
/* restore_locks.c, after place_fds: any close of an fd on a file drops
   POSIX locks on it, so they are taken last. */
void restore_posix_locks(const struct stub *st);

#endif
