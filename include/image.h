/*
 * The freeze image format: the one contract between freeze/ (writer) and
 * stub/ (reader) about the payload. See FORMAT.md beside this file; the
 * two must agree. How freeze links the stub (its parameters, stacks and
 * symbols) is stub_abi.h's.
 *
 * All integers are little-endian, all structs have fixed sizes (asserted
 * below) and no implicit padding, so the same header compiles unchanged in
 * the hosted freezer and the freestanding stub.
 */
#ifndef FREEZE_IMAGE_H
#define FREEZE_IMAGE_H

#include <stdint.h>

#define FZ_MAGIC "FRZIMAGE"
#define FZ_MAGIC_LEN 8
#define FZ_VERSION 4
#define FZ_PAGE_SIZE 4096UL
#define FZ_CHUNK_MAX_PAGES 256 /* 1 MiB of raw page data per chunk */
#define FZ_PATH_MAX 4096
#define FZ_NSIG 64
#define FZ_NRLIMITS 16
#define FZ_MAX_THREADS 1024

/*
 * The payload ends with this trailer; offsets are from the payload's first
 * byte. It comes last so that freeze can write the image front to back in
 * one pass (to a pipe, too): these figures are only known at the end.
 */
struct fz_trailer {
	char magic[FZ_MAGIC_LEN];
	uint32_t version;
	uint32_t trailer_size;   /* sizeof(struct fz_trailer) */
	uint64_t image_size;     /* page data + records + trailer */
	uint64_t records_offset; /* 8-aligned */
	uint64_t records_size;
	uint32_t record_count;
	uint32_t encoding;       /* enum fz_encoding asked for at freeze time */
	uint64_t trailer_csum;   /* XXH64 of the bytes before this field */
};
_Static_assert(sizeof(struct fz_trailer) == 56, "fz_trailer size");

/* Every record: this head, then `size` bytes, then zero padding to 8. */
struct fz_record {
	uint32_t type;           /* enum fz_record_type */
	uint32_t size;
	uint64_t csum;           /* XXH64 of the `size` bytes that follow */
};
_Static_assert(sizeof(struct fz_record) == 16, "fz_record size");

enum fz_record_type {
	FZ_REC_PROCESS = 1,      /* struct fz_process, exactly one */
	FZ_REC_THREAD = 2,       /* struct fz_thread + XSAVE area; the first is
				 the thread-group leader */
	FZ_REC_MAPPING = 4,      /* struct fz_mapping + path, sorted by start */
	FZ_REC_CHUNK = 5,        /* struct fz_chunk, after its mapping's record */
	FZ_REC_SIGACTIONS = 6,   /* struct fz_sigaction[FZ_NSIG] */
	FZ_REC_RLIMITS = 7,      /* struct fz_rlimit[FZ_NRLIMITS] */
	FZ_REC_FD = 8,           /* struct fz_fd + path, sorted by fd */
	FZ_REC_CWD = 9,          /* NUL-terminated absolute path */
	FZ_REC_AUXV = 10,        /* the process's auxiliary vector, raw */
	FZ_REC_VDSO = 11,        /* the bytes of the process's [vdso] */
	FZ_REC_CPU = 12,         /* struct fz_cpu */
	FZ_REC_SIGINFO = 13,     /* struct fz_siginfo: one pending signal, in
				 queue order */
	FZ_REC_ITIMERS = 14,     /* struct fz_itimer[3]: REAL, VIRTUAL, PROF */
	FZ_REC_PIPE = 15,        /* struct fz_pipe + its unread bytes; before the
				 FD records that name it */
	FZ_REC_POSIX_TIMER = 16, /* struct fz_posix_timer */
	FZ_REC_EXE = 17,         /* struct fz_exe + path: the file the process
				    was running; at most one */
	FZ_REC_EVENTFD = 20,     /* struct fz_eventfd: state of an FZ_FD_EVENTFD */
	FZ_REC_TIMERFD = 21,     /* struct fz_timerfd: state of an FZ_FD_TIMERFD */
	FZ_REC_SIGNALFD = 22,    /* struct fz_signalfd: mask of an FZ_FD_SIGNALFD */
	FZ_REC_INOTIFY_WATCH = 23, /* struct fz_inotify_watch + path; the
				 watches of one fd in increasing wd order */
	FZ_REC_EPOLL_TARGET = 24,  /* struct fz_epoll_target: one registration
				 of an FZ_FD_EPOLL */
	FZ_REC_SOCKET = 25,        /* struct fz_socket + its queued data; before the
				 FD records that name it */
	FZ_REC_TCP_REPAIR = 26,    /* struct fz_tcp_repair + the send queue of the
				 SOCKET record (state TCP_REPAIR) of its id */
	FZ_REC_PASSED_FD = 27,     /* struct fz_passed_fd + path: an fd in flight
				 in a message queued in a SOCKET; after the
				 FD records */
	FZ_REC_TTY = 30,           /* struct fz_tty + path: the process's terminal;
				 at most one */
	FZ_REC_PTY = 31,           /* struct fz_pty: a pseudo-terminal whose
				 master the process holds; before the FD
				 records that name it */
	FZ_REC_FILE = 35,          /* struct fz_file + path: a regular file open at
				 freeze time; before the FD records naming it */
	FZ_REC_FILE_BLOCK = 36,    /* struct fz_file_block: some of the bytes of
				 a FILE, after that FILE record */
	FZ_REC_LOCK = 37,          /* struct fz_lock: a file lock the process held;
				 after the FD records */
	FZ_REC_DEAD_PATH = 38,     /* struct fz_dead_path + path + target: a removed
				 directory or deleted symlink the process held;
				 before the FD records naming it */
	FZ_REC_SHMEM = 40,         /* struct fz_shmem + name: a shared memory
				 object; its SHMEM_CHUNK records follow it */
	FZ_REC_SHMEM_CHUNK = 41,   /* struct fz_chunk: pages of the SHMEM before
				 it; addr is the byte offset in the object */
	FZ_REC_XSAVE_LAYOUT = 45,  /* struct fz_xsave_layout of the freezing CPU */
	FZ_REC_GUARD = 46,    /* struct fz_range: guard pages (MADV_GUARD_INSTALL)
				 of the MAPPING before it, after its chunks */
	FZ_REC_MAP_FILE = 47, /* struct fz_map_file: the file behind the private
				 MAPPING just before it, before its chunks */
	FZ_REC_CREDS = 50,    /* struct fz_creds: the ids for --info only, never
				 applied; the loginuid is set again */
	FZ_REC_GROUPS = 51,   /* uint32_t[]: the supplementary groups (up to
				 FZ_NGROUPS_MAX, maybe none); at most one */
	FZ_REC_AIO_RING = 55, /* struct fz_aio_ring + its unreaped completions:
				 a Linux AIO context, rebuilt at the address of
				 its FZ_MAP_AIO mapping */
};

#define FZ_NGROUPS_MAX 65536

enum fz_encoding {
	FZ_ENC_NONE = 0,      /* stored as is, page-aligned in the image */
	FZ_ENC_LZ4 = 1,       /* one LZ4 block */
};

struct fz_process {
	uint64_t pid;
	char comm[16];
	/* The mm fields PR_SET_MM_MAP takes, from /proc/PID/stat and brk(0). */
	uint64_t start_code, end_code, start_data, end_data;
	uint64_t start_brk, brk, start_stack;
	uint64_t arg_start, arg_end, env_start, env_end;
	uint32_t umask;
	uint32_t personality;
	uint32_t dumpable;           /* PR_GET_DUMPABLE */
	uint32_t no_new_privs;
	uint32_t child_subreaper;
	uint32_t known; /* FZ_PROCK_*: which fields below were read */
	/* The process's CLOCK_MONOTONIC and CLOCK_BOOTTIME when it stopped. */
	int64_t monotonic_sec, monotonic_nsec, boottime_sec, boottime_nsec;
	int32_t oom_score_adj; /* /proc/PID/oom_score_adj */
	uint32_t thp_disable;  /* PR_GET_THP_DISABLE: 0, or 1 | its flags */
	uint32_t mdwe;         /* PR_GET_MDWE: PR_MDWE_* */
	uint32_t memory_merge; /* PR_GET_MEMORY_MERGE */
	uint32_t membarrier;   /* the MEMBARRIER_CMD_REGISTER_* it made */
	int32_t pgid;          /* its process group when frozen (0: unknown) */
};
_Static_assert(sizeof(struct fz_process) == 192, "fz_process size");

#define FZ_PROCK_OOM_SCORE_ADJ 1u /* oom_score_adj was read */
#define FZ_PROCK_MEMBARRIER \
	2u /* membarrier holds every registration;
				     else only those a probe could find */

/* x86_64 general registers, in the order of the kernel's user_regs_struct. */
struct fz_regs {
	uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
	uint64_t rax, rcx, rdx, rsi, rdi, orig_rax, rip, cs, eflags, rsp, ss;
	uint64_t fs_base, gs_base, ds, es, fs, gs;
};
_Static_assert(sizeof(struct fz_regs) == 27 * 8, "fz_regs size");

/*
 * One thread: its registers (already rewound to re-issue an interrupted
 * syscall) and its own kernel state. The XSAVE area, standard format, as
 * PTRACE_GETREGSET NT_X86_XSTATE returned it, follows (xstate_len bytes).
 */
struct fz_thread {
	uint64_t tid;
	char comm[16];
	uint64_t sigmask;            /* blocked signals, bit n-1 = signal n */
	uint64_t tid_address;        /* set_tid_address / clear_child_tid */
	uint64_t robust_list, robust_list_len;
	uint64_t rseq_addr;
	uint32_t rseq_len, rseq_sig;
	uint64_t altstack_sp, altstack_size;
	uint32_t altstack_flags;
	uint32_t xstate_len;
	int32_t nice;
	uint32_t sched_policy;       /* SCHED_* with SCHED_RESET_ON_FORK */
	uint32_t sched_priority;
	uint32_t pdeathsig;
	struct fz_regs regs;
	uint64_t timerslack_ns; /* PR_GET_TIMERSLACK */
	int32_t mce_kill;       /* PR_MCE_KILL_GET: PR_MCE_KILL_* */
	uint32_t pad;
};
_Static_assert(sizeof(struct fz_thread) == 344, "fz_thread size");

enum fz_map_kind {
	FZ_MAP_ANON = 1,        /* private memory, contents in chunks */
	FZ_MAP_SHARED_FILE = 2, /* MAP_SHARED of `path` at `offset`, no chunks */
	FZ_MAP_VDSO = 3,        /* the kernel's [vdso] */
	FZ_MAP_VVAR = 4,        /* [vvar] or [vvar_vclock]: kernel data pages */
	FZ_MAP_SHMEM = 10,      /* MAP_SHARED of the SHMEM object `shmem_id`
				   at `offset`, no chunks (the object has them) */
	FZ_MAP_AIO = 11,        /* the ring of a Linux AIO context: left free
				   by the mappings, its FZ_REC_AIO_RING puts
				   a new context's ring there; no chunks */
};

#define FZ_MAPF_GROWSDOWN 1u    /* the stack: mapped MAP_GROWSDOWN */
#define FZ_MAPF_FROM_FILE 2u    /* was a private mapping of `path` */
#define FZ_MAPF_HUGEPAGE 4u     /* had madvise(MADV_HUGEPAGE) */
#define FZ_MAPF_NOHUGEPAGE 8u   /* had madvise(MADV_NOHUGEPAGE) */
#define FZ_MAPF_DONTFORK 16u    /* had madvise(MADV_DONTFORK) */
#define FZ_MAPF_WIPEONFORK 32u  /* had madvise(MADV_WIPEONFORK) */
#define FZ_MAPF_DONTDUMP 64u    /* had madvise(MADV_DONTDUMP) */
#define FZ_MAPF_MERGEABLE 128u  /* had madvise(MADV_MERGEABLE) (KSM) */
#define FZ_MAPF_LOCKED 256u     /* mlock()ed */
#define FZ_MAPF_LOCKONFAULT 512u      /* mlock2(MLOCK_ONFAULT)ed, with LOCKED */
#define FZ_MAPF_SEALED 2048u          /* mseal()ed: sealed once nothing changes it */
#define FZ_MAPF_SHM_RDONLY (1u << 10) /* FZ_MAP_SHMEM of a SysV segment:
				   attached SHM_RDONLY (never writable) */

struct fz_mapping {
	uint64_t start, end;
	uint64_t offset;          /* file offset, for FZ_MAP_SHARED_FILE and
				     FZ_MAP_SHMEM (offset in the object) */
	uint32_t kind;            /* enum fz_map_kind */
	uint32_t prot;            /* PROT_READ | PROT_WRITE | PROT_EXEC */
	uint32_t flags;           /* FZ_MAPF_* */
	uint32_t path_len;        /* bytes of path that follow, with its NUL */
	uint64_t shmem_id;        /* FZ_MAP_SHMEM: id of its FZ_REC_SHMEM */
};
_Static_assert(sizeof(struct fz_mapping) == 48, "fz_mapping size");

/* Pages [start, end) of the mapping before it in the record list. */
struct fz_range {
	uint64_t start, end;
};
_Static_assert(sizeof(struct fz_range) == 16, "fz_range size");

/*
 * The file a private mapping (FZ_MAP_ANON with FZ_MAPF_FROM_FILE) maps at
 * its `offset`, when freeze could tell which one it is and the mapping
 * ends within the file's last page: the stub maps the file again if it is
 * still that file, and writes only the chunks not flagged FZ_CHUNKF_FILE
 * over it. Either a file by its path (the MAPPING's), known by these
 * fields, or the memfd of SHMEM record `shmem_id` (the others then 0).
 */
struct fz_map_file {
	uint64_t size;            /* st_size when frozen */
	int64_t mtime_sec, mtime_nsec;
	uint64_t ino;
	uint32_t dev_major, dev_minor;  /* of its file system */
	uint64_t shmem_id;        /* a memfd's FZ_REC_SHMEM id, or 0 */
};
_Static_assert(sizeof(struct fz_map_file) == 48, "fz_map_file size");

/* Every page of the chunk was still the file's (never copied on write). */
#define FZ_CHUNKF_FILE 1u

/* A run of pages of the mapping before it in the record list. */
struct fz_chunk {
	uint64_t addr;            /* where the first page goes */
	uint32_t npages;          /* 1..FZ_CHUNK_MAX_PAGES */
	uint16_t encoding;        /* enum fz_encoding of this chunk */
	uint16_t flags;           /* FZ_CHUNKF_*: 0 in SHMEM_CHUNK records */
	uint64_t data_offset;     /* from the payload's start; page-aligned if NONE */
	uint64_t data_size;       /* stored bytes */
	uint64_t data_csum;       /* XXH64 of the stored bytes */
};
_Static_assert(sizeof(struct fz_chunk) == 40, "fz_chunk size");

struct fz_sigaction {
	uint64_t handler, flags, restorer, mask;
};
_Static_assert(sizeof(struct fz_sigaction) == 32, "fz_sigaction size");

/* A queued signal: of one thread (its index in the THREAD records) or shared. */
#define FZ_SIGINFO_SHARED 0xffffffffu
struct fz_siginfo {
	uint32_t thread;
	uint32_t pad;
	uint8_t info[128];    /* the kernel's siginfo_t */
};
_Static_assert(sizeof(struct fz_siginfo) == 136, "fz_siginfo size");

/* struct itimerval: interval, then value, each {seconds, microseconds}. */
struct fz_itimer {
	int64_t interval_sec, interval_usec, value_sec, value_usec;
};
_Static_assert(sizeof(struct fz_itimer) == 32, "fz_itimer size");
#define FZ_NITIMERS 3

/* A timer_create() timer: its id, how it notifies, and its time left. */
struct fz_posix_timer {
	int32_t id;
	int32_t clock;
	int32_t notify;       /* SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD_ID */
	int32_t signo;
	uint64_t value;       /* sigev_value */
	uint32_t thread;      /* SIGEV_THREAD_ID: index of its THREAD record */
	uint32_t pad;
	int64_t interval_sec, interval_nsec, value_sec, value_nsec;
};
_Static_assert(sizeof(struct fz_posix_timer) == 64, "fz_posix_timer size");

/*
 * Who the process ran as when it was frozen. The stub only reports the
 * ids: the resumed process always runs as whoever runs the image. The
 * audit login uid is set again where the host allows it.
 */
struct fz_creds {
	uint32_t uid, euid, suid, fsuid;
	uint32_t gid, egid, sgid, fsgid;
	uint32_t loginuid; /* /proc/PID/loginuid; 0xffffffff: unset or none */
	uint32_t pad;
};
_Static_assert(sizeof(struct fz_creds) == 40, "fz_creds size");

struct fz_rlimit {
	uint64_t cur, max;
};
_Static_assert(sizeof(struct fz_rlimit) == 16, "fz_rlimit size");

enum fz_fd_kind {
	FZ_FD_DEVICE = 1,  /* a device such as /dev/null: reopen `path`
			       with `flags`, seek to `pos` */
	FZ_FD_DUP = 2,     /* shares the open file of fd `dup_of` */
	FZ_FD_INHERIT = 3, /* 0-2 only: keep the resumer's own fd */
	FZ_FD_NULL = 4,    /* unsupported kind replaced by /dev/null on request */
	FZ_FD_PROC = 6,    /* a file of the process's own /proc/PID:
			       reopen `path` (/proc/self/...) with `flags`,
			       seek to `pos`: the resumed process's own */
	FZ_FD_PIPE = 5,    /* an end (by access mode) of pipe `object_id`;
			       with a path, a FIFO reopened there. An end
			       no fd names is closed: reads see EOF,
			       writes EPIPE, as they did */
	FZ_FD_CHARDEV = 7, /* another character device (a console, a
			       terminal that is not the process's): reopened
			       at `path` with `flags` and O_NOCTTY; the
			       resume is refused if it cannot be */
	/* New instances whose state is in the record of the same fd number. */
	FZ_FD_EVENTFD = 10,    /* FZ_REC_EVENTFD */
	FZ_FD_TIMERFD = 11,    /* FZ_REC_TIMERFD */
	FZ_FD_SIGNALFD = 12,   /* FZ_REC_SIGNALFD */
	FZ_FD_INOTIFY = 13,    /* FZ_REC_INOTIFY_WATCH records, maybe none */
	FZ_FD_EPOLL = 14,      /* FZ_REC_EPOLL_TARGET records, maybe none */
	FZ_FD_PIDFD = 16,      /* a pidfd of the process itself (of its leader
			       thread with O_EXCL = PIDFD_THREAD): opened on
			       the resumed process's pid, with `flags` */
	FZ_FD_SOCKET = 20,     /* the socket of the FZ_REC_SOCKET whose id is
			       `object_id` */
	FZ_FD_TTY = 30,        /* the terminal of FZ_REC_TTY: 0-2 keep the
			       resumer's fd, others get its terminal */
	FZ_FD_PTY_MASTER = 31, /* the master of the FZ_REC_PTY whose id is
			       `object_id`: a new pty from /dev/ptmx */
	FZ_FD_PTY_SLAVE = 32,  /* a slave of that FZ_REC_PTY, opened from its
			       master (TIOCGPTPEER): its path changes */
	FZ_FD_REG = 35,        /* regular file: the FZ_REC_FILE whose id is in
			       `object_id`; reopened with `flags`, at `pos` */
	FZ_FD_DIR = 36,        /* directory `path`; getdents resumes at `pos` */
	FZ_FD_OPATH = 37,      /* O_PATH fd on `path` (O_NOFOLLOW,
			       O_DIRECTORY kept) */
	FZ_FD_DEAD_PATH = 38,  /* a stand-in for the removed directory or
			       deleted symlink of the FZ_REC_DEAD_PATH whose
			       id is `object_id`: made, opened with `flags`,
			       removed again */
	FZ_FD_MEMFD = 40,      /* the memfd FZ_REC_SHMEM whose id is `object_id`,
			       opened with `flags`, at `pos` */
};

struct fz_fd {
	int32_t fd;
	uint32_t kind;      /* enum fz_fd_kind */
	uint32_t flags;     /* open(2) status flags and access mode */
	uint32_t cloexec;
	int32_t dup_of;
	uint32_t path_len;  /* bytes of path that follow, with its NUL */
	uint64_t pos;
	uint64_t object_id; /* the id of the record this fd opens:
			       FZ_FD_PIPE: its FZ_REC_PIPE; FZ_FD_SOCKET:
			       its FZ_REC_SOCKET; FZ_FD_REG: its FZ_REC_FILE;
			       FZ_FD_MEMFD: its FZ_REC_SHMEM; else 0 */
};
_Static_assert(sizeof(struct fz_fd) == 40, "fz_fd size");

/*
 * The executable the process was running (/proc/PID/exe), so that the
 * resumed process's /proc/self/exe names it again where it is the same
 * file. The path (path_len bytes with its NUL) follows.
 */
struct fz_exe {
	uint64_t ino;
	uint64_t size;
	int64_t mtime_sec, mtime_nsec;
	uint32_t dev_major, dev_minor;
	uint32_t path_len;
	uint32_t pad;
};
_Static_assert(sizeof(struct fz_exe) == 48, "fz_exe size");

/*
 * A regular file the process had open, once per inode: what it was when
 * frozen, so the stub can tell it changed or vanished, and whether its
 * bytes are in the image (FILE_BLOCK records; the parts of the file they
 * do not cover read as zeros).
 */
#define FZ_FILEF_DELETED 1u   /* unlinked at freeze: rebuilt, still unlinked */
#define FZ_FILEF_CONTENT 2u   /* its bytes follow in FILE_BLOCK records */

struct fz_file {
	uint64_t id;          /* 1, 2, ...: FZ_FD_REG fds name it */
	uint64_t size;
	int64_t mtime_sec, mtime_nsec;
	uint64_t ino;
	uint32_t dev_major, dev_minor;  /* of its file system */
	uint32_t mode;        /* st_mode */
	uint32_t flags;       /* FZ_FILEF_* */
	uint32_t path_len;    /* bytes of path that follow, with its NUL */
	uint32_t uid, gid;    /* its owner: a file the stub rebuilds gets it
				 where the resumer may give it */
	uint32_t pad;
};
_Static_assert(sizeof(struct fz_file) == 72, "fz_file size");

/* Bytes [offset, offset + raw_len) of file `file_id`, stored like a chunk. */
#define FZ_FILE_BLOCK_MAX (FZ_CHUNK_MAX_PAGES * FZ_PAGE_SIZE)
struct fz_file_block {
	uint64_t file_id;
	uint64_t offset;      /* in the file */
	uint32_t raw_len;     /* 1..FZ_FILE_BLOCK_MAX */
	uint32_t encoding;    /* enum fz_encoding */
	uint64_t data_offset; /* from the payload's start, in page data */
	uint64_t data_size;   /* stored bytes */
	uint64_t data_csum;   /* XXH64 of the stored bytes */
};
_Static_assert(sizeof(struct fz_file_block) == 48, "fz_file_block size");

enum fz_lock_kind {
	FZ_LOCK_FLOCK = 1, /* flock(2): belongs to the open file */
	FZ_LOCK_POSIX = 2, /* fcntl F_SETLK: belongs to the process */
	FZ_LOCK_OFD = 3,   /* fcntl F_OFD_SETLK: belongs to the open file */
	FZ_LOCK_LEASE = 4, /* fcntl F_SETLEASE F_RDLCK (a read lease; write
				 is 0): belongs to the open file */
};

/*
 * A directory that was removed, or a symlink that was deleted (held with
 * O_PATH | O_NOFOLLOW), while the process kept fds on it: no path leads to
 * it, so the stub makes one like it in a private place, opens the fds on
 * it and removes it again.
 */
struct fz_dead_path {
	uint64_t id; /* 1, 2, ... in record order: FZ_FD_DEAD_PATH fds name it */
	int64_t mtime_sec;
	uint32_t mtime_nsec;
	uint32_t mode; /* st_mode: S_IFDIR or S_IFLNK, and its permissions */
	uint32_t uid, gid;
	uint32_t path_len;   /* the NUL-terminated path it had, after this */
	uint32_t target_len; /* then a symlink's NUL-terminated target; 0 for
				 a directory */
	uint32_t flags;      /* FZ_DEADF_* */
	uint32_t pad;
};
_Static_assert(sizeof(struct fz_dead_path) == 48, "fz_dead_path size");

/* A directory that is also the process's working directory. */
#define FZ_DEADF_CWD 1u

/* A lock held through fd `fd` (POSIX: through any fd on the file). */
struct fz_lock {
	int32_t fd;
	uint32_t kind;        /* enum fz_lock_kind */
	uint32_t write;       /* 1: exclusive / F_WRLCK, 0: shared / F_RDLCK */
	uint32_t pad;
	uint64_t start;       /* byte range; flock: 0 */
	uint64_t len;         /* 0: to the end of the file */
};
_Static_assert(sizeof(struct fz_lock) == 32, "fz_lock size");

/* A pipe whose both ends the process holds, and the bytes unread in it. */
struct fz_pipe {
	uint64_t id;
	uint32_t capacity;  /* F_GETPIPE_SZ */
	uint32_t data_len;  /* bytes that follow */
};
_Static_assert(sizeof(struct fz_pipe) == 16, "fz_pipe size");

/* The counter of an eventfd; `fd` is the FD record it belongs to. */
#define FZ_EVENTFD_SEMAPHORE 1u
struct fz_eventfd {
	int32_t fd;
	uint32_t flags;     /* FZ_EVENTFD_SEMAPHORE */
	uint64_t count;
};
_Static_assert(sizeof(struct fz_eventfd) == 16, "fz_eventfd size");

/*
 * A timerfd. Without TFD_TIMER_ABSTIME, `value` is the time that was left
 * (the frozen time does not count); with it, `value` is the deadline on
 * `clock` as the process saw that clock. `ticks` expired, not read yet.
 */
struct fz_timerfd {
	int32_t fd;
	int32_t clock;
	uint32_t settime_flags; /* TFD_TIMER_ABSTIME, TFD_TIMER_CANCEL_ON_SET */
	uint32_t pad;
	uint64_t ticks;
	int64_t interval_sec, interval_nsec, value_sec, value_nsec;
};
_Static_assert(sizeof(struct fz_timerfd) == 56, "fz_timerfd size");

/* The signals a signalfd reads, bit n-1 = signal n. */
struct fz_signalfd {
	int32_t fd;
	uint32_t pad;
	uint64_t mask;
};
_Static_assert(sizeof(struct fz_signalfd) == 16, "fz_signalfd size");

/* One watch of an inotify fd: the path found for its inode, then path_len bytes. */
struct fz_inotify_watch {
	int32_t fd;
	int32_t wd;
	uint32_t mask;      /* as inotify_add_watch takes it */
	uint32_t path_len;  /* with its NUL */
};
_Static_assert(sizeof(struct fz_inotify_watch) == 16, "fz_inotify_watch size");

/*
 * One registration of an epoll fd, keyed by (file, tfd) as in the kernel.
 * `holder` is an fd of the process that has that file now: tfd itself,
 * or another one when tfd was closed or reused after the registration.
 */
struct fz_epoll_target {
	int32_t fd;         /* the epoll fd */
	int32_t tfd;
	int32_t holder;
	uint32_t events;
	uint64_t data;
};
_Static_assert(sizeof(struct fz_epoll_target) == 24, "fz_epoll_target size");
/*
 * A shared memory object: what MAP_SHARED anonymous memory, a memfd, a
 * deleted file mapped MAP_SHARED or a SysV segment was backed by, once per
 * object, so every mapping and fd of it shares one object again. Its pages
 * are in the SHMEM_CHUNK records after it (the rest reads as zeros). The
 * name (memfd name, deleted file's path; may be empty) follows.
 */
enum fz_shmem_kind {
	FZ_SHMEM_ANON = 1,    /* MAP_SHARED | MAP_ANONYMOUS memory */
	FZ_SHMEM_MEMFD = 2,   /* memfd_create(name) */
	FZ_SHMEM_DELETED = 3, /* a deleted file, kept as shared memory */
	FZ_SHMEM_SYSV = 4,    /* a SysV segment (shmget) */
};

#define FZ_SHMEMF_SEALS_UNKNOWN 1u  /* memfd not readable here: seals and
				       mode not recorded */
#define FZ_SHMEMF_SYSV_REMOVED 2u   /* SysV: marked IPC_RMID (SHM_DEST) */

struct fz_shmem {
	uint64_t id;          /* 1, 2, ...: mappings and fds name it */
	uint64_t size;        /* bytes; SysV: the segment's size */
	uint32_t kind;        /* enum fz_shmem_kind */
	uint32_t seals;       /* memfd: F_GET_SEALS */
	uint32_t mode;        /* permission bits: memfd's, SysV's shm_perm */
	uint32_t flags;       /* FZ_SHMEMF_* */
	int32_t sysv_key;     /* SysV: its key (0: IPC_PRIVATE) */
	int32_t sysv_id;      /* SysV: its shmid when frozen */
	uint32_t name_len;    /* bytes of name that follow, with its NUL */
	uint32_t pad;
};
_Static_assert(sizeof(struct fz_shmem) == 48, "fz_shmem size");

/*
 * The process's terminal as it was set when it stopped: the kernel's
 * struct termios (raw mode and all), then what it was to the process. The
 * window size is for --info only: the resumed process gets SIGWINCH and
 * reads the size of the terminal it lands on. The path (e.g. /dev/pts/3)
 * follows, path_len bytes with its NUL.
 */
#define FZ_TTY_NCC 19
#define FZ_TTYF_CTTY 1u        /* it was the process's controlling terminal */
#define FZ_TTYF_FOREGROUND 2u  /* the process's group was in its foreground */
struct fz_tty {
	uint32_t iflag, oflag, cflag, lflag;
	uint8_t line;
	uint8_t cc[FZ_TTY_NCC];
	uint32_t flags;            /* FZ_TTYF_* */
	uint16_t rows, cols, xpixel, ypixel;
	uint32_t path_len;
	uint32_t pad;
};
_Static_assert(sizeof(struct fz_tty) == 56, "fz_tty size");

/* The kernel's struct termios, as TCGETS returns it. */
struct fz_termios {
	uint32_t iflag, oflag, cflag, lflag;
	uint8_t line;
	uint8_t cc[FZ_TTY_NCC];
};
_Static_assert(sizeof(struct fz_termios) == 36, "fz_termios size");

/*
 * A pseudo-terminal whose master the process holds (with its slave, or
 * with the slave closed everywhere). Nothing was queued in it either way
 * (freeze refuses that). The stub opens a new one from /dev/ptmx: its
 * number, so the slave's path /dev/pts/N, is the host's.
 */
#define FZ_PTYF_SLAVE_CLOSED \
	1u                /* no fd on the slave anywhere: it is opened
				   and closed again, so the master reads EIO */
#define FZ_PTYF_LOCKED 2u /* TIOCSPTLCK: the slave cannot be opened */
#define FZ_PTYF_PACKET 4u /* TIOCPKT packet mode on the master */
struct fz_pty {
	uint64_t id;               /* its number at freeze time (TIOCGPTN) */
	int32_t master_fd;         /* the FD record of its master */
	uint32_t flags;            /* FZ_PTYF_* */
	struct fz_termios termios; /* the slave's: a pty has one set, which
				      TCGETS on either end reads */
	uint16_t rows, cols, xpixel, ypixel; /* the window size, set again */
	uint32_t pad;
};
_Static_assert(sizeof(struct fz_pty) == 64, "fz_pty size");

/*
 * A socket. What the stub rebuilds depends on `state`; every option in the
 * record's options was set differently from a fresh socket's.
 */
enum fz_sock_state {
	FZ_SOCK_UNBOUND = 1,    /* no name, no peer */
	FZ_SOCK_BOUND = 2,      /* bound to `addr` */
	FZ_SOCK_LISTEN = 3,     /* bound to `addr`, listening with `backlog` */
	FZ_SOCK_CONNECTED = 4,  /* datagram: bound to `addr` if named, connected
				   to `peer` again */
	FZ_SOCK_PAIR = 5,       /* UNIX: connected to the socket `peer_id` of
				   this image: rebuilt with socketpair() */
	FZ_SOCK_PEER_GONE = 6,  /* connected to a peer outside the process: it
				   comes back as a connection the peer reset */
	FZ_SOCK_TCP_REPAIR = 7, /* established TCP connection, rebuilt as it
				   was with TCP_REPAIR (freeze --tcp-established)
				   from the TCP_REPAIR record of the same id */
	FZ_SOCK_PENDING = 8,    /* UNIX stream or seqpacket client whose
				   connection the listener `peer_id` of this
				   image had not accepted: connected to it again,
				   `backlog` = its place in the listener's queue */
};
#define FZ_SOCK_STATE_MAX FZ_SOCK_PENDING

#define FZ_SOCK_ADDR_MAX 128
/* The largest option value: a classic BPF filter of BPF_MAXINSNS (4096). */
#define FZ_SOCKOPT_MAX (4096 * 8)

/* fz_socket.flags */
#define FZ_SOCKF_UNLINKED \
	1u /* UNIX: its path no longer led to it: bound
				   there, then the path unlinked again */

/*
 * One setsockopt(fd, level, name, value, len), `len` bytes of value after
 * it, padded to 4 bytes. (SOL_SOCKET, SO_ATTACH_FILTER)'s value is the
 * classic BPF program's instructions, 8 bytes each.
 */
struct fz_sockopt {
	int32_t level, name;
	uint32_t len;
};
_Static_assert(sizeof(struct fz_sockopt) == 12, "fz_sockopt size");

/*
 * opts_len bytes of options (struct fz_sockopt + value, in the order they
 * are set) follow, then data_len bytes of queued data: what the socket had
 * received and not yet read: stream sockets, the bytes; datagram and
 * seqpacket sockets, each message as a u32 length and its bytes, back to
 * back.
 */
struct fz_socket {
	uint64_t id;          /* the socket's inode number at freeze time */
	uint64_t peer_id;     /* FZ_SOCK_PAIR, FZ_SOCK_PENDING: the other end */
	uint32_t family;      /* AF_UNIX, AF_INET, AF_INET6 */
	uint32_t type;        /* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
	uint32_t protocol;
	uint32_t state;       /* enum fz_sock_state */
	uint32_t backlog;     /* FZ_SOCK_LISTEN: listen(2)'s backlog; FZ_SOCK_PENDING:
				 the place in its listener's queue */
	uint32_t path_mode;   /* UNIX bound to a path: the socket file's mode */
	uint32_t shutdown;    /* 1 receive side, 2 send side shut */
	uint32_t addr_len;    /* bytes of addr: its sockaddr (0: none) */
	uint32_t peer_len;    /* bytes of peer: the peer's sockaddr (0: none) */
	uint32_t opts_len;    /* bytes of options that follow */
	uint32_t data_len;    /* bytes of queued data after them */
	uint32_t flags;       /* FZ_SOCKF_* */
	uint8_t addr[FZ_SOCK_ADDR_MAX];
	uint8_t peer[FZ_SOCK_ADDR_MAX];
};
_Static_assert(sizeof(struct fz_socket) == 320, "fz_socket size");

/*
 * A file descriptor in flight (SCM_RIGHTS) in a message queued in the UNIX
 * socket `socket_id`: the stub sends that message again with it. One record
 * per fd, in the order of the message's fd array; the records of one
 * message follow each other, the messages of one socket in queue order.
 * Stream: the message is the `len` bytes of the socket's data from byte
 * `at` (one skb: a read stops after it, and its fds come with the read that
 * takes its first byte). Datagram, seqpacket: message number `at` (from 0)
 * of its data, `len` its length. The path (path_len bytes with its NUL)
 * follows.
 */
enum fz_passed_kind {
	FZ_PASSED_FILE = 1,   /* a regular file: reopened at `path` with
				 `flags`, at `pos` */
	FZ_PASSED_DEVICE = 2, /* a device such as /dev/null: reopened at `path`
				 with `flags` */
	FZ_PASSED_HELD = 3,   /* the open file of the process's fd `held_fd`
				 (a pipe end, a socket, a file, a device) */
};
#define FZ_PASSED_MAX 253 /* fds in one message: the kernel's SCM_MAX_FD */

struct fz_passed_fd {
	uint64_t socket_id;
	uint64_t pos; /* FZ_PASSED_FILE: its offset */
	uint32_t at;
	uint32_t len;
	uint32_t kind;     /* enum fz_passed_kind */
	uint32_t flags;    /* FILE, DEVICE: open(2) status flags and mode */
	int32_t held_fd;   /* FZ_PASSED_HELD; else -1 */
	uint32_t path_len; /* FILE, DEVICE: bytes of path that follow */
};
_Static_assert(sizeof(struct fz_passed_fd) == 40, "fz_passed_fd size");

/*
 * What TCP_REPAIR needs to rebuild an established connection without the
 * peer noticing. The SOCKET record's data is the receive queue; the send
 * queue (sent and not acknowledged, or not sent yet) follows this struct.
 */
struct fz_tcp_repair {
	uint64_t id;          /* the SOCKET record this completes */
	uint32_t snd_seq;     /* sequence number of the send queue's first byte */
	uint32_t rcv_seq;     /* of the receive queue's first byte */
	uint32_t mss;         /* TCP_MAXSEG */
	uint32_t options;     /* TCPI_OPT_*: 1 timestamps, 2 SACK, 4 window scaling */
	uint32_t snd_wscale, rcv_wscale;
	uint32_t timestamp;   /* TCP_TIMESTAMP */
	/* struct tcp_repair_window */
	uint32_t snd_wl1, snd_wnd, max_window, rcv_wnd, rcv_wup;
	uint32_t send_len;    /* bytes of the send queue that follow */
	uint32_t pad;
};
_Static_assert(sizeof(struct fz_tcp_repair) == 64, "fz_tcp_repair size");

/*
 * CPU feature words user space could see (CPUID leaf, sub-leaf, register);
 * the stub compares them. Which bit is which feature: cpu_features.c.
 */
struct fz_cpu {
	uint32_t leaf1_ecx, leaf1_edx;
	uint32_t leaf7_ebx, leaf7_ecx, leaf7_edx;
	uint32_t leaf7_1_eax;
	uint32_t ext1_ecx, ext1_edx;  /* leaf 0x80000001 */
	uint64_t xcr0;            /* XSAVE components the OS enabled */
	uint32_t xsave_size;      /* bytes of the XSAVE area for xcr0 */
	uint32_t leaf7_1_edx;
	uint32_t leafd_1_eax;     /* XSAVEOPT, XSAVEC, XGETBV1 */
	uint32_t pad[3];
};
_Static_assert(sizeof(struct fz_cpu) == 64, "fz_cpu size");

/*
 * Where each XSAVE component sits in the standard-format area of the CPU
 * that froze the process (CPUID leaf 0xd, sub-leaf n: ebx, eax), so the
 * stub can move each one to where the host's CPU keeps it. 0/0 for a
 * component that CPU lacks; 0 and 1 (the legacy area) are fixed.
 */
#define FZ_XSAVE_COMPONENTS 32
struct fz_xsave_layout {
	uint32_t offset[FZ_XSAVE_COMPONENTS];
	uint32_t size[FZ_XSAVE_COMPONENTS];
};
_Static_assert(sizeof(struct fz_xsave_layout) == 256, "fz_xsave_layout size");

/*
 * A Linux AIO context (io_setup). The aio_context_t a process holds is the
 * user address of its ring, so the stub makes a context whose ring has the
 * same size and moves the ring to `addr`. The completions not reaped yet
 * follow, oldest first; requests in flight are refused by freeze.
 */
struct fz_aio_ring {
	uint64_t addr;            /* start of its FZ_MAP_AIO mapping */
	uint64_t size;            /* bytes of the ring; whole pages */
	uint32_t nr;              /* io_event slots: (size - 32) / 32 */
	uint32_t nevents;         /* struct fz_io_event that follow, < nr */
};
_Static_assert(sizeof(struct fz_aio_ring) == 24, "fz_aio_ring size");

/* struct io_event of <linux/aio_abi.h>. */
struct fz_io_event {
	uint64_t data, obj;
	int64_t res, res2;
};
_Static_assert(sizeof(struct fz_io_event) == 32, "fz_io_event size");

#define FZ_AIO_RING_HEADER 32     /* sizeof(struct aio_ring) in fs/aio.c */

#endif
