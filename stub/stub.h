/* What the stub knows about the process it is about to rebuild. */
#ifndef FREEZE_STUB_H
#define FREEZE_STUB_H

#include <stdint.h>

#include "arch.h"
#include "image_read.h"
#include "vdso_elf.h"

#define STUB_MAX_SHARED_MAPS 256

/* Status flags open(2) can set again; creation flags must not come back. */
#define REOPEN_FLAGS (O_ACCMODE | O_APPEND | O_NONBLOCK | O_DSYNC | O_DIRECT | \
		      O_LARGEFILE | O_NOATIME | __O_SYNC)

/* An fd the stub opened before the point of no return, to place later. */
struct prepared_fd {
	const struct fz_fd *rec;
	int tmp;                 /* the stub's own number for it, or: */
#define INHERIT_FD (-2)          /* keep the resumer's fd at this number */
};
_Static_assert(sizeof(struct prepared_fd) <= FZ_STUB_FD_ROOM,
	       "freeze reserves FZ_STUB_FD_ROOM bytes per fd for this");

/* The file behind a MAP_SHARED mapping, opened before the point of no return. */
struct prepared_map {
	const struct fz_mapping *rec;
	int fd;
};

/* A pipe of the process, rebuilt with its unread bytes. */
#define STUB_MAX_PIPES 256
struct prepared_pipe {
	const struct fz_pipe *rec;
	int ends[2];             /* read, write: the stub's own fds */
};

/* A socket of the process, rebuilt (see restore_sockets.c). */
#define STUB_MAX_SOCKETS 256
struct prepared_socket {
	const struct fz_socket *rec;
	int fd;                  /* the stub's own fd */
};

/* A shared memory object, rebuilt before the point of no return. */
#define STUB_MAX_SHMEM 256
struct prepared_shmem {
	const struct fz_shmem *rec;
	int fd;                  /* the new memfd (lifted); -1 for SysV */
	int shmid;               /* SysV: the segment on this host, or -1 */
	int fd_given;            /* an fd of the process took fd itself */
	int created;             /* SysV: made here, so removed on failure */
};

/* The process's terminal and the one ./out.bin was started on. */
struct stub_tty {
	const struct fz_tty *rec;  /* NULL: the process had none */
	int fd;                    /* the resumer's terminal (stub's copy), or -1 */
	int looked;                /* rec and fd are set */
};

/* Options of the image: ./out.bin [--info|--verify] [--vdso=..] [--cpu=..] */
enum cpu_policy {
	CPU_ALL,                 /* every CPU feature the source had (default) */
	CPU_IN_USE,              /* only the XSAVE components threads had in use */
	CPU_ANY,                 /* no check, a warning */
};
struct stub_opts {
	const char *mode;        /* "", "--info" or "--verify" */
	enum vdso_option {
		VDSO_AUTO,       /* move the same build, else redirect */
		VDSO_FORCE_REDIRECT,     /* --vdso=redirect, even for the same build */
		VDSO_FORCE_SYSCALL,      /* --vdso=syscall: every entry point */
	} vdso;
	enum cpu_policy cpu;
	int map_pages;           /* --map-pages: uncompressed chunks are mapped
				    from the image file, not copied */
};

/* plan_vdso.c: what becomes of the process's vdso, decided up front. */
#define STUB_MAX_VDSO_PATCHES 64
struct vdso_patch {
	uint64_t offset;         /* the entry point, in the old vdso */
	int64_t host;            /* the same function in the host's, or -1 */
	const char *name;
};
enum vdso_mode { VDSO_NONE, VDSO_MOVE, VDSO_REDIRECT };
struct vdso_plan {
	enum vdso_mode mode;
	const struct fz_mapping *old;   /* the process's [vdso] */
	const struct fz_mapping *first; /* its first vvar/vdso mapping */
	const uint8_t *old_bytes;
	uint32_t old_len;
	struct vdso_elf host;
	int host_ok;                    /* the host's vdso can be mapped at dest */
	uint64_t host_start, host_len;  /* its vvar+vdso block, as given */
	uint64_t host_vdso_off;         /* its vdso within the block */
	int host_in_hole;               /* the kernel put it in the stub's hole */
	uint64_t dest;                  /* where the block is mapped again */
	struct vdso_patch patches[STUB_MAX_VDSO_PATCHES];
	unsigned npatches;
	char host_why[160];             /* why !host_ok */
	char why[160];                  /* why plan_vdso refused */
};

/* Kernel features probe_kernel.c found (bits of stub.kernel). */
#define KF_RSEQ 1u
#define KF_MM_MAP 2u
#define KF_TIMER_IDS 4u
#define KF_CLOSE_RANGE 8u

struct stub {
	struct stub_opts opt;
	struct image img;
	const struct fz_stub_params *params;
	uint64_t payload_size;                  /* mapped at params->payload_addr */
	int self_fd;                            /* our own file, kept open for
						   --map-pages; else -1 */
	uint64_t hole_end;                      /* [params->hole_start, hole_end):
						   the stub and its payload */
	const struct fz_process *proc;
	const struct fz_thread *threads[FZ_MAX_THREADS]; /* [0]: the leader */
	unsigned nthreads;
	const struct fz_sigaction *sigactions;  /* NULL if not recorded */
	const struct fz_rlimit *rlimits;        /* NULL if not recorded */
	const struct fz_itimer *itimers;        /* NULL if not recorded */
	const char *cwd;                        /* NULL if not recorded */
	const void *auxv;
	uint32_t auxv_len;
	const struct fz_cpu *cpu;               /* NULL if not recorded */
	const struct fz_xsave_layout *xsave_layout; /* NULL if not recorded */
	struct fz_cpu host;
	uint64_t host_vdso;                     /* AT_SYSINFO_EHDR, or 0 */
	const char *execfn;                     /* AT_EXECFN, or NULL */
	int cwd_fd;                             /* -1 when cwd is not restored */
	struct prepared_fd *fds;  /* one per FD record, behind the stacks */
	unsigned nfds;
	int max_fd;
	struct prepared_map shared[STUB_MAX_SHARED_MAPS];
	unsigned nshared;
	struct prepared_pipe pipes[STUB_MAX_PIPES];
	unsigned npipes;
	struct prepared_socket sockets[STUB_MAX_SOCKETS];
	unsigned nsockets;
	struct prepared_shmem shmems[STUB_MAX_SHMEM];
	unsigned nshmems;
	struct stub_tty tty;
	struct vdso_plan vdso;
	unsigned kernel;                        /* KF_*: what probe_kernel found */
	uint64_t xstate_in_use;                 /* union of the threads' XSTATE_BV */
};

/* Steps before the point of no return: they may fail and exit cleanly. */
void load_image(struct stub *st);
/* map_payload.c: find the payload in our own file, refuse a file longer or
 * shorter than the image, and map the payload at its place. */
void map_payload(struct stub *st);
void print_info(struct stub *st);
/* info_creds.c: the credentials at freeze, and a warning if they were root's. */
void print_creds(const struct stub *st);
/* info_anon_fds.c: the state of an eventfd, timerfd, ... fd, for --info. */
void print_anon_fd_state(const struct stub *st, const struct fz_fd *f);
/* check_host.c: refuses (exits) unless this host can run the image. */
void check_host(struct stub *st);
/* check_limits.c: this host's fd and mapping limits are high enough. */
void check_limits(const struct stub *st);
/* The CPU verdict check_host gives under st->opt.cpu, for --info. */
void print_cpu_verdict(const struct stub *st);
/* probe_kernel.c: fills st->kernel; warns, refuses, or (for_info) lists. */
void probe_kernel(struct stub *st, int for_info);
/* plan_vdso.c: decide what to do with the vdso; -1 with vdso.why. */
int plan_vdso(struct stub *st);
/* Entry points that fall back to system calls, each named to fn. */
unsigned vdso_fallbacks(const struct stub *st, void (*fn)(const char *, void *),
			void *ctx);
void prepare_fds(struct stub *st);
/* The prepared entry of the process's fd number fd, or NULL. */
const struct prepared_fd *find_prepared(const struct stub *st, int fd);
/* Move fd above every number the process uses; closes the original. */
int lift_fd(const struct stub *st, int fd);
/* prepare_paths.c: prepare_fds's step for a directory or O_PATH fd. */
int prepare_path_fd(const struct stub *st, const struct fz_fd *f);
/*
 * prepare_files.c: every regular file's fds, after prepare_fds: files
 * rebuilt when deleted or missing, checked for changes otherwise.
 */
void prepare_files(struct stub *st);
/* Only what prepare_files checks: vanished files refused, changed ones named. */
void check_files(const struct stub *st);
/* fill_file.c: write file's saved bytes into fd; buf: one decoded block. */
long fill_file(const struct stub *st, int fd, const struct fz_file *file,
	       uint8_t *buf);
/* restore_locks.c: take back flock and OFD locks, check POSIX ones are free. */
void prepare_locks(const struct stub *st);
/* prepare_anon_fds.c: an eventfd, timerfd, signalfd, inotify or epoll fd
   with its state, lifted; prepare_inotify.c: an inotify fd, not lifted. */
int prepare_anon_fd(const struct stub *st, const struct fz_fd *f);
int prepare_inotify(const struct stub *st, int fd);
/* restore_epoll.c: every registration names fds the image has. */
void check_epoll_targets(const struct stub *st);
/* restore_sockets.c: every SOCKET record rebuilt; the one fd f names. */
void prepare_sockets(struct stub *st);
int socket_fd(const struct stub *st, const struct fz_fd *f);
/* restore_tcp_repair.c: connections out of repair mode, after the point
 * of no return. */
void release_repaired(const struct stub *st);
/* info_sockets.c: what --info says about socket fd f. */
void print_socket_fd(const struct stub *st, const struct fz_fd *f);
void prepare_cwd(struct stub *st);
void prepare_shared_maps(struct stub *st);
/* Move fd above every number the process uses; closes the original. */
int lift_fd(const struct stub *st, int fd);
/*
 * prepare_shmem.c: memfd-backed objects and the keyed SysV segments this
 * host has (from prepare_fds, once max_fd is known), the fds of memfds;
 * prepare_sysv creates the other SysV segments, last: nothing may fail
 * between their creation and the point of no return.
 */
void prepare_shmem(struct stub *st);
int prepare_memfd_fd(struct stub *st, const struct fz_fd *f);
void prepare_sysv(struct stub *st);
const struct prepared_shmem *find_shmem(const struct stub *st, uint64_t id);
/* info_shmem.c: --info's list of shared memory objects. */
void print_shmem(const struct stub *st);
/*
 * restore_tty.c: prepare_tty finds the terminal ./out.bin runs on (after
 * prepare_fds); prepare_tty_fd is prepare_fds's step for an FZ_FD_TTY fd.
 */
void prepare_tty(struct stub *st);
int prepare_tty_fd(struct stub *st, const struct fz_fd *f);
/* restore_clocks.c: hide that this host's clocks are behind the process's. */
void prepare_clocks(const struct stub *st);
/* Is this host behind? By how many seconds, for messages. */
int clocks_behind(const struct stub *st, int64_t *mono_sec, int64_t *boot_sec);

/* Steps after it, in this order (resume.c). */
void restore_vdso_park(const struct stub *st);
void unmap_all_but_stub(const struct stub *st);
void restore_vdso_place(const struct stub *st);
void restore_mappings(const struct stub *st);
/* fill_pages.c: every chunk's pages, on every usable CPU. */
void fill_pages(const struct stub *st);
/* workers.c: fn on this thread and on a worker per other usable CPU (none
 * for a small image), on the worker stacks; returns when all are done. */
void run_on_cpus(const struct stub *st, void (*fn)(const struct stub *));
/* verify_page_data.c: every chunk's stored data, on every usable CPU;
 * refuses a damaged image. Needs the stub's stacks. */
void verify_page_data(const struct stub *st);
/* restore_shmem.c: map one FZ_MAP_SHMEM mapping; then seal and mark removed. */
void restore_shmem_map(const struct stub *st, const struct fz_mapping *m);
void restore_shmem_finish(const struct stub *st);
void restore_mm_fields(const struct stub *st);
void restore_signals(const struct stub *st);
void place_fds(const struct stub *st);
/* After place_fds: any close of an fd on a file drops POSIX locks on it. */
void restore_posix_locks(const struct stub *st);
/* Once every fd is in place: the epoll fds' registrations; the timerfds
   armed (arm_timerfd: one, 0 or -errno). */
void restore_epoll(const struct stub *st);
long arm_timerfd(int fd, const struct fz_timerfd *t);
void restore_timerfds(const struct stub *st);
/* Terminal settings, foreground group, a SIGWINCH; before restore_signals. */
void restore_tty(const struct stub *st);
void restore_process_attrs(const struct stub *st);
/* Queue the recorded pending signals of thread `index`, or the shared ones. */
void queue_pending_signals(const struct stub *st, uint32_t index);
/* restore_threads.c: every thread restores its own state and leaves. */
_Noreturn void resume_threads(const struct stub *st);

#endif
