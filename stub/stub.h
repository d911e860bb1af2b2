/* What the stub knows about the process it is about to rebuild. */
#ifndef FREEZE_STUB_H
#define FREEZE_STUB_H

#include <stdint.h>

#include "arch.h"
#include "image_read.h"

#define STUB_MAX_SHARED_MAPS 256

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

struct stub {
	struct image img;
	const struct fz_stub_params *params;
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
};

/* Steps before the point of no return: they may fail and exit cleanly. */
void load_image(struct stub *st);
/* check_file.c: refuse a file longer or shorter than the image. */
void check_file_size(const struct stub *st);
void print_info(const struct stub *st);
/* info_creds.c: the credentials at freeze, and a warning if they were root's. */
void print_creds(const struct stub *st);
void check_host(const struct stub *st);
/* check_limits.c: this host's fd and mapping limits are high enough. */
void check_limits(const struct stub *st);
void prepare_fds(struct stub *st);
/* The prepared entry of the process's fd number fd, or NULL. */
const struct prepared_fd *find_prepared(const struct stub *st, int fd);
void prepare_cwd(struct stub *st);
void prepare_shared_maps(struct stub *st);
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
void restore_mm_fields(const struct stub *st);
void restore_signals(const struct stub *st);
void place_fds(const struct stub *st);
void restore_process_attrs(const struct stub *st);
/* Queue the recorded pending signals of thread `index`, or the shared ones. */
void queue_pending_signals(const struct stub *st, uint32_t index);
/* restore_threads.c: every thread restores its own state and leaves. */
_Noreturn void resume_threads(const struct stub *st);

#endif
