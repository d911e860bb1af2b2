/*
 * The links between records: every id or fd number one record names is a
 * record of the right kind. Runs last in image_verify(), in the stub and in
 * freeze (which checks its image with this code before -k kills), so an
 * image whose records do not hold together is refused while the process
 * still runs.
 *
 * Each look-up walks the record list: records name objects written before
 * or after them, so there is no order to lean on, but for FD records
 * (in fd order), where a dup's fd is looked for from the one found last.
 */
#include "image/image_read.h"

/* Kernel ABI numbers, spelled out: this file builds hosted and freestanding. */
#define EBADMSG 74
#define PROT_WRITE 2
#define F_SEAL_WRITE 8
#define AF_UNIX 1
#define SOCK_STREAM 1
#define PAGE_UP(x) (((x) + FZ_PAGE_SIZE - 1) & ~(uint64_t)(FZ_PAGE_SIZE - 1))

static int bad(const char **why, const char *what)
{
	*why = what;
	return -EBADMSG;
}

/* The record of `type` whose data starts with the u64 id. */
static const void *by_id(const struct image *img, uint32_t type, uint64_t id)
{
	for_each_record(img, r)
		if (r->type == type && r->size >= 8 &&
		    *(const uint64_t *)rec_data(r) == id)
			return rec_data(r);
	return 0;
}

/* The record of `type` whose data starts with the i32 fd number. */
static const void *by_fd(const struct image *img, uint32_t type, int32_t fd)
{
	for_each_record(img, r)
		if (r->type == type && r->size >= 4 &&
		    *(const int32_t *)rec_data(r) == fd)
			return rec_data(r);
	return 0;
}

static const struct fz_fd *fd_record(const struct image *img, int32_t fd)
{
	return by_fd(img, FZ_REC_FD, fd);
}

/* The fd that owns the open file of fd: itself, or the one it duplicates. */
static const struct fz_fd *owner(const struct image *img, int32_t fd)
{
	const struct fz_fd *f = fd_record(img, fd);

	return f && f->kind == FZ_FD_DUP ? fd_record(img, f->dup_of) : f;
}

/*
 * The FD record of fd, looked for from *hint on when that record's fd is not
 * past it (FD records come in fd order), and remembered there: a process's
 * dups mostly name the fd found last, so 10000 fds do not take 10000 walks.
 */
static const struct fz_fd *fd_record_from(const struct image *img,
					  const struct fz_record **hint, int32_t fd)
{
	const struct fz_record *r = *hint;

	if (!r || ((const struct fz_fd *)rec_data(r))->fd > fd)
		r = rec_first(img);
	for (; r; r = rec_next(img, r))
		if (r->type == FZ_REC_FD && ((const struct fz_fd *)rec_data(r))->fd == fd) {
			*hint = r;
			return rec_data(r);
		}
	return 0;
}

static int check_dup(const struct image *img, const struct fz_fd *f,
		     const struct fz_record **hint)
{
	const struct fz_fd *of = f->dup_of < f->fd ? fd_record_from(img, hint, f->dup_of) : 0;

	return of && of->kind != FZ_FD_DUP;
}

/*
 * A pty fd names a PTY record; that record names this fd as its master, or
 * (a slave) a master fd of the same pty, whose slave was not closed.
 */
static int pty_fd_ok(const struct image *img, const struct fz_fd *f)
{
	const struct fz_pty *p = by_id(img, FZ_REC_PTY, f->object_id);
	const struct fz_fd *m = p ? fd_record(img, p->master_fd) : 0;

	if (!m || m->kind != FZ_FD_PTY_MASTER || m->object_id != p->id)
		return 0;
	return f->kind == FZ_FD_PTY_MASTER ? m == f : !(p->flags & FZ_PTYF_SLAVE_CLOSED);
}

/* Does the object an fd of this kind opens exist? */
static int fd_target_exists(const struct image *img, const struct fz_fd *f,
			    const struct fz_record **hint)
{
	const struct fz_shmem *shm;

	switch (f->kind) {
	case FZ_FD_DEVICE:
	case FZ_FD_NULL:
	case FZ_FD_PROC:
	case FZ_FD_CHARDEV:
	case FZ_FD_INOTIFY:
	case FZ_FD_EPOLL:
	case FZ_FD_PIDFD:
	case FZ_FD_REG:    /* verify_files.c checks the FILE it names */
	case FZ_FD_DIR: case FZ_FD_OPATH:
	case FZ_FD_DEAD_PATH: /* verify_files.c checks the record it names */
		return 1;
	case FZ_FD_DUP: return check_dup(img, f, hint);
	case FZ_FD_INHERIT: return f->fd <= 2;
	case FZ_FD_PIPE: return by_id(img, FZ_REC_PIPE, f->object_id) != 0;
	case FZ_FD_SOCKET: return by_id(img, FZ_REC_SOCKET, f->object_id) != 0;
	case FZ_FD_TTY: return image_find(img, FZ_REC_TTY, 0) != 0;
	case FZ_FD_PTY_MASTER:
	case FZ_FD_PTY_SLAVE: return pty_fd_ok(img, f);
	case FZ_FD_EVENTFD: return by_fd(img, FZ_REC_EVENTFD, f->fd) != 0;
	case FZ_FD_TIMERFD: return by_fd(img, FZ_REC_TIMERFD, f->fd) != 0;
	case FZ_FD_SIGNALFD: return by_fd(img, FZ_REC_SIGNALFD, f->fd) != 0;
	case FZ_FD_MEMFD:
		shm = by_id(img, FZ_REC_SHMEM, f->object_id);
		return shm && shm->kind == FZ_SHMEM_MEMFD;
	}
	return 0;
}

static int check_fds(const struct image *img, const char **why)
{
	const struct fz_record *hint = 0;
	int32_t last = -1;

	for_each_record(img, r) {
		const struct fz_fd *f = rec_data(r);
		if (r->type != FZ_REC_FD)
			continue;
		if (f->fd <= last)
			return bad(why, "file descriptor records out of order");
		if (!fd_target_exists(img, f, &hint))
			return bad(why, "file descriptor names a record the image lacks");
		last = f->fd;
	}
	return 0;
}

/* A socketpair end names the other end, which names it back. */
static int pair_ok(const struct image *img, const struct fz_socket *a)
{
	const struct fz_socket *b = by_id(img, FZ_REC_SOCKET, a->peer_id);

	return b && b != a && b->state == FZ_SOCK_PAIR && b->peer_id == a->id &&
	       b->type == a->type && a->family == AF_UNIX && b->family == AF_UNIX;
}

/* A client waiting to be accepted names a UNIX listener of the image. */
static int listener_ok(const struct image *img, const struct fz_socket *c)
{
	const struct fz_socket *l = by_id(img, FZ_REC_SOCKET, c->peer_id);

	return l && l->state == FZ_SOCK_LISTEN && l->family == AF_UNIX &&
	       c->family == AF_UNIX && l->type == c->type;
}

/* Each PTY record: known flags, one record per id, its master fd there. */
static int check_ptys(const struct image *img, const char **why)
{
	for_each_record(img, r) {
		const struct fz_pty *p = rec_data(r);
		const struct fz_fd *m;
		if (r->type != FZ_REC_PTY)
			continue;
		m = fd_record(img, p->master_fd);
		if ((p->flags & ~(FZ_PTYF_SLAVE_CLOSED | FZ_PTYF_LOCKED | FZ_PTYF_PACKET)) ||
		    by_id(img, FZ_REC_PTY, p->id) != p || !m ||
		    m->kind != FZ_FD_PTY_MASTER || m->object_id != p->id)
			return bad(why, "pty record without its master fd");
	}
	return 0;
}

static int check_sockets(const struct image *img, const char **why)
{
	for_each_record(img, r) {
		const struct fz_socket *s = rec_data(r);
		if (r->type != FZ_REC_SOCKET)
			continue;
		if (s->state < FZ_SOCK_UNBOUND || s->state > FZ_SOCK_STATE_MAX)
			return bad(why, "socket of unknown state");
		if (s->state == FZ_SOCK_PAIR && !pair_ok(img, s))
			return bad(why, "socket paired with a socket the image lacks");
		if (s->state == FZ_SOCK_PENDING && !listener_ok(img, s))
			return bad(why, "waiting client of a listener the image lacks");
		if (s->state == FZ_SOCK_TCP_REPAIR &&
		    (s->family == AF_UNIX || s->type != SOCK_STREAM ||
		     !by_id(img, FZ_REC_TCP_REPAIR, s->id)))
			return bad(why, "TCP connection without its repair state");
	}
	return 0;
}

static int shared_map_ok(const struct image *img, const struct fz_mapping *m)
{
	const struct fz_shmem *p = by_id(img, FZ_REC_SHMEM, m->shmem_id);

	return p && m->offset % FZ_PAGE_SIZE == 0 &&
	       !(p->kind == FZ_SHMEM_SYSV &&
		 m->offset + (m->end - m->start) > PAGE_UP(p->size)) &&
	       !((p->seals & F_SEAL_WRITE) && (m->prot & PROT_WRITE));
}

/* A private mapping of a memfd (its mapping was checked to fit in size). */
static int map_file_ok(const struct image *img, const struct fz_map_file *f)
{
	const struct fz_shmem *p;

	if (!f->shmem_id)
		return 1;
	p = by_id(img, FZ_REC_SHMEM, f->shmem_id);
	return p && p->kind == FZ_SHMEM_MEMFD && p->size == f->size;
}

static int check_shmem_links(const struct image *img, const char **why)
{
	for_each_record(img, r) {
		const struct fz_mapping *m = rec_data(r);
		const struct fz_shmem *s = rec_data(r);
		if (r->type == FZ_REC_MAPPING && m->kind == FZ_MAP_SHMEM &&
		    !shared_map_ok(img, m))
			return bad(why, "shared mapping of a missing or smaller object");
		if (r->type == FZ_REC_SHMEM && by_id(img, FZ_REC_SHMEM, s->id) != s)
			return bad(why, "two shared memory objects with one id");
		if (r->type == FZ_REC_MAP_FILE && !map_file_ok(img, rec_data(r)))
			return bad(why, "private mapping of a missing or smaller memfd");
	}
	return 0;
}

/* Locks, epoll registrations and inotify watches name fds that exist. */
static int check_fd_users(const struct image *img, const char **why)
{
	for_each_record(img, r) {
		const struct fz_lock *l = rec_data(r);
		const struct fz_epoll_target *e = rec_data(r);
		const struct fz_inotify_watch *w = rec_data(r);
		const struct fz_fd *f;
		if (r->type == FZ_REC_LOCK) {
			f = owner(img, l->fd);
			if (!f || f->kind == FZ_FD_INHERIT || f->kind == FZ_FD_TTY)
				return bad(why, "lock of an fd the image does not restore");
		} else if (r->type == FZ_REC_EPOLL_TARGET) {
			f = fd_record(img, e->fd);
			if (!f || f->kind != FZ_FD_EPOLL || !fd_record(img, e->holder))
				return bad(why, "epoll registration of a missing fd");
		} else if (r->type == FZ_REC_INOTIFY_WATCH) {
			f = fd_record(img, w->fd);
			if (!f || f->kind != FZ_FD_INOTIFY)
				return bad(why, "inotify watch of a missing fd");
		}
	}
	return 0;
}

/* The watches of one inotify fd come in increasing wd order. */
static int check_watch_order(const struct image *img, const char **why)
{
	for_each_record(img, r) {
		const struct fz_fd *f = rec_data(r);
		int32_t last = 0;
		if (r->type != FZ_REC_FD || f->kind != FZ_FD_INOTIFY)
			continue;
		for_each_record(img, q) {
			const struct fz_inotify_watch *w = rec_data(q);
			if (q->type != FZ_REC_INOTIFY_WATCH || w->fd != f->fd)
				continue;
			if (w->wd <= last)
				return bad(why, "inotify watches out of order");
			last = w->wd;
		}
	}
	return 0;
}

int verify_links(const struct image *img, const char **why)
{
	if (check_fds(img, why) || check_ptys(img, why) || check_sockets(img, why) ||
	    check_shmem_links(img, why) || check_fd_users(img, why) ||
	    check_watch_order(img, why))
		return -EBADMSG;
	if (check_passed_fds(img))
		return bad(why, "fd in flight in a socket that lacks its message");
	return 0;
}
