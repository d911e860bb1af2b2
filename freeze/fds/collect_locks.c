/*
 * File locks the process holds, from the "lock:" lines of
 * /proc/PID/fdinfo/N. A flock or OFD lock shows under the fd whose open
 * file holds it; a POSIX lock belongs to the process and shows under every
 * fd it has on the file, so it is kept once. Leases and other kinds cannot
 * be taken back by the stub: they are refused.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fds/fds.h"
#include "freeze.h"

#define FDINFO_MAX 16384

static int lock_kind(const char *word)
{
	if (!strcmp(word, "FLOCK"))
		return FZ_LOCK_FLOCK;
	if (!strcmp(word, "POSIX"))
		return FZ_LOCK_POSIX;
	if (!strcmp(word, "OFDLCK"))
		return FZ_LOCK_OFD;
	if (!strcmp(word, "LEASE"))
		return FZ_LOCK_LEASE;
	return 0;
}

static bool same_posix_lock(const struct fz_lock *a, const struct fz_lock *b)
{
	return a->kind == FZ_LOCK_POSIX && b->kind == FZ_LOCK_POSIX &&
	       a->start == b->start && a->len == b->len && a->write == b->write;
}

/* POSIX locks of another fd on the same file (same FILE id) are the same. */
static bool known_posix(const struct target *t, const struct fz_lock *l,
			uint64_t file_id)
{
	for (size_t i = 0; i < t->nlocks; i++) {
		const struct fd_entry *e = NULL;
		for (size_t j = 0; j < t->nfds && !e; j++)
			if (t->fds[j].rec.fd == t->locks[i].fd)
				e = &t->fds[j];
		if (e && e->rec.kind == FZ_FD_REG && e->rec.object_id == file_id &&
		    same_posix_lock(&t->locks[i], l))
			return true;
	}
	return false;
}

/* "lock:\t1: POSIX  ADVISORY  WRITE 1234 fe:00:5678 10 19" */
static int parse_lock(const struct target *t, const struct fd_entry *e,
		      const char *line, struct fz_lock *l)
{
	char kind[16], mode[16], type[16], end[32];
	unsigned long long start;

	if (sscanf(line, "lock: %*[^:]: %15s %15s %15s %*s %*s %llu %31s", kind,
		   mode, type, &start, end) != 5)
		return fail(-EINVAL, "process %d: fd %d: cannot read its lock line "
			    "'%.80s'", (int)t->pid, e->rec.fd, line);
	*l = (struct fz_lock){ .fd = e->rec.fd, .kind = (uint32_t)lock_kind(kind),
			       .write = !strcmp(type, "WRITE"), .start = start };
	if (!l->kind || (strcmp(type, "WRITE") && strcmp(type, "READ")))
		return fail(-ENOTSUP, "process %d: fd %d (%s) holds a %s %s lock: "
			    "not supported", (int)t->pid, e->rec.fd,
			    e->path ? e->path : "?", kind, type);
	/*
	 * A write lease is broken by any other open of the file, which the
	 * resume must do before it can take the lease again; a lease being
	 * broken has a break in progress that cannot be made again.
	 */
	if (l->kind == FZ_LOCK_LEASE && (l->write || strcmp(mode, "ACTIVE")))
		return fail(-ENOTSUP,
			    "process %d: fd %d (%s) holds a %s lease: not "
			    "supported (only a read lease that is not being broken "
			    "can be taken again)",
			    (int)t->pid, e->rec.fd, e->path ? e->path : "?",
			    l->write ? "write" : "breaking");
	if (l->kind == FZ_LOCK_LEASE)
		return 0;
	if (strcmp(end, "EOF"))
		l->len = strtoull(end, NULL, 10) - start + 1;
	return 0;
}

static int collect_fd_locks(struct target *t, const struct fd_entry *e, char *info)
{
	char name[64];
	int err;

	snprintf(name, sizeof(name), "fdinfo/%d", e->rec.fd);
	if ((err = read_proc_file(t->pid, name, info, FDINFO_MAX, NULL)))
		return fail(err, "process %d: reading %s", (int)t->pid, name);
	for (char *s = strstr(info, "\nlock:"); s; s = strstr(s + 1, "\nlock:")) {
		struct fz_lock l;
		if ((err = parse_lock(t, e, s + 1, &l)))
			return err;
		if (l.kind == FZ_LOCK_POSIX && known_posix(t, &l, e->rec.object_id))
			continue;
		if ((err = append_item(&t->locks, &t->nlocks, sizeof(l), &l)))
			return fail(err, "collecting locks");
	}
	return 0;
}

int collect_locks(struct target *t)
{
	char *info = malloc(FDINFO_MAX);
	int err = info ? 0 : fail(-ENOMEM, "collecting locks");

	/* A dup shares its open file, and so its locks, with an fd before it. */
	for (size_t i = 0; !err && i < t->nfds; i++)
		if (t->fds[i].rec.kind == FZ_FD_REG || t->fds[i].rec.kind == FZ_FD_DIR ||
		    t->fds[i].rec.kind == FZ_FD_DEAD_PATH)
			err = collect_fd_locks(t, &t->fds[i], info);
	free(info);
	return err;
}
