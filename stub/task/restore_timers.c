/*
 * Timers after the point of no return, last, once the process's memory is
 * back: interval timers (setitimer) and POSIX timers (timer_create) under
 * their old ids, each with the time it had left.
 */

#include "print.h"
#include "sys.h"
#include "task/task.h"

/* Linux 6.15's prctl; Debian 12's headers predate it. */
#define PR_TIMER_CREATE_RESTORE_IDS 77
#define PR_TIMER_CREATE_RESTORE_IDS_OFF 0
#define PR_TIMER_CREATE_RESTORE_IDS_ON 1
#define SIGEV_THREAD_ID 4
#define EEXIST 17

/* The kernel's struct sigevent. */
struct kernel_sigevent {
	uint64_t value;
	int32_t signo, notify;
	int32_t tid;
	int32_t pad[11];
};

/* Without PR_TIMER_CREATE_RESTORE_IDS, ids this far apart are not chased. */
#define MAX_ID_TRIES 65536

/*
 * Create the timer under its old id. With PR_TIMER_CREATE_RESTORE_IDS the
 * kernel takes the id asked for; an older one hands ids out in order, one
 * past the last, so a timer given a lower id is deleted (its id is used
 * up) and created again until it gets the one wanted: timers are made in
 * ascending id order for this.
 */
static long create_timer(int clock, struct kernel_sigevent *sev, int wanted,
			 int restore_ids)
{
	for (int tries = 0; tries < MAX_ID_TRIES; tries++) {
		int id = wanted;
		long ret = sys_timer_create(clock, sev, &id);
		if (ret < 0 || id == wanted)
			return ret < 0 ? ret : id;
		sys_timer_delete(id);
		if (restore_ids || id > wanted)
			break;
	}
	return -EEXIST;
}

static void restore_posix_timer(const struct stub *st, const long *tids,
				const struct fz_posix_timer *t, int restore_ids)
{
	struct kernel_sigevent sev = { .value = t->value, .signo = t->signo,
				       .notify = t->notify };
	int64_t spec[4] = { t->interval_sec, t->interval_nsec, t->value_sec,
			    t->value_nsec };
	long ret;

	if (t->notify & SIGEV_THREAD_ID)
		sev.tid = t->thread < st->nthreads ? (int32_t)tids[t->thread] : -1;
	ret = create_timer(t->clock, &sev, t->id, restore_ids);
	if (ret >= 0 && (t->value_sec || t->value_nsec))
		ret = sys_timer_settime(t->id, 0, spec);
	if (ret < 0)
		warn("cannot restore POSIX timer %d%s: %s", t->id,
		     restore_ids ? "" : " (this kernel cannot restore timer ids)",
		     errname(ret));
}

/* The timer record with the lowest id above `after`, or NULL. */
static const struct fz_posix_timer *next_timer(const struct stub *st, long after)
{
	const struct fz_posix_timer *best = 0;

	/* A record's body is read only once its type is known: it may be short. */
	for_each_record(&st->img, r) {
		const struct fz_posix_timer *t;
		if (r->type != FZ_REC_POSIX_TIMER)
			continue;
		t = rec_data(r);
		if (t->id > after && (!best || t->id < best->id))
			best = t;
	}
	return best;
}

/* timer_create() timers, with the ids the process holds, lowest first. */
void restore_posix_timers(const struct stub *st, const long *tids)
{
	int restore_ids = sys_prctl(PR_TIMER_CREATE_RESTORE_IDS,
				    PR_TIMER_CREATE_RESTORE_IDS_ON, 0, 0, 0) == 0;

	for (const struct fz_posix_timer *t = next_timer(st, -1); t;
	     t = next_timer(st, t->id))
		restore_posix_timer(st, tids, t, restore_ids);
	if (restore_ids)
		sys_prctl(PR_TIMER_CREATE_RESTORE_IDS, PR_TIMER_CREATE_RESTORE_IDS_OFF,
			  0, 0, 0);
}

void restore_itimers(const struct stub *st)
{
	for (int which = 0; st->itimers && which < FZ_NITIMERS; which++) {
		long ret = sys_setitimer(which, &st->itimers[which]);
		if (ret < 0)
			warn("cannot restore interval timer %d: %s", which,
			     errname(ret));
	}
}
