/*
 * Filling the process's memory from the image's page chunks, on every CPU
 * the resumer may use: the stub's main thread and up to FZ_STUB_WORKERS
 * helper threads claim chunks in record order until none are left.
 *
 * Each chunk's pages are populated in one call before they are written: on
 * many hosts (virtual machines above all) the first touch of fresh memory,
 * one 4 KiB fault at a time, costs more than decoding the data into it.
 *
 * With --map-pages, an uncompressed chunk is not copied but mapped from the
 * image file (MAP_PRIVATE): resuming no longer grows with the memory size,
 * and pages are read when the process first touches them.
 */
#include <linux/mman.h>
#include <linux/futex.h>
#include <linux/sched.h>

#include "print.h"
#include "stub.h"
#include "sys.h"
#include "writer.h"

/* Below this many pages, starting threads costs more than it saves. */
#define PARALLEL_MIN_PAGES 4096
/*
 * Smaller chunks are copied even with --map-pages: each mapped chunk that
 * does not continue the previous one is a mapping of its own, and a process
 * may only have so many (vm.max_map_count).
 */
#define MAP_MIN_PAGES 16

#define WORKER_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | \
		      CLONE_THREAD | CLONE_SYSVSEM | CLONE_CHILD_CLEARTID)

static uint32_t next_chunk = 0;                /* the next index to claim */
static uint32_t worker_alive[FZ_STUB_WORKERS] = { 0 }; /* cleared by the kernel */

/*
 * Memory stays anonymous where that is what the process asked for: the
 * stack keeps growing down only as one anonymous mapping, wiping on fork
 * and huge-page advice are for anonymous memory.
 */
#define KEEP_ANON (FZ_MAPF_GROWSDOWN | FZ_MAPF_WIPEONFORK | FZ_MAPF_HUGEPAGE | \
		   FZ_MAPF_NOHUGEPAGE)

static int can_map(const struct stub *st, const struct fz_mapping *m,
		   const struct fz_chunk *c)
{
	return st->self_fd >= 0 && c->encoding == FZ_ENC_NONE &&
	       c->npages >= MAP_MIN_PAGES && !(m->flags & KEEP_ANON);
}

/* 0, or -errno: then the range is anonymous memory again, to copy into. */
static long map_chunk(const struct stub *st, const struct fz_chunk *c,
		      uint64_t len)
{
	long ret = sys_mmap(c->addr, len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_FIXED, st->self_fd,
			    st->params->payload_offset + c->data_offset);

	if (ret >= 0)
		return 0;
	/* A failed MAP_FIXED may have left the range unmapped. */
	if (sys_mmap(c->addr, len, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
		     -1, 0) < 0)
		die("cannot map %lx-%lx again: %s", (unsigned long)c->addr,
		    (unsigned long)(c->addr + len), errname(ret));
	return ret;
}

static void fill_chunk(const struct stub *st, const struct fz_mapping *m,
		       const struct fz_chunk *c)
{
	uint64_t len = (uint64_t)c->npages * FZ_PAGE_SIZE;

	if (can_map(st, m, c) && !map_chunk(st, c, len))
		return;
	/* Advisory: a kernel without it faults the pages in one by one. */
	sys_madvise(c->addr, len, MADV_POPULATE_WRITE);
	if (writer_decode(c->encoding, st->img.base + c->data_offset,
			  c->data_size, (void *)c->addr, len))
		die("page data at %lx does not decode", (unsigned long)c->addr);
}

static uint32_t claim(void)
{
	return __atomic_fetch_add(&next_chunk, 1, __ATOMIC_RELAXED);
}

/*
 * Claims only grow, so one walk over the records finds every claim. A
 * chunk's mapping is the MAPPING record before it.
 */
static void fill_claimed(const struct stub *st)
{
	const struct fz_mapping *m = 0;
	uint32_t index = 0, mine = claim();

	for_each_record(&st->img, r) {
		if (r->type == FZ_REC_MAPPING)
			m = rec_data(r);
		if (r->type != FZ_REC_CHUNK || index++ != mine)
			continue;
		fill_chunk(st, m, rec_data(r));
		mine = claim();
	}
}

static void worker(void *arg)
{
	fill_claimed(arg);
	sys_exit_thread(0);
}

static unsigned usable_cpus(void)
{
	uint64_t mask[16] = { 0 };
	long n = sys_sched_getaffinity(0, sizeof(mask), mask);
	unsigned cpus = 0;

	/* A plain loop: the compiler's popcount would need libgcc. */
	for (long i = 0; i < n / 8; i++)
		for (uint64_t w = mask[i]; w; w &= w - 1)
			cpus++;
	return cpus ? cpus : 1;
}

static uint64_t stored_pages(const struct stub *st)
{
	uint64_t pages = 0;

	for_each_record(&st->img, r)
		if (r->type == FZ_REC_CHUNK)
			pages += ((const struct fz_chunk *)rec_data(r))->npages;
	return pages;
}

static unsigned start_workers(const struct stub *st)
{
	unsigned want = usable_cpus() - 1, started = 0;
	uint8_t *stacks = (uint8_t *)st->params->stack_addr +
			  fz_stub_stacks_size(st->nthreads) -
			  FZ_STUB_WORKERS * FZ_STUB_WORKER_STACK;

	if (want > FZ_STUB_WORKERS)
		want = FZ_STUB_WORKERS;
	if (stored_pages(st) < PARALLEL_MIN_PAGES)
		want = 0;
	for (; started < want; started++) {
		uint8_t *top = stacks + (started + 1) * FZ_STUB_WORKER_STACK;
		worker_alive[started] = 1;
		if (arch_clone_thread(WORKER_FLAGS, top, worker, (void *)st,
				      &worker_alive[started]) < 0) {
			/* Fewer helpers only means a slower fill. */
			worker_alive[started] = 0;
			break;
		}
	}
	return started;
}

/* The worker's stack stays in use until the kernel clears its word. */
static void join_workers(unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		while (__atomic_load_n(&worker_alive[i], __ATOMIC_ACQUIRE))
			sys_futex(&worker_alive[i], FUTEX_WAIT, 1);
}

void fill_pages(const struct stub *st)
{
	unsigned workers = start_workers(st);

	fill_claimed(st);
	join_workers(workers);
}
