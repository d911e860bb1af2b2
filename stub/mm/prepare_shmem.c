/*
 * Shared memory objects, rebuilt while failing is still harmless. A
 * memfd, shared anonymous memory or a deleted file becomes a new memfd
 * holding the recorded pages, with its mode and the seals its mappings
 * allow already (the others come once it is mapped: restore_shmem.c); the
 * process's fds of a memfd are that memfd, or reopens of it where they had
 * their own offset. A SysV segment is the one its key names on this host,
 * or a new one holding the recorded pages.
 */
#include <asm-generic/errno-base.h>
#include <linux/fcntl.h>
#include <linux/mman.h>

#include "fds/fds.h"
#include "lib.h"
#include "mm/mm.h"
#include "mm/sys_shmem.h"
#include "print.h"
#include "stub.h"
#include "writer.h"

#define PAGE_UP(x) (((x) + FZ_PAGE_SIZE - 1) & ~(FZ_PAGE_SIZE - 1))
/* Seals that must wait until the object is mapped. */
#define LATE_SEALS (F_SEAL_FUTURE_WRITE | F_SEAL_SEAL)
#define MEMFD_NAME_MAX 249
#define MEMFD_REOPEN_FLAGS (O_ACCMODE | O_APPEND | O_NONBLOCK | O_LARGEFILE | O_NOATIME)

const struct prepared_shmem *find_shmem(const struct stub *st, uint64_t id)
{
	for (unsigned i = 0; i < st->nshmems; i++)
		if (st->shmems[i].rec->id == id)
			return &st->shmems[i];
	return 0;
}

static const char *object_name(const struct fz_shmem *rec)
{
	if (rec->name_len)
		return (const char *)(rec + 1);
	return rec->kind == FZ_SHMEM_ANON ? "shared-anon" : "";
}

/* Decode the object's SHMEM_CHUNK records into memory at base. */
static void fill_object(const struct stub *st, const struct fz_shmem *obj,
			uint64_t base)
{
	const struct fz_shmem *cur = 0;

	for_each_record(&st->img, r) {
		const struct fz_chunk *c = rec_data(r);
		if (r->type == FZ_REC_SHMEM) {
			cur = rec_data(r);
			continue;
		}
		if (r->type != FZ_REC_SHMEM_CHUNK) {
			cur = 0;
			continue;
		}
		if (cur == obj && writer_decode(c->encoding, st->img.base + c->data_offset,
						c->data_size, (void *)(base + c->addr),
						(uint64_t)c->npages * FZ_PAGE_SIZE))
			die("shared memory %s: page data at offset %lx does not decode",
			    object_name(obj), (unsigned long)c->addr);
	}
}

static int create_memfd(const struct stub *st, const struct fz_shmem *rec)
{
	char name[MEMFD_NAME_MAX + 1];
	const char *src = object_name(rec);
	unsigned n = 0, flags = MFD_CLOEXEC | MFD_ALLOW_SEALING;
	long fd;

	while (src[n] && n < MEMFD_NAME_MAX) {
		name[n] = src[n];
		n++;
	}
	name[n] = 0;
	/* Say whether it may be executable, as Linux 6.3 asks; older ones refuse. */
	fd = sys_memfd_create(name, flags | MFD_EXEC);
	if (fd == -EINVAL)
		fd = sys_memfd_create(name, flags);
	else if (fd == -EACCES)   /* vm.memfd_noexec forbids executable ones */
		fd = sys_memfd_create(name, flags | MFD_NOEXEC_SEAL);
	if (fd < 0)
		die("cannot create shared memory %s: %s", name, errname(fd));
	fd = lift_fd(st, (int)fd);
	if (fd < 0)
		die("cannot keep shared memory %s open: too many open files", name);
	return (int)fd;
}

/* A new memfd as large as the object, holding its pages, mode and seals. */
static int build_memfd(const struct stub *st, const struct fz_shmem *rec)
{
	int fd = create_memfd(st, rec);
	uint64_t len = PAGE_UP(rec->size);
	long ret = sys_ftruncate(fd, rec->size);

	if (ret < 0)
		die("cannot size shared memory %s to %lu bytes: %s",
		    object_name(rec), (unsigned long)rec->size, errname(ret));
	if (len) {
		long base = sys_mmap(0, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (base < 0)
			die("cannot map shared memory %s: %s", object_name(rec),
			    errname(base));
		fill_object(st, rec, (uint64_t)base);
		sys_munmap((uint64_t)base, len);
	}
	/* Only a memfd's mode shows: no fd of the process opens the others. */
	if (rec->kind == FZ_SHMEM_MEMFD && !(rec->flags & FZ_SHMEMF_SEALS_UNKNOWN) &&
	    (ret = sys_fchmod(fd, rec->mode)) < 0)
		warn("shared memory %s: cannot set its mode: %s",
		     object_name(rec), errname(ret));
	if ((rec->seals & ~LATE_SEALS) &&
	    (ret = sys_fcntl(fd, F_ADD_SEALS, rec->seals & ~LATE_SEALS)) < 0)
		die("cannot seal shared memory %s: %s", object_name(rec),
		    errname(ret));
	return fd;
}

/* Ask for the segment's old id: root only (kernel.shm_next_id), else any. */
static void ask_for_id(int id)
{
	long fd = sys_open("/proc/sys/kernel/shm_next_id", O_WRONLY, 0);

	if (fd < 0)
		return;
	out((int)fd, "%d", id);
	sys_close((int)fd);
}

static void remove_created(const struct stub *st)
{
	for (unsigned i = 0; i < st->nshmems; i++)
		if (st->shmems[i].created)
			sys_shmctl(st->shmems[i].shmid, IPC_RMID, 0);
}

static _Noreturn void sysv_fail(const struct stub *st, const struct fz_shmem *rec,
				const char *what, long err)
{
	remove_created(st);
	die("SysV shared memory key %x (shmid %d): %s: %s", rec->sysv_key,
	    rec->sysv_id, what, errname(err));
}

static void create_segment(struct stub *st, struct prepared_shmem *p, int key)
{
	const struct fz_shmem *rec = p->rec;
	long id, base;

	ask_for_id(rec->sysv_id);
	/* The owner must be able to attach it, as the process did. */
	id = sys_shmget(key, rec->size, IPC_CREAT | IPC_EXCL | (int)(rec->mode | 0600));
	if (id < 0)
		sysv_fail(st, rec, "cannot create it", id);
	p->shmid = (int)id;
	p->created = 1;
	base = sys_shmat(p->shmid, 0, 0);
	if (base < 0)
		sysv_fail(st, rec, "cannot attach it to fill it", base);
	fill_object(st, rec, (uint64_t)base);
	sys_shmdt((uint64_t)base);
	if (id != rec->sysv_id)
		warn("SysV shared memory key %x: its shmid is %ld here, was %d",
		     rec->sysv_key, id, rec->sysv_id);
}

static int is_keyed(const struct fz_shmem *rec)
{
	return rec->sysv_key != 0 && !(rec->flags & FZ_SHMEMF_SYSV_REMOVED);
}

/*
 * A keyed segment still there (same host, not removed) is the live one,
 * shared with whoever else uses it: its id, or -1 when there is none.
 */
static int existing_segment(const struct stub *st, const struct fz_shmem *rec)
{
	struct shmid64_ds ds;
	long id = sys_shmget(rec->sysv_key, 0, 0), ret;

	if (id == -ENOENT)
		return -1;
	if (id < 0)
		sysv_fail(st, rec, "cannot look it up", id);
	/* IPC_STAT needs the read permission that attaching needs too. */
	if ((ret = sys_shmctl((int)id, IPC_STAT, &ds)) < 0)
		sysv_fail(st, rec, "the segment with its key here cannot be read", ret);
	if (ds.shm_segsz < rec->size)
		sysv_fail(st, rec, "the segment with its key here is smaller", -EINVAL);
	return (int)id;
}

void prepare_shmem(struct stub *st)
{
	for_each_record(&st->img, r) {
		const struct fz_shmem *rec = rec_data(r);
		struct prepared_shmem *p = &st->shmems[st->nshmems];
		if (r->type != FZ_REC_SHMEM)
			continue;
		*p = (struct prepared_shmem){ .rec = rec, .fd = -1, .shmid = -1 };
		if (rec->kind != FZ_SHMEM_SYSV)
			p->fd = build_memfd(st, rec);
		else if (is_keyed(rec))
			p->shmid = existing_segment(st, rec);
		st->nshmems++;
	}
}

/* Another open file of the memfd, for an fd that had its own offset. */
static int reopen_memfd(const struct stub *st, const struct prepared_shmem *p,
			const struct fz_fd *f)
{
	char path[40];
	long fd;

	format(path, sizeof(path), "/proc/self/fd/%d", p->fd);
	fd = sys_open(path, (int)(f->flags & MEMFD_REOPEN_FLAGS), 0);
	if (fd >= 0)
		return lift_fd(st, (int)fd);
	warn("fd %d: cannot reopen its memfd %s (%s): it shares the offset "
	     "of another fd of it", f->fd, object_name(p->rec), errname(fd));
	return (int)sys_fcntl(p->fd, F_DUPFD_CLOEXEC, st->max_fd + 1);
}

int prepare_memfd_fd(struct stub *st, const struct fz_fd *f)
{
	struct prepared_shmem *p = &st->shmems[find_shmem(st, f->object_id) - st->shmems];
	int fd;
	long ret;

	if (!p->fd_given && (f->flags & O_ACCMODE) == O_RDWR) {
		fd = p->fd;
		p->fd_given = 1;
	} else {
		fd = reopen_memfd(st, p, f);
	}
	if (fd < 0)
		die("cannot open memfd %s for fd %d: too many open files",
		    object_name(p->rec), f->fd);
	sys_fcntl(fd, F_SETFL, f->flags & (O_APPEND | O_NONBLOCK | O_NOATIME));
	ret = sys_lseek(fd, (long)f->pos, 0 /* SEEK_SET */);
	if (ret < 0)
		die("cannot seek fd %d (memfd %s) to %lu: %s", f->fd,
		    object_name(p->rec), (unsigned long)f->pos, errname(ret));
	return fd;
}

void prepare_sysv(struct stub *st)
{
	for (unsigned i = 0; i < st->nshmems; i++) {
		struct prepared_shmem *p = &st->shmems[i];
		if (p->rec->kind == FZ_SHMEM_SYSV && p->shmid < 0)
			create_segment(st, p, is_keyed(p->rec) ? p->rec->sysv_key
							       : 0 /* IPC_PRIVATE */);
	}
}
