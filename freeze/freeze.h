/* The freezer's model of a stopped process, and the steps that fill it. */
#ifndef FREEZE_FREEZE_H
#define FREEZE_FREEZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "arch.h"
#include "image.h"

#define XSTATE_MAX (64 * 1024)
#define MAX_THREADS FZ_MAX_THREADS

struct map_entry {
	uint64_t start, end, offset;
	uint32_t prot;        /* PROT_* */
	uint32_t kind;        /* enum fz_map_kind */
	uint32_t flags;       /* FZ_MAPF_* */
	bool shared;          /* 's' in /proc/PID/maps */
	bool may_write;       /* VmFlags mw: mprotect could make it writable */
	bool hugetlb;         /* VmFlags ht */
	uint64_t dev, ino;    /* of the file behind it, as maps shows them */
	uint64_t shmem_id;    /* FZ_MAP_SHMEM: its object in t->shmems */
	char *path;           /* file, [heap], [stack], ... or NULL */
	struct fz_range *guards; /* its guard regions (collect_guards.c) */
	size_t nguards;
	bool has_file;        /* FZ_MAP_ANON of a known file (collect_map_files.c) */
	struct fz_map_file file;
};

struct fd_entry {
	struct fz_fd rec;
	char *path;           /* devices, FIFOs, terminals, files, directories,
				 O_PATH fds: the path it is reopened at; or NULL */
};

/* A removed directory or deleted symlink, once per inode. */
struct dead_path {
	struct fz_dead_path rec;
	char *path;   /* without " (deleted)" */
	char *target; /* a symlink's target text, or NULL */
	dev_t dev;
	ino_t ino;
};

/* A regular file open in the process, once per inode. */
struct file_entry {
	struct fz_file rec;
	char *path;           /* without " (deleted)" */
	int fd;               /* freeze's own, to read its bytes; or -1 */
};

struct pipe_entry {
	struct fz_pipe rec;
	uint8_t *data;        /* rec.data_len unread bytes */
};

/* A pty whose master the process holds (freeze/tty/collect_pty.c). */
struct pty_entry {
	struct fz_pty rec;
	dev_t slave_dev; /* the devpts instance of its slave, or 0: unknown */
	dev_t slave_rdev;
	bool hung_up; /* the master polls POLLHUP: no slave is open */
	bool dropped; /* its fds became /dev/null: not recorded */
};

/* An fd in flight in a queued message (FZ_REC_PASSED_FD) and its path. */
struct passed_fd {
	struct fz_passed_fd rec;
	char *path;
};

struct socket_entry {
	struct fz_socket rec;
	/* rec.opts_len bytes of options, then rec.data_len bytes queued in it */
	uint8_t *data;
	struct fz_tcp_repair repair;  /* state FZ_SOCK_TCP_REPAIR only: */
	uint8_t *send_queue;  /* repair.send_len bytes */
	int held_fd;          /* freeze's copy, in repair mode, or -1 */
	int reuse;            /* its SO_REUSEADDR, which leaving repair mode clears */
	int fd;               /* the process's (first) fd number, for messages */
	bool maybe_pending;   /* UNIX client whose connection nobody accepted */
	int sent;             /* then: what it sent and nobody read (SIOCOUTQ) */
	struct passed_fd *passed; /* fds in flight in its queued messages */
	size_t npassed;
};

/* A shared memory object (see struct fz_shmem), and how to read it. */
struct shmem_entry {
	struct fz_shmem rec;
	char *name;
	uint64_t dev, ino;
	int fd;               /* freeze's own fd on it, or -1: read the mappings */
	bool fd_seekable;     /* fd has its own offset: SEEK_DATA may skip holes */
};

/* A Linux AIO context (collect_aio.c): its ring and unreaped completions. */
struct aio_entry {
	struct fz_aio_ring rec;
	struct fz_io_event *events;   /* rec.nevents, oldest first */
};

/* The process's terminal: its settings, and freeze's own copy of it. */
struct tty_state {
	struct fz_tty rec;
	char *path;           /* e.g. /dev/pts/3 */
	int fd;               /* from pidfd_getfd(), to tidy it up after -k */
};

enum unsupported_fd_policy {
	FD_REFUSE,            /* default: freeze fails naming the fd */
	FD_TO_NULL,           /* replaced by /dev/null, with a warning */
};

struct anon_fds;          /* anon_fds.h */

struct options {
	const char *output;   /* path or "-" */
	pid_t pid;
	bool kill, stop, quiet, verbose;
	enum fz_encoding encoding;
	unsigned jobs;        /* compression threads */
	enum unsupported_fd_policy unsupported_fds;
	bool tcp_established; /* --tcp-established: TCP_REPAIR connections */
	bool save_files;      /* --save-files: every open file's bytes too */
	bool alone;           /* --alone: without its children */
};

struct thread {
	pid_t tid;
	bool seized;
	bool regs_changed;          /* injection ran: put live_regs back */
	struct fz_regs live_regs;   /* as the thread stopped */
	struct fz_thread rec;       /* rec.regs: as the image resumes it */
	uint64_t rseq_cs;           /* its rseq area's rseq_cs, before injection */
	uint8_t *xstate;            /* rec.xstate_len bytes */
};

struct target {
	pid_t pid;
	pid_t copy_pid;             /* snapshot.c: a copy to read memory from */
	pid_t copy_vpid;            /* the same, as the process knows it (its
				       pid namespace may be another) */
	uint64_t exec_mark;         /* target_changed.c: to notice an exec */
	struct thread *threads;     /* threads[0] is the thread-group leader */
	size_t nthreads;
	struct fz_process proc;
	struct fz_sigaction sigactions[FZ_NSIG];
	struct fz_itimer itimers[FZ_NITIMERS];
	struct fz_siginfo *pending;     /* queued signals, shared and per thread */
	size_t npending;
	struct fz_posix_timer *timers;
	size_t ntimers;
	struct fz_rlimit rlimits[FZ_NRLIMITS];
	struct fz_creds creds;
	uint32_t *groups; /* supplementary groups */
	size_t ngroups;
	char *cwd;
	struct fz_exe exe;
	char *exe_path;   /* NULL: no EXE record (deleted, or unreadable) */
	uint8_t auxv[4096];
	size_t auxv_len;
	struct fz_cpu cpu;
	struct fz_xsave_layout xsave_layout;
	struct map_entry *maps;
	size_t nmaps;
	uint8_t *vdso;
	size_t vdso_len;
	struct fd_entry *fds;
	size_t nfds;
	struct pipe_entry *pipes;
	size_t npipes;
	struct socket_entry *sockets;
	size_t nsockets;
	struct file_entry *files;
	size_t nfiles;
	struct dead_path *dead_paths;
	size_t ndead_paths;
	struct fz_lock *locks;
	size_t nlocks;
	struct anon_fds *anon;      /* eventfd, timerfd, signalfd, inotify, epoll */
	struct tty_state *tty;      /* NULL: no fd of the process is a terminal */
	struct pty_entry *ptys;     /* ptys whose master it holds */
	size_t nptys;
	struct shmem_entry *shmems;
	size_t nshmems;
	struct aio_entry *aios;     /* one per FZ_MAP_AIO mapping */
	size_t naios;
	uint64_t syscall_insn;      /* address of a syscall instruction */
	uint64_t scratch_addr;      /* a page injected syscalls write to */
};

/* Errors: every step returns 0 or -errno and names what failed with fail(). */
int fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Like fail(), but this message replaces any kept so far: a better cause. */
int fail_replace(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *fail_message(void);
/*
 * What kind of failure it was, for the exit status (include/exit_status.h):
 * fail_class() keeps the first class named, like fail() its message, and
 * fail_class_replace() goes with fail_replace(). exit_status() gives that
 * class, else FZ_EXIT_REFUSED for -ENOTSUP (what every refusal of state
 * that cannot be restored returns), else FZ_EXIT_FAILURE.
 */
void fail_class(int status);
void fail_class_replace(int status);
int exit_status(int err);
void note(const struct options *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "freeze: warning: ..." on stderr, unless quiet_warnings() (-q) was called. */
void warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void quiet_warnings(void);

/* append.c: add a copy of item (size bytes) to *array of *n items. 0 or -ENOMEM. */
int append_item(void *array, size_t *n, size_t size, const void *item);

/* proc_files.c: small helpers for /proc/PID files and writing. */
int read_proc_file(pid_t pid, const char *name, char *buf, size_t cap,
		   size_t *len);
/* A copy of fd of process pid in freeze (pidfd_getfd), or -errno. */
int pidfd_dup(pid_t pid, int fd);
/* The number after key (e.g. "\nTracerPid:") in a status file's text. */
int status_field(const char *status, const char *key, long *value);
/* Write all of buf where the file is, retrying short writes. 0 or -errno. */
int write_all(int fd, const void *buf, size_t len);
int write_zeros(int fd, size_t len);

#endif
