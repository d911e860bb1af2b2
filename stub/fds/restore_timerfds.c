/*
 * Timerfds are armed last, once the process's memory is back, like its
 * other timers: the time a timer had left starts counting when the process
 * is about to run again. prepare_anon_fds.c tried the same settings on the
 * new timerfd before the point of no return.
 */
#include <linux/timerfd.h>

#include "fds/fds.h"
#include "fds/sys_anon_fds.h"
#include "print.h"
#include "stub.h"

long arm_timerfd(int fd, const struct fz_timerfd *t)
{
	int64_t its[4] = { t->interval_sec, t->interval_nsec, t->value_sec,
			   t->value_nsec };

	return sys_timerfd_settime(fd, (int)t->settime_flags, its);
}

void restore_timerfds(const struct stub *st)
{
	for_each_record(&st->img, r) {
		const struct fz_timerfd *t = rec_data(r);
		uint64_t ticks;
		long ret;
		if (r->type != FZ_REC_TIMERFD)
			continue;
		ret = arm_timerfd(t->fd, t);
		if (ret < 0) {
			warn("fd %d: the timerfd stays disarmed: %s", t->fd, errname(ret));
			continue;
		}
		/* Expirations not read yet; settime counted none. */
		ticks = t->ticks;
		if (ticks && (ret = SYS(ioctl, t->fd, TFD_IOC_SET_TICKS, &ticks, 0, 0, 0)) < 0)
			warn("fd %d: the timerfd's %lu expirations not read yet are lost: %s",
			     t->fd, (unsigned long)ticks, errname(ret));
	}
}
