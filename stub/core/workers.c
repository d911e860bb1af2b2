/*
 * Work shared out over every CPU the resumer may use: the stub's main
 * thread and up to FZ_STUB_WORKERS helper threads, on the worker stacks
 * freeze reserved behind the process's own. Each job hands out its pieces
 * itself (a counter its threads claim from).
 */
#include <linux/futex.h>
#include <linux/sched.h>

#include "core/core.h"
#include "stub.h"
#include "sys.h"

/* Below this many pages of chunks, starting threads costs more than it saves. */
#define PARALLEL_MIN_PAGES 4096

#define WORKER_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | \
		      CLONE_THREAD | CLONE_SYSVSEM | CLONE_CHILD_CLEARTID)

static void (*job)(const struct stub *) = 0;
static uint32_t worker_alive[FZ_STUB_WORKERS] = { 0 }; /* cleared by the kernel */

static void worker(void *arg)
{
	job(arg);
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
		if (r->type == FZ_REC_CHUNK || r->type == FZ_REC_SHMEM_CHUNK)
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
			/* Fewer helpers only means slower work. */
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

void run_on_cpus(const struct stub *st, void (*fn)(const struct stub *))
{
	unsigned workers;

	job = fn;
	workers = start_workers(st);
	fn(st);
	join_workers(workers);
}
