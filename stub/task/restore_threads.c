/*
 * The end of the restore: every thread of the process is rebuilt and
 * leaves the stub through the trampoline.
 *
 * The leader (this thread) builds its own signal frame, then clones one
 * thread per other recorded thread. Each of those restores its per-thread
 * kernel state, builds its frame in its slot of the exit area, enters the
 * trampoline and says it arrived. Once all have arrived, the leader hands
 * them to the exit cleaner (restore_exit_cleaner.c), then enters the
 * trampoline too: it unmaps the stub and payload, releases the others,
 * and all of them rt_sigreturn into the process at once. The cleaner,
 * tracing them, unmaps the exit area once all are out (exit_cleaner.c).
 *
 * The exit area (stub_abi.h) is the stub's own memory: the trampoline's
 * code on its first page, then a slot per thread with its sync word at the
 * slot's start (the leader's is `go`, the others' `arrived`) and its signal
 * frame built down from the slot's end. No byte of the process's memory is
 * written for them: a program whose stacks are small and side by side (Go,
 * coroutines) finds every byte below its stack pointers as it left it.
 */
#include <linux/futex.h>
#include <linux/mman.h>
#include <linux/prctl.h>
#include <linux/sched.h>

#include "mm/mm.h"
#include "print.h"
#include "sys.h"
#include "task/task.h"


#define THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | \
		      CLONE_THREAD | CLONE_SYSVSEM)
struct thread_job {
	const struct stub *st;
	const struct fz_thread *rec;
	uint32_t index;
	uint64_t trampoline;
	uint32_t *go;
	uint32_t *arrived;
};

static struct thread_job jobs[FZ_MAX_THREADS] __attribute__((section(".data")));
/* Each thread's new id, by its index in the image. */
static long tids[FZ_MAX_THREADS] __attribute__((section(".data")));

/* Is [addr, addr+len) inside a writable private mapping of the process? */
static int writable(const struct stub *st, uint64_t addr, uint64_t len)
{
	for_each_record(&st->img, r) {
		const struct fz_mapping *m = rec_data(r);
		if (r->type == FZ_REC_MAPPING && m->kind == FZ_MAP_ANON &&
		    (m->prot & PROT_WRITE) && addr >= m->start &&
		    addr + len <= m->end)
			return 1;
	}
	return 0;
}

static void replace_u32(const struct stub *st, uint64_t addr, uint32_t old,
			uint32_t new_value)
{
	if (addr && writable(st, addr, 4) && *(volatile uint32_t *)addr == old)
		*(volatile uint32_t *)addr = new_value;
}

/*
 * The C library caches each thread's id and uses it for raise(),
 * pthread_kill() and pthread_join(); the thread now has a new one. glibc
 * keeps it at the clear_child_tid address; musl in its thread descriptor,
 * which the thread pointer points to (recognised by its self pointer).
 * Each is rewritten only where it holds exactly the old id.
 */
static void fix_cached_tid(const struct stub *st, const struct fz_thread *t,
			   uint32_t tid)
{
	uint64_t tp = t->regs.fs_base;

	replace_u32(st, t->tid_address, (uint32_t)t->tid, tid);
	if (tp && writable(st, tp, ARCH_MUSL_TID_OFFSET + 4) &&
	    *(volatile uint64_t *)tp == tp)
		replace_u32(st, tp + ARCH_MUSL_TID_OFFSET, (uint32_t)t->tid, tid);
}

#define ROBUST_LIST_LIMIT 2048  /* the kernel walks no more either */
#define ROBUST_PI_BIT 1ULL      /* set in a list pointer to a PI mutex */

/*
 * A robust mutex the thread held when it was frozen has its old id in its
 * futex word: unlocking it, or the kernel's cleanup when the thread dies,
 * would fail. Each held robust mutex is on the thread's robust list; its
 * owner id is rewritten there, the flag bits kept.
 */
static void fix_robust_owner(const struct stub *st, uint64_t word,
			     uint32_t old, uint32_t tid)
{
	volatile uint32_t *w = (volatile uint32_t *)word;

	if ((*w & FUTEX_TID_MASK) != old)
		return;
	*w = (*w & ~FUTEX_TID_MASK) | tid;
	/* glibc keeps the owner a second time, and checks it on unlock. */
	replace_u32(st, word + ARCH_GLIBC_MUTEX_OWNER_OFFSET, old, tid);
}

static void fix_robust_owners(const struct stub *st, const struct fz_thread *t,
			      uint32_t tid)
{
	const struct robust_list_head *head = (const void *)t->robust_list;
	uint64_t node;

	if (!t->robust_list || !writable(st, t->robust_list, sizeof(*head)))
		return;
	node = (uint64_t)head->list.next & ~ROBUST_PI_BIT;
	for (int n = 0; n < ROBUST_LIST_LIMIT && node != t->robust_list; n++) {
		uint64_t word = node + (uint64_t)head->futex_offset;
		if (!writable(st, node, sizeof(uint64_t)) || !writable(st, word, 4))
			return;
		fix_robust_owner(st, word, (uint32_t)t->tid, tid);
		node = *(volatile uint64_t *)node & ~ROBUST_PI_BIT;
	}
}

/* Nice value and policy: raising priority needs privilege; then a warning. */
static void restore_scheduling(const struct fz_thread *t)
{
	int prio = (int)t->sched_priority;
	long ret = sys_sched_setscheduler(0, (int)t->sched_policy, &prio);

	if (ret < 0)
		warn("thread %lu: cannot restore scheduling policy %u (priority "
		     "%u): %s", (unsigned long)t->tid, t->sched_policy,
		     t->sched_priority, errname(ret));
	ret = sys_setpriority(0 /* PRIO_PROCESS: this thread */, 0, t->nice);
	if (ret < 0)
		warn("thread %lu: cannot restore nice value %d: %s",
		     (unsigned long)t->tid, t->nice, errname(ret));
}

/*
 * What the kernel keeps per thread: name, scheduling, parent-death signal,
 * robust list, rseq, tid address.
 */
static void restore_thread_attrs(const struct stub *st, const struct fz_thread *t)
{
	long tid;

	sys_prctl(PR_SET_NAME, (long)t->comm, 0, 0, 0);
	restore_scheduling(t);
	restore_thread_prctls(t);
	if (t->pdeathsig)
		sys_prctl(PR_SET_PDEATHSIG, t->pdeathsig, 0, 0, 0);
	if (t->robust_list)
		sys_set_robust_list(t->robust_list, t->robust_list_len);
	if (t->rseq_len && (st->kernel & KF_RSEQ)) {
		long ret = sys_rseq(t->rseq_addr, t->rseq_len, 0, t->rseq_sig);
		if (ret < 0)
			warn("thread %lu: cannot register rseq: %s",
			     (unsigned long)t->tid, errname(ret));
	}
	tid = t->tid_address ? sys_set_tid_address(t->tid_address) : sys_gettid();
	fix_cached_tid(st, t, (uint32_t)tid);
	fix_robust_owners(st, t, (uint32_t)tid);
}

static struct arch_frame_args frame_args(const struct stub *st,
					 const struct fz_thread *t)
{
	return (struct arch_frame_args){
		.regs = &t->regs,
		.xstate = t + 1,
		.xstate_len = t->xstate_len,
		.host = &st->host,
		.layout = st->xsave_layout,
		.sigmask = t->sigmask,
		.altstack_sp = t->altstack_sp,
		.altstack_size = t->altstack_size,
		.altstack_flags = t->altstack_flags,
	};
}

/* Thread i's slot in the exit area. */
static uint64_t exit_slot(const struct stub *st, unsigned i)
{
	return st->params->hole_start + FZ_PAGE_SIZE + i * FZ_STUB_EXIT_SLOT;
}

static uint32_t *sync_word(const struct stub *st, unsigned i)
{
	return (uint32_t *)exit_slot(st, i);
}

/* Build thread i's rt_sigframe in its slot; returns the sp rt_sigreturn needs. */
static uint64_t build_frame(const struct stub *st, unsigned i)
{
	struct arch_frame_args fa = frame_args(st, st->threads[i]);

	fa.frame_top = exit_slot(st, i) + FZ_STUB_EXIT_SLOT;
	return arch_build_sigframe(&fa);
}

static _Noreturn void other_thread(void *arg)
{
	const struct thread_job *j = arg;
	uint64_t sp;
	long ret;

	restore_thread_attrs(j->st, j->rec);
	queue_pending_signals(j->st, j->index);
	sp = build_frame(j->st, j->index);
	ret = arch_set_tls_bases(&j->rec->regs);
	if (ret < 0)
		die_lost("thread %lu: cannot set its thread pointer: %s",
		         (unsigned long)j->rec->tid, errname(ret));
	arch_enter_trampoline_other(j->trampoline, sp, j->arrived, j->go);
}

/* The exit area, with the trampoline's code on its first page. */
static uint64_t map_exit_area(const struct stub *st)
{
	uint64_t area = st->params->hole_start;
	long ret = sys_mmap(area, st->params->exit_size, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	struct fz_exit_mark mark = { FZ_EXIT_MAGIC, st->params->exit_size };

	if (ret < 0)
		die_lost("cannot map the exit area: %s", errname(ret));
	__builtin_memcpy((void *)area, arch_trampoline_start,
			 (size_t)(arch_trampoline_end - arch_trampoline_start));
	__builtin_memcpy((void *)(area + FZ_PAGE_SIZE - sizeof(mark)), &mark,
			 sizeof(mark));
	sys_mprotect(area, FZ_PAGE_SIZE, PROT_READ | PROT_EXEC);
	return area;
}

static void start_other_threads(const struct stub *st, uint64_t trampoline,
				uint32_t *go)
{
	uint64_t entry = trampoline + (uint64_t)(arch_trampoline_other -
						 arch_trampoline_start);

	for (unsigned i = 1; i < st->nthreads; i++) {
		const struct fz_thread *t = st->threads[i];
		uint8_t *stack = (uint8_t *)st->params->stack_addr +
				 FZ_STUB_MAIN_STACK + i * FZ_STUB_THREAD_STACK;
		long ret;

		jobs[i] = (struct thread_job){
			.st = st, .rec = t, .index = i, .trampoline = entry, .go = go,
			.arrived = sync_word(st, i),
		};
		*jobs[i].arrived = 0;
		ret = arch_clone_thread(THREAD_FLAGS, stack, other_thread, &jobs[i],
					0);
		if (ret < 0)
			die_lost("cannot create thread %u of %u: %s", i + 1,
			         st->nthreads, errname(ret));
		tids[i] = ret;
	}
}

static void wait_arrivals(const struct stub *st)
{
	for (unsigned i = 1; i < st->nthreads; i++)
		while (!__atomic_load_n(jobs[i].arrived, __ATOMIC_ACQUIRE))
			sys_futex(jobs[i].arrived, FUTEX_WAIT_PRIVATE, 0);
}

/*
 * For the trampoline: the PR_SET_MM_MAP that makes the process's executable
 * /proc/self/exe again, in the leader's slot (it must outlive the stub), or
 * NULL when it stays the image (prepare_exe.c says when).
 */
_Static_assert(sizeof(struct prctl_mm_map) == 104, "trampoline.S's PRCTL_MM_MAP_SIZE");
_Static_assert(sizeof(uint64_t) + sizeof(struct prctl_mm_map) <= FZ_EXIT_SLOT_HEAD,
	       "the leader's exe map fits its slot's head");

static const void *exe_map(const struct stub *st)
{
	struct prctl_mm_map *map = (void *)(exit_slot(st, 0) + sizeof(uint64_t));

	if (st->exe_fd < 0)
		return 0;
	mm_map_of(st, map);
	map->auxv = 0;  /* kept as restore_mm_fields set it */
	map->auxv_size = 0;
	map->exe_fd = (uint32_t)st->exe_fd;
	return map;
}

void resume_threads(const struct stub *st)
{
	const struct fz_thread *leader = st->threads[0];
	uint64_t trampoline = map_exit_area(st);
	uint64_t stub_start = trampoline + st->params->exit_size;
	uint64_t sp = build_frame(st, 0);
	uint32_t *go = sync_word(st, 0);
	long ret;

	*go = 0;
	restore_mdwe(st); /* the exit area was the last code the stub made */
	tids[0] = sys_gettid();
	start_other_threads(st, trampoline, go);
	restore_posix_timers(st, tids);
	restore_thread_attrs(st, leader);
	queue_pending_signals(st, 0);
	wait_arrivals(st);
	hand_exit_to_cleaner(st, tids); /* with the stub's own fs still */
	ret = arch_set_tls_bases(&leader->regs);
	if (ret < 0)
		die_lost("cannot set the thread pointer: %s", errname(ret));
	arch_enter_trampoline_leader(
		trampoline + (uint64_t)(arch_trampoline_leader - arch_trampoline_start),
		sp, stub_start, st->hole_end - stub_start, go, exe_map(st), st->exe_fd);
}
