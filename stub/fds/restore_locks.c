/*
 * File locks. flock and OFD locks belong to the open file: they are taken
 * on the stub's prepared fd before the point of no return, and placing the
 * fd keeps them. A POSIX lock belongs to the process and goes away when
 * the process closes any fd on the file, which placing the fds does: so
 * before the point of no return the stub only checks that nobody else holds
 * a conflicting lock now, and takes it once the fds are in place.
 */

#include "fds/fds.h"
#include "print.h"
#include "sys.h"


void restore_posix_locks(const struct stub *st)
{
	for_each_record(&st->img, r) {
		const struct fz_lock *l = rec_data(r);
		struct flock fl = lock_range(l);
		long err;
		if (r->type != FZ_REC_LOCK || l->kind != FZ_LOCK_POSIX)
			continue;
		err = sys_fcntl(l->fd, F_SETLK, (long)&fl);
		if (err)
			warn("fd %d: its POSIX lock on bytes %lu+%lu was taken by "
			     "another process meanwhile: %s", l->fd,
			     (unsigned long)l->start, (unsigned long)l->len,
			     errname(err));
	}
}
