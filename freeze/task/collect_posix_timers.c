/*
 * POSIX timers (timer_create): /proc/PID/timers tells each timer's id,
 * clock and how it notifies; an injected timer_gettime() tells the time
 * left and the interval.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "core/core.h"
#include "freeze.h"
#include "task/task.h"

/*
 * "notify: signal/pid.123", "none/pid.123", or "signal/tid.456" for a timer
 * aimed at one thread (SIGEV_THREAD_ID, how glibc runs SIGEV_THREAD).
 */
static int parse_notify(const struct target *t, const char *s,
			struct fz_posix_timer *pt)
{
	char kind[16], whom[8];
	int id;

	if (sscanf(s, "%15[a-z]/%7[a-z].%d", kind, whom, &id) != 3)
		return -EINVAL;
	if (!strcmp(kind, "signal"))
		pt->notify = SIGEV_SIGNAL;
	else if (!strcmp(kind, "none"))
		pt->notify = SIGEV_NONE;
	else
		return -ENOTSUP;
	if (!strcmp(whom, "tid")) {
		const struct thread *th = find_thread(t, id);
		if (!th)
			return -ESRCH;
		pt->notify |= SIGEV_THREAD_ID;
		pt->thread = (uint32_t)(th - t->threads);
	}
	return 0;
}

/* The next timer's lines of /proc/PID/timers; 1 when one was read. */
static int read_one(FILE *f, const struct target *t, struct fz_posix_timer *pt)
{
	char line[128], notify[64];
	unsigned long long value = 0;
	int got = 0;

	*pt = (struct fz_posix_timer){ 0 };
	while (got < 4 && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "ID: %d", &pt->id) == 1)
			got++;
		else if (sscanf(line, "signal: %d/%llx", &pt->signo, &value) == 2)
			got++;
		else if (sscanf(line, "notify: %63s", notify) == 1)
			got++;
		else if (sscanf(line, "ClockID: %d", &pt->clock) == 1)
			got++;
	}
	pt->value = value;
	if (got == 0)
		return 0;
	if (got < 4 || parse_notify(t, notify, pt))
		return -EINVAL;
	return 1;
}

static int ask_time(struct target *t, struct fz_posix_timer *pt)
{
	const uint64_t args[6] = { (uint64_t)pt->id, t->scratch_addr };
	int64_t ts[4];
	long res;
	int err = inject_syscall(t, &t->threads[0], SYS_timer_gettime, args, &res);

	if (!err && res < 0)
		err = fail((int)res, "process %d: timer %d", (int)t->pid, pt->id);
	if (!err)
		err = inject_read_scratch(t, ts, sizeof(ts));
	if (err)
		return err;
	pt->interval_sec = ts[0];
	pt->interval_nsec = ts[1];
	pt->value_sec = ts[2];
	pt->value_nsec = ts[3];
	return 0;
}

int collect_posix_timers(struct target *t)
{
	char path[64];
	struct fz_posix_timer pt;
	int n, err = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/timers", (int)t->pid);
	f = fopen(path, "re");
	if (!f) /* kernels without CONFIG_CHECKPOINT_RESTORE have no such file */
		return errno == ENOENT ? 0 : fail(-errno, "reading %s", path);
	while (!err && (n = read_one(f, t, &pt)) > 0) {
		err = ask_time(t, &pt);
		if (!err && (err = append_item(&t->timers, &t->ntimers, sizeof(pt), &pt)))
			err = fail(err, "collecting timers");
	}
	fclose(f);
	if (!err && n < 0)
		err = fail(-ENOTSUP, "process %d: a POSIX timer of a kind not "
			   "supported yet (see %s)", (int)t->pid, path);
	return err;
}
