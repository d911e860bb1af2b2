/*
 * Signals queued but not delivered yet (typically blocked ones): the
 * process-wide queue and each thread's own, read without dequeuing them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>

#include "freeze.h"
#include "task/task.h"

#define PEEK_BATCH 32

struct peek_args {
	uint64_t off;
	uint32_t flags;
	int32_t nr;
};

static int add_pending(struct target *t, uint32_t thread, const uint8_t *info)
{
	struct fz_siginfo s = { .thread = thread };

	memcpy(s.info, info, sizeof(s.info));
	return append_item(&t->pending, &t->npending, sizeof(s), &s);
}

/* One queue: the shared one through the leader, or thread index's own. */
static int peek_queue(struct target *t, size_t index, bool shared)
{
	uint8_t infos[PEEK_BATCH][128];
	struct peek_args a = {
		.flags = shared ? 1 /* PTRACE_PEEKSIGINFO_SHARED */ : 0,
		.nr = PEEK_BATCH,
	};

	for (;;) {
		long n = ptrace(PTRACE_PEEKSIGINFO, t->threads[index].tid, &a, infos);
		if (n < 0)
			return fail(-errno, "thread %d: reading its pending signals",
				    (int)t->threads[index].tid);
		for (long i = 0; i < n; i++) {
			int err = add_pending(t, shared ? FZ_SIGINFO_SHARED : (uint32_t)index,
					      infos[i]);
			if (err)
				return fail(err, "collecting pending signals");
		}
		if (n < PEEK_BATCH)
			return 0;
		a.off += (uint64_t)n;
	}
}

int collect_pending_signals(struct target *t)
{
	int err = peek_queue(t, 0, true);

	for (size_t i = 0; !err && i < t->nthreads; i++)
		err = peek_queue(t, i, false);
	return err;
}
