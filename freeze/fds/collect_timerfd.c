/*
 * A timerfd's clock, interval, time left and expirations not read yet.
 *
 * fdinfo alone is not enough: a periodic timer that expired is not re-armed
 * until someone asks, so fdinfo shows it_value 0 and one tick however many
 * periods went by. timerfd_gettime() on a copy of the fd (pidfd_getfd)
 * brings the timer up to date first, adding the missed periods to its
 * ticks, exactly as the process's own next read or gettime would; then
 * fdinfo's ticks are right.
 *
 * TFD_TIMER_ABSTIME: the deadline is kept on the timer's clock as the
 * process saw it (its time namespace offsets included), so a timer for
 * 09:00 still fires at 09:00; a relative timer gets the time it had left.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "fds/anon_fds.h"
#include "fds/fds.h"

#define NSEC 1000000000LL

/* The process's offset of `clock` from freeze's (time namespaces). */
static int64_t timens_offset_ns(pid_t pid, int clock)
{
	const char *name = clock == CLOCK_MONOTONIC ? "monotonic" :
			   clock == CLOCK_BOOTTIME || clock == CLOCK_BOOTTIME_ALARM ?
			   "boottime" : NULL;
	char buf[256], *s;
	long long sec = 0, nsec = 0;

	if (!name || read_proc_file(pid, "timens_offsets", buf, sizeof(buf), NULL))
		return 0;
	s = strstr(buf, name);
	if (!s || sscanf(s + strlen(name), "%lld %lld", &sec, &nsec) != 2)
		return 0;
	return sec * NSEC + nsec;
}

/* Deadline on the process's `clock` of a timer `left` from now. */
static int to_deadline(pid_t pid, int clock, struct fz_timerfd *r)
{
	struct timespec now;
	int64_t at;

	if (clock_gettime(clock, &now))
		return -errno;
	at = (int64_t)now.tv_sec * NSEC + now.tv_nsec + timens_offset_ns(pid, clock) +
	     r->value_sec * NSEC + r->value_nsec;
	r->value_sec = at / NSEC;
	r->value_nsec = at % NSEC;
	return 0;
}

static int read_timer(pid_t pid, int fd, struct fz_timerfd *r)
{
	struct itimerspec its;
	int copy = pidfd_dup(pid, fd), err = 0;

	if (copy < 0)
		return copy;
	if (timerfd_gettime(copy, &its))
		err = -errno;
	close(copy);
	if (err)
		return err;
	r->interval_sec = its.it_interval.tv_sec;
	r->interval_nsec = its.it_interval.tv_nsec;
	r->value_sec = its.it_value.tv_sec;
	r->value_nsec = its.it_value.tv_nsec;
	return 0;
}

int collect_timerfd(struct target *t, int fd, FILE *info)
{
	struct fz_timerfd r = { .fd = fd };
	uint64_t clock = 0, flags = 0;
	int err = read_timer(t->pid, fd, &r);

	if (err)
		return fail(err, "process %d: fd %d: reading the timerfd's time left",
			    (int)t->pid, fd);
	if ((err = fdinfo_field(info, "clockid:", 10, &clock)) ||
	    (err = fdinfo_field(info, "ticks:", 10, &r.ticks)) ||
	    (err = fdinfo_field(info, "settime flags:", 8, &flags)))
		return fail(err, "process %d: fd %d: reading the timerfd's fdinfo",
			    (int)t->pid, fd);
	r.clock = (int32_t)clock;
	r.settime_flags = (uint32_t)flags;
	if ((flags & TFD_TIMER_ABSTIME) && (r.value_sec || r.value_nsec) &&
	    (err = to_deadline(t->pid, r.clock, &r)))
		return fail(err, "process %d: fd %d: reading the timerfd's clock %d",
			    (int)t->pid, fd, r.clock);
	return append_item(&t->anon->timerfds, &t->anon->ntimerfds, sizeof(r), &r);
}
