/*
 * What the stub knows about the process it is about to rebuild: struct
 * stub, filled before the point of no return and only read after it.
 * Each concern's steps are declared in its folder's header (core/core.h,
 * image/payload.h, mm/mm.h, vdso/vdso.h, task/task.h, fds/fds.h,
 * net/net.h, tty/tty.h); core/main.c calls them in order.
 */
#ifndef FREEZE_STUB_H
#define FREEZE_STUB_H

#include <stdint.h>

#include "arch.h"
#include "image/image_read.h"
#include "stub_abi.h"
#include "vdso/vdso_elf.h"

/* Status flags open(2) can set again; creation flags must not come back. */
#define REOPEN_FLAGS (O_ACCMODE | O_APPEND | O_NONBLOCK | O_DSYNC | O_DIRECT | \
		      O_LARGEFILE | O_NOATIME | __O_SYNC)

/* An fd the stub opened before the point of no return, to place later. */
struct prepared_fd {
	const struct fz_fd *rec;
	int tmp;                 /* the stub's own number for it, or: */
#define INHERIT_FD (-2)          /* keep the resumer's fd at this number */
};
_Static_assert(sizeof(struct prepared_fd) <= FZ_STUB_TABLE_ROOM,
	       "freeze reserves FZ_STUB_TABLE_ROOM bytes per record for this");

/* The file behind a MAP_SHARED mapping, opened before the point of no return. */
struct prepared_map {
	const struct fz_mapping *rec;
	int fd;
};
_Static_assert(sizeof(struct prepared_map) <= FZ_STUB_TABLE_ROOM, "table room");

/*
 * The file behind a private file mapping (its FZ_REC_MAP_FILE), opened and
 * found unchanged before the point of no return; fd -1 when it is not the
 * file it was: the mapping then comes back as an anonymous copy.
 */
struct prepared_map_file {
	const struct fz_mapping *map;
	const struct fz_map_file *rec;
	int fd;                  /* lifted; or -1 */
	int own;                 /* fd is this entry's to close (not a memfd's,
				    nor another entry's on the same file) */
	int copied;              /* it has chunks to write over the file */
};
_Static_assert(sizeof(struct prepared_map_file) <= FZ_STUB_TABLE_ROOM, "table room");

/* A pipe of the process, rebuilt with its unread bytes. */
struct prepared_pipe {
	const struct fz_pipe *rec;
	int ends[2];             /* read, write: the stub's own fds */
	int taken[2];            /* an fd of the process has ends[i] */
};
_Static_assert(sizeof(struct prepared_pipe) <= FZ_STUB_TABLE_ROOM, "table room");

/* A socket of the process, rebuilt (see net/prepare_sockets.c). */
struct prepared_socket {
	const struct fz_socket *rec;
	int fd;                  /* the stub's own fd */
	int via;           /* deferred: the socket that fills its queue, or -1 */
	uint32_t deferred; /* SOCK_DEFER_*: its queue holds fds, filled by
				    finish_sockets() once every fd is open */
};
_Static_assert(sizeof(struct prepared_socket) <= FZ_STUB_TABLE_ROOM, "table room");

/* A shared memory object, rebuilt before the point of no return. */
struct prepared_shmem {
	const struct fz_shmem *rec;
	int fd;                  /* the new memfd (lifted); -1 for SysV */
	int shmid;               /* SysV: the segment on this host, or -1 */
	int fd_given;            /* an fd of the process took fd itself */
	int created;             /* SysV: made here, so removed on failure */
};
_Static_assert(sizeof(struct prepared_shmem) <= FZ_STUB_TABLE_ROOM, "table room");

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

/* vdso/prepare_vdso.c: what becomes of the process's vdso, decided up front. */
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

/*
 * The exit cleaner (task/prepare_exit_cleaner.c): a process of the stub's
 * own that unmaps the exit area once every thread has left it.
 */
struct stub_cleaner {
	int pid;      /* 0: there is none */
	int to, from; /* the stub's ends of its two pipes (lifted) */
};

/* Kernel features core/probe_kernel.c found (bits of stub.kernel). */
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
	int exe_fd;                             /* the process's executable,
						   to become /proc/self/exe
						   again; -1: it stays the
						   image */
	/* The tables, behind the stacks: one entry per record of their kind. */
	struct prepared_fd *fds;
	unsigned nfds;
	int max_fd;
	struct prepared_map *shared;
	unsigned nshared;
	struct prepared_map_file *map_files;
	unsigned nmap_files;
	struct prepared_pipe *pipes;
	unsigned npipes;
	struct prepared_socket *sockets;
	unsigned nsockets;
	struct prepared_shmem *shmems;
	unsigned nshmems;
	struct stub_tty tty;
	struct vdso_plan vdso;
	struct stub_cleaner cleaner;
	unsigned kernel;                        /* KF_*: what probe_kernel found */
	uint64_t xstate_in_use;                 /* union of the threads' XSTATE_BV */
};

#endif
