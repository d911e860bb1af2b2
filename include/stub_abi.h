/*
 * The linking ABI between freeze and the stub it carries: not part of the
 * payload, but of the stub's own data, which freeze fills in when it links
 * an image (freeze/image/link_elf.c) and the stub reads first
 * (stub/core/main.c, stub/image/map_payload.c). It changes with the stub,
 * which freeze embeds: both halves are always built together, so it has no
 * version of its own; the payload format (image.h) does.
 */
#ifndef FREEZE_STUB_ABI_H
#define FREEZE_STUB_ABI_H

#include <stdint.h>

/*
 * Parameters freeze writes into the stub's data before it links it: where
 * the payload and the stub's reserved address range are.
 */
#define FZ_STUB_PARAMS_SYMBOL "fz_stub_params"
/*
 * Room for the output's program headers behind the stub's entry code, so a
 * file too short to hold the entry code is refused by the kernel at exec.
 */
#define FZ_EARLY_PHDRS_SYMBOL "fz_early_phdrs"
#define FZ_EARLY_PHDRS 16
#define FZ_STUB_PARAMS_MAGIC 0x534d5241505a46ULL /* "FZPARMS" */
/*
 * The stub's stacks: the main one, one per other thread, then one per worker
 * that fills memory in parallel.
 */
#define FZ_STUB_MAIN_STACK (256UL << 10)
#define FZ_STUB_THREAD_STACK (32UL << 10)
#define FZ_STUB_WORKERS 8
#define FZ_STUB_WORKER_STACK (32UL << 10)

/* Bytes of stack the stub needs for a process of nthreads threads. */
static inline uint64_t fz_stub_stacks_size(uint32_t nthreads)
{
	return FZ_STUB_MAIN_STACK + (nthreads - 1) * FZ_STUB_THREAD_STACK +
	       FZ_STUB_WORKERS * FZ_STUB_WORKER_STACK;
}
/*
 * Behind the stacks, the stub's tables: this much room per FD, PIPE,
 * SOCKET, SHMEM and MAPPING record, so that none has a fixed capacity.
 */
#define FZ_STUB_TABLE_ROOM 32UL

/*
 * The exit area, first in the hole: the trampoline's page, then one slot
 * per thread for its signal frame (XSAVE area included), built down from
 * the slot's end, and its sync word at the slot's start.
 * Every thread leaves the stub through it, so the stub never writes a byte
 * of the process's own memory, its stacks included. It cannot unmap
 * itself: the stub's exit cleaner, a process of its own, traces the
 * threads out of it and then makes one of them unmap it
 * (stub/task/exit_cleaner.c). Where it cannot trace them (under strace or
 * gdb, Yama) the area stays mapped once the process runs, as it always did
 * before the cleaner. The code page ends with struct fz_exit_mark, so
 * that freezing such a process again leaves the area out instead of
 * carrying it into the next image.
 */
#define FZ_STUB_EXIT_SLOT (16UL << 10)
/* A slot's first bytes: its sync word and, in the leader's, the
   prctl_mm_map that makes /proc/self/exe the process's executable again. */
#define FZ_EXIT_SLOT_HEAD 256UL
#define FZ_EXIT_MAGIC 0x5449584545524646ULL /* "FFREEXIT" */
struct fz_exit_mark {
	uint64_t magic;
	uint64_t size;            /* of the whole exit area */
};
_Static_assert(sizeof(struct fz_exit_mark) == 16, "fz_exit_mark size");
static inline uint64_t fz_stub_exit_size(uint32_t nthreads)
{
	return 4096 + (uint64_t)nthreads * FZ_STUB_EXIT_SLOT;
}

/* The stub's read-only segments (code, constants), checked before use. */
#define FZ_STUB_CODE_SEGMENTS 4
struct fz_stub_code {
	uint64_t addr, len;
};
_Static_assert(sizeof(struct fz_stub_code) == 16, "fz_stub_code size");

struct fz_stub_params {
	uint64_t magic;
	uint64_t payload_offset;  /* where the payload starts in the file */
	uint64_t payload_addr;    /* where the stub maps it */
	uint64_t payload_room;    /* free bytes there: the largest payload that
				     fits (its size is only known from the
				     trailer, written after this) */
	uint64_t hole_start;      /* [hole_start, payload_addr + the payload's
				     size) holds only the stub */
	uint64_t exit_size;       /* the exit area, at hole_start */
	uint64_t scratch_addr;    /* a free range inside the hole for the vdso */
	uint64_t scratch_size;
	uint64_t stack_addr;      /* where the stub maps the stacks it restores */
	uint64_t stack_size;      /* on: the main one, one per other thread,
				     FZ_STUB_WORKERS worker stacks, then
				     its tables (FZ_STUB_TABLE_ROOM) */
	/*
	 * XXH64 of the stub's read-only segments as loaded, chained through the
	 * seed (segment i hashed with the result of segment i-1, seed 0 first):
	 * damage to the code itself is refused too. The writable segment, which
	 * holds these parameters and changes as the stub runs, is not included.
	 */
	struct fz_stub_code code[FZ_STUB_CODE_SEGMENTS];
	uint64_t code_csum;
};
_Static_assert(sizeof(struct fz_stub_params) == 80 + FZ_STUB_CODE_SEGMENTS * 16 + 8,
	       "fz_stub_params size");

#endif
