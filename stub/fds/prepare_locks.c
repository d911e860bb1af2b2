/*
 * File locks before the point of no return: flock and OFD locks belong to the
 * open file, so they are taken on the stub's prepared fd; a POSIX lock
 * belongs to the process and must wait for the fd at its number
 * (restore_locks.c), but that no one else holds it is checked here. A read
 * lease belongs to the open file too.
 */
#include "fds/fds.h"
#include "print.h"
#include "sys.h"

#define EAGAIN 11

static const char *lock_name(uint32_t kind)
{
	return kind == FZ_LOCK_FLOCK ? "flock" :
	       kind == FZ_LOCK_OFD   ? "OFD lock" :
	       kind == FZ_LOCK_LEASE ? "read lease" :
				       "POSIX lock";
}

static const struct prepared_fd *holder(const struct stub *st, const struct fz_lock *l)
{
	const struct prepared_fd *p = find_prepared(st, l->fd);

	if (p && p->rec->kind == FZ_FD_DUP)
		p = find_prepared(st, p->rec->dup_of);
	if (!p || p->tmp < 0)
		die("image is damaged: a lock of fd %d, which is not restored", l->fd);
	return p;
}

struct flock lock_range(const struct fz_lock *l)
{
	return (struct flock){ .l_type = l->write ? F_WRLCK : F_RDLCK,
			       .l_whence = 0 /* SEEK_SET */,
			       .l_start = (long)l->start, .l_len = (long)l->len };
}

/* Message for a lock another process holds now. */
static _Noreturn void taken(const struct fz_lock *l, const struct prepared_fd *p,
			    long pid)
{
	const char *path = p->rec->path_len ? (const char *)(p->rec + 1) : "?";

	if (pid > 0)
		die("fd %d (%s): process %ld holds a lock that conflicts with the "
		    "process's %s: cannot take it back", l->fd, path, pid,
		    lock_name(l->kind));
	die("fd %d (%s): another process holds a lock that conflicts with the "
	    "process's %s: cannot take it back", l->fd, path, lock_name(l->kind));
}

static void prepare_lock(const struct stub *st, const struct fz_lock *l)
{
	const struct prepared_fd *p = holder(st, l);
	struct flock fl = lock_range(l);
	long err;

	switch (l->kind) {
	case FZ_LOCK_FLOCK:
		err = sys_flock(p->tmp, (l->write ? LOCK_EX : LOCK_SH) | LOCK_NB);
		break;
	case FZ_LOCK_OFD:
		err = sys_fcntl(p->tmp, F_OFD_SETLK, (long)&fl);
		break;
	case FZ_LOCK_LEASE:
		/* EAGAIN: someone has the file open for writing now. */
		err = sys_fcntl(p->tmp, F_SETLEASE, F_RDLCK);
		if (err == -EAGAIN)
			die("fd %d: cannot take back its read lease: the file is open "
			    "for writing",
			    l->fd);
		break;
	case FZ_LOCK_POSIX:
		err = sys_fcntl(p->tmp, F_GETLK, (long)&fl);
		if (!err && fl.l_type != F_UNLCK)
			taken(l, p, fl.l_pid);
		return;
	default:
		die("image is damaged: fd %d has a lock of unknown kind %u", l->fd, l->kind);
	}
	if (err == -EAGAIN)
		taken(l, p, 0);
	if (err)
		die("fd %d: cannot take back its %s: %s", l->fd, lock_name(l->kind),
		    errname(err));
}

void prepare_locks(const struct stub *st)
{
	for_each_record(&st->img, r)
		if (r->type == FZ_REC_LOCK)
			prepare_lock(st, rec_data(r));
}
