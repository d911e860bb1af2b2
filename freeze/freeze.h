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
};

struct fd_entry {
	struct fz_fd rec;
	char *path;           /* for FZ_FD_FILE, else NULL */
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

struct socket_entry {
	struct fz_socket rec;
	uint8_t *data;        /* rec.data_len bytes queued in it */
	struct fz_tcp_repair repair;  /* state FZ_SOCK_TCP_REPAIR only: */
	uint8_t *send_queue;  /* repair.send_len bytes */
	int held_fd;          /* freeze's copy, in repair mode, or -1 */
};

/* A shared memory object (see struct fz_shmem), and how to read it. */
struct shmem_entry {
	struct fz_shmem rec;
	char *name;
	uint64_t dev, ino;
	int fd;               /* freeze's own fd on it, or -1: read the mappings */
	bool fd_seekable;     /* fd has its own offset: SEEK_DATA may skip holes */
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

struct anon_fds;          /* collect_anon_fds.h */

struct options {
	const char *output;   /* path or "-" */
	pid_t pid;
	bool kill, stop, quiet, verbose;
	enum fz_encoding encoding;
	unsigned jobs;        /* compression threads */
	enum unsupported_fd_policy unsupported_fds;
	bool tcp_established; /* --tcp-established: TCP_REPAIR connections */
	bool save_files;      /* --save-files: every open file's bytes too */
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
	char *cwd;
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
	struct fz_lock *locks;
	size_t nlocks;
	struct anon_fds *anon;      /* eventfd, timerfd, signalfd, inotify, epoll */
	struct tty_state *tty;      /* NULL: no fd of the process is a terminal */
	struct shmem_entry *shmems;
	size_t nshmems;
	uint64_t syscall_insn;      /* address of a syscall instruction */
	uint64_t scratch_addr;      /* a page injected syscalls write to */
};

/* Errors: every step returns 0 or -errno and names what failed with fail(). */
int fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Like fail(), but this message replaces any kept so far: a better cause. */
int fail_replace(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *fail_message(void);
void note(const struct options *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void warnx_fz(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * target_changed.c: when a step fails, was it because the target ended or
 * executed a new program meanwhile? target_exec_mark() is taken before the
 * freeze starts; explain_target_change() names the cause, or returns err.
 */
uint64_t target_exec_mark(pid_t pid);
int explain_target_change(pid_t pid, uint64_t exec_mark, int err);

/*
 * wait_tracee.c: waitpid() for one traced thread that returns -ESRCH when
 * the thread is no longer ours, instead of waiting forever.
 */
int wait_tracee(pid_t tid, int *status);

/* guard.c: the work runs in a child that unwinds when freeze is killed. */
void guard_start(void);
bool interrupted(void);
/* 0, or -EINTR named with fail() when SIGINT/SIGTERM/SIGHUP came. */
int check_interrupted(void);

/* attach.c: stop every thread; detach() undoes everything attach did. */
int check_target(pid_t pid);
int attach(struct target *t);
/* The seized thread with this tid, or NULL. */
struct thread *find_thread(const struct target *t, pid_t tid);
int detach(struct target *t, int stop_sig);
void kill_target(struct target *t);
/* Stop the leader of a detached target again, for injected syscalls. */
int reattach_leader(struct target *t);

/*
 * inject.c: run syscalls inside a stopped thread of the target. inject_init
 * maps a scratch page in it (t->scratch_addr), inject_finish unmaps it.
 */
int inject_init(struct target *t);
int inject_syscall(struct target *t, struct thread *th, long nr,
		   const uint64_t args[6], long *result);
/* Read back what the last syscall wrote to the scratch page. */
int inject_read_scratch(struct target *t, void *buf, size_t len);
int inject_finish(struct target *t);
/* Copy bytes from or to the target's memory. 0 or -errno. */
int remote_rw(pid_t pid, uint64_t addr, void *buf, size_t len, bool write);
/* Signals that arrived during injections, sent again before detaching. */
void inject_resend_signals(struct target *t);
/* The pid of the child the last injected clone created (ptrace's view). */
pid_t inject_last_child(void);
/* Hold back one more such signal (leave_vdso.c steps threads too). */
void inject_hold_signal(int sig);

/* leave_vdso.c: step each thread stopped inside the vdso out of it. */
int leave_vdso(struct target *t, const struct options *o);

/* collect_*.c */
int collect_regs(struct target *t);
int collect_proc(struct target *t);
int collect_injected(struct target *t);
/*
 * An injected syscall makes the kernel clear a thread's rseq_cs: save it
 * before, put it back after.
 */
void rseq_cs_save(struct target *t, struct thread *th);
int rseq_cs_restore(struct target *t, struct thread *th);
int collect_maps(struct target *t);
int collect_fds(struct target *t, const struct options *o);
int collect_pending_signals(struct target *t);
/* collect_creds.c: the uids and gids, for the CREDS record. */
int collect_creds(struct target *t);
/* collect_timers.c: timer_create() timers; runs injected syscalls. */
int collect_posix_timers(struct target *t);
/* collect_pipes.c: the pipe read through read_fd, with its unread bytes. */
int collect_pipe(struct target *t, int read_fd, uint64_t id);
/* A copy of fd of process pid in freeze (pidfd_getfd), or -errno. */
int pidfd_dup(pid_t pid, int fd);
/*
 * collect_tty.c: after collect_fds: settle which terminal FZ_FD_TTY fds
 * are and record its settings. tty_leave_sane: before -k kills the
 * process, put a terminal it left in raw mode back to cooked mode.
 */
int collect_tty(struct target *t, const struct options *o);
void tty_leave_sane(const struct target *t, const struct options *o);
/* collect_anon_fds.c: FZ_FD_* kind of an anon_inode fd freeze restores, or 0. */
uint32_t anon_fd_kind(const char *link);
/* The state of every such fd, once all fds are classified. */
int collect_anon_fds(struct target *t);
/* collect_sockets.c: a SOCKET record for each fd classified FZ_FD_SOCKET. */
int collect_sockets(struct target *t, const struct options *o);
/*
 * collect_tcp_repair.c: the connection state of an established TCP socket
 * (s: freeze's copy of the process's fd), which stays in repair mode until
 * release_tcp_repair(): then a killed process's connections close without
 * a word to their peers, the others work on as before.
 */
int collect_tcp_repair(pid_t pid, int fd, int s, struct socket_entry *e);
void release_tcp_repair(struct target *t, bool killed);
void tcp_repair_release(struct socket_entry *e, bool killed);

/*
 * collect_shmem.c: shared memory objects behind FZ_MAP_SHMEM mappings and
 * FZ_FD_MEMFD fds (run after collect_maps and collect_fds).
 */
bool is_shmem_mapping(const struct map_entry *m);
bool is_memfd(const char *link, uint64_t dev);
int collect_shmem(struct target *t);
/* write_shmem.c: each object's record and page chunks. */
struct image_writer;
int write_shmem(struct target *t, struct image_writer *w);

/*
 * snapshot.c: for a freeze that leaves the process running, a copy-on-write
 * copy of its memory (t->copy_pid) so it need not stay stopped while its
 * memory is written. snapshot_start: 0 when the copy exists, else the
 * process must stay stopped; snapshot_end removes the copy.
 */
int snapshot_start(struct target *t, const struct options *o);
void snapshot_end(struct target *t, const struct options *o);

/*
 * collect_files.c: regular files, directories, O_PATH fds. classify_file
 * takes the fds is_file_fd accepts; collect_files then records each regular
 * file once (and opens those whose bytes go into the image).
 */
struct stat;
bool is_file_fd(const char *link, const struct stat *st, uint32_t flags);
int classify_file(pid_t pid, const char *link, const struct stat *st,
		  struct fd_entry *e);
int collect_files(struct target *t, const struct options *o);
/* Do file contents go into the image (read while it is written)? */
bool saves_file_contents(const struct target *t);
/* collect_locks.c: flock, POSIX and OFD locks, after collect_files. */
int collect_locks(struct target *t);

/* write_pages.c: every mapping's record and page chunks. */
struct image_writer;
/* write_files.c: the FILE records and the bytes they carry. */
int write_files(const struct target *t, struct image_writer *w);
int write_memory(struct target *t, struct image_writer *w);
/* collect_anon_fds.c: their records. */
int write_anon_fds(const struct target *t, struct image_writer *w);
/* write_image.c: the payload, written front to back to out. */
struct output;
int write_image(struct target *t, const struct output *out,
		enum fz_encoding enc, unsigned jobs, uint64_t *image_size);

/*
 * link_elf.c: place the stub in a hole of the target's address space and
 * write it, behind an ELF header, up to where the payload starts; the
 * payload may be at most *payload_room bytes.
 */
int link_output(const struct target *t, const struct output *out,
		uint64_t *payload_room);

/* output.c */
struct output {
	const char *path;     /* final name, or "-" */
	char *tmp_path;       /* NULL for standard output */
	int fd;
};
int output_open(struct output *out, const char *path);
/* "standard output", or the path: for messages. */
const char *output_name(const struct output *out);
int output_commit(struct output *out);
void output_abort(struct output *out);

/* append.c: add a copy of item (size bytes) to *array of *n items. 0 or -ENOMEM. */
int append_item(void *array, size_t *n, size_t size, const void *item);

/* proc_files.c: small helpers for /proc/PID files and writing. */
int read_proc_file(pid_t pid, const char *name, char *buf, size_t cap,
		   size_t *len);
/* The number after key (e.g. "\nTracerPid:") in a status file's text. */
int status_field(const char *status, const char *key, long *value);
/* Write all of buf where the file is, retrying short writes. 0 or -errno. */
int write_all(int fd, const void *buf, size_t len);
int write_zeros(int fd, size_t len);

#endif
