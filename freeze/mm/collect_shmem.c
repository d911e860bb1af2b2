/*
 * Shared memory: MAP_SHARED anonymous memory, memfds, deleted files mapped
 * MAP_SHARED and SysV segments. Mappings and fds are grouped by the object
 * behind them (its device and inode, as maps and fstat show them) so the
 * stub rebuilds one object per group and every mapping and fd of it shares
 * it again. freeze reads an object through an fd of its own when it can
 * get one (a reopen of the process's memfd fd, a pidfd_getfd copy of it,
 * or /proc/PID/map_files, which needs CAP_CHECKPOINT_RESTORE); otherwise
 * through the process's mappings of it (write_shmem.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fds/fds.h"
#include "freeze.h"
#include "mm/mm.h"

static const char deleted_suffix[] = " (deleted)";
#define DELETED_LEN (sizeof(deleted_suffix) - 1)
#define MEMFD_PREFIX "/memfd:"
#define MEMFD_PREFIX_LEN (sizeof(MEMFD_PREFIX) - 1)

/*
 * The device of the kernel's internal shmem mount, where memfds, shared
 * anonymous memory and SysV segments live: that of a memfd of our own.
 */
static uint64_t internal_shmem_dev(void)
{
	static uint64_t dev;
	static bool known;
	struct stat st;
	int fd;

	if (known)
		return dev;
	fd = memfd_create("freeze-probe", MFD_CLOEXEC);
	if (fd >= 0 && fstat(fd, &st) == 0)
		dev = st.st_dev;
	if (fd >= 0)
		close(fd);
	known = true;
	return dev;
}

static bool ends_deleted(const char *p)
{
	size_t n = strlen(p);

	return n > DELETED_LEN && !strcmp(p + n - DELETED_LEN, deleted_suffix);
}

bool is_memfd(const char *link, uint64_t dev)
{
	return dev == internal_shmem_dev() &&
	       !strncmp(link, MEMFD_PREFIX, MEMFD_PREFIX_LEN);
}

bool is_shmem_mapping(const struct map_entry *m)
{
	return m->path && (m->dev == internal_shmem_dev() || ends_deleted(m->path));
}

static uint32_t kind_of_mapping(const struct map_entry *m)
{
	if (m->dev != internal_shmem_dev())
		return FZ_SHMEM_DELETED;
	if (!strncmp(m->path, "/SYSV", 5))
		return FZ_SHMEM_SYSV;
	if (!strncmp(m->path, MEMFD_PREFIX, MEMFD_PREFIX_LEN))
		return FZ_SHMEM_MEMFD;
	return FZ_SHMEM_ANON;  /* "/dev/zero (deleted)", "[anon_shmem:...]" */
}

/* "/memfd:NAME (deleted)" gives NAME, "/path (deleted)" gives /path. */
static char *object_name(uint32_t kind, const char *path)
{
	size_t n = strlen(path);

	if (ends_deleted(path))
		n -= DELETED_LEN;
	if (kind == FZ_SHMEM_MEMFD && n >= MEMFD_PREFIX_LEN)
		return strndup(path + MEMFD_PREFIX_LEN, n - MEMFD_PREFIX_LEN);
	if (kind == FZ_SHMEM_DELETED)
		return strndup(path, n);
	return strdup("");
}

/* The index of the object (kind, dev, ino) in t->shmems, added if new. */
static long find_or_add(struct target *t, uint32_t kind, uint64_t dev,
			uint64_t ino, const char *path)
{
	struct shmem_entry e = {
		.rec = { .id = t->nshmems + 1, .kind = kind },
		.dev = dev, .ino = ino, .fd = -1,
	};

	for (size_t i = 0; i < t->nshmems; i++)
		if (t->shmems[i].rec.kind == kind && t->shmems[i].dev == dev &&
		    t->shmems[i].ino == ino)
			return (long)i;
	e.name = object_name(kind, path);
	if (!e.name || append_item(&t->shmems, &t->nshmems, sizeof(e), &e)) {
		free(e.name);
		return fail(-ENOMEM, "collecting shared memory");
	}
	return (long)t->nshmems - 1;
}

/* An fd of freeze's own on the memfd behind the process's fd. */
static int open_memfd(struct target *t, struct shmem_entry *s, int fd)
{
	char path[64];

	/* A reopen has its own offset: seeking it cannot move the process's. */
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)t->pid, fd);
	s->fd = open(path, O_RDONLY | O_CLOEXEC);
	s->fd_seekable = s->fd >= 0;
	if (s->fd < 0)
		s->fd = pidfd_dup(t->pid, fd);
	if (s->fd < 0)
		return fail(s->fd, "process %d: fd %d: taking a copy of the memfd",
			    (int)t->pid, fd);
	return 0;
}

static int add_memfd_fd(struct target *t, struct fd_entry *f)
{
	char path[64], link[FZ_PATH_MAX];
	struct shmem_entry *s;
	ssize_t n;
	long i;

	if (f->rec.kind != FZ_FD_MEMFD)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)t->pid, f->rec.fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return fail(-errno, "process %d: fd %d: reading its name",
			    (int)t->pid, f->rec.fd);
	link[n] = 0;
	i = find_or_add(t, FZ_SHMEM_MEMFD, internal_shmem_dev(), f->rec.object_id, link);
	if (i < 0)
		return (int)i;
	s = &t->shmems[i];
	f->rec.object_id = s->rec.id;
	return s->fd < 0 ? open_memfd(t, s, f->rec.fd) : 0;
}

static int add_mapping(struct target *t, struct map_entry *m)
{
	struct shmem_entry *s;
	char path[64];
	long i;

	if (m->kind != FZ_MAP_SHMEM)
		return 0;
	i = find_or_add(t, kind_of_mapping(m), m->dev, m->ino, m->path);
	if (i < 0)
		return (int)i;
	s = &t->shmems[i];
	m->shmem_id = s->rec.id;
	if (s->rec.kind == FZ_SHMEM_SYSV && !m->may_write)
		m->flags |= FZ_MAPF_SHM_RDONLY;
	if (s->fd >= 0)
		return 0;
	/* Refused without CAP_CHECKPOINT_RESTORE: then the mappings are read. */
	snprintf(path, sizeof(path), "/proc/%d/map_files/%lx-%lx", (int)t->pid,
		 (unsigned long)m->start, (unsigned long)m->end);
	s->fd = open(path, O_RDONLY | O_CLOEXEC);
	s->fd_seekable = s->fd >= 0;
	return 0;
}

static uint64_t mapped_end(const struct target *t, const struct shmem_entry *s)
{
	uint64_t end = 0;

	for (size_t i = 0; i < t->nmaps; i++) {
		const struct map_entry *m = &t->maps[i];
		if (m->kind == FZ_MAP_SHMEM && m->shmem_id == s->rec.id &&
		    m->offset + (m->end - m->start) > end)
			end = m->offset + (m->end - m->start);
	}
	return end;
}

static const struct map_entry *first_mapping(const struct target *t,
					     const struct shmem_entry *s)
{
	for (size_t i = 0; i < t->nmaps; i++)
		if (t->maps[i].kind == FZ_MAP_SHMEM &&
		    t->maps[i].shmem_id == s->rec.id)
			return &t->maps[i];
	return NULL;
}

static bool same_ipc_namespace(pid_t pid)
{
	char path[64];
	struct stat mine, its;

	snprintf(path, sizeof(path), "/proc/%d/ns/ipc", (int)pid);
	if (stat(path, &its) || stat("/proc/self/ns/ipc", &mine))
		return true;  /* no namespaces here: there is only one */
	return its.st_ino == mine.st_ino && its.st_dev == mine.st_dev;
}

/* Key, size, permissions and removal mark of the segment (its shmid is the inode). */
static int describe_sysv(struct target *t, struct shmem_entry *s)
{
	const struct map_entry *m = first_mapping(t, s);
	struct shmid_ds ds;
	int id = (int)s->ino;

	if (!same_ipc_namespace(t->pid))
		return fail(-ENOTSUP, "process %d: SysV shared memory %d at %#lx is "
			    "in another IPC namespace: not supported yet",
			    (int)t->pid, id, (unsigned long)m->start);
	if (shmctl(id, IPC_STAT, &ds) < 0)
		return fail(-errno, "process %d: SysV shared memory %d at %#lx: "
			    "reading its state", (int)t->pid, id,
			    (unsigned long)m->start);
	s->rec.size = ds.shm_segsz;
	s->rec.mode = ds.shm_perm.mode & 0777;
	s->rec.sysv_key = ds.shm_perm.__key;
	s->rec.sysv_id = id;
	if (ds.shm_perm.mode & SHM_DEST)
		s->rec.flags |= FZ_SHMEMF_SYSV_REMOVED;
	return 0;
}

static int describe_memfd(struct target *t, struct shmem_entry *s)
{
	const struct map_entry *m = first_mapping(t, s);
	int seals;

	if (s->fd < 0) {
		s->rec.flags |= FZ_SHMEMF_SEALS_UNKNOWN;
		warning("memfd %s mapped at %#lx: its seals and mode cannot be "
			"read without CAP_CHECKPOINT_RESTORE; it resumes unsealed",
			s->name, (unsigned long)(m ? m->start : 0));
		return 0;
	}
	seals = fcntl(s->fd, F_GET_SEALS);
	if (seals < 0)
		return fail(-errno, "process %d: memfd %s: reading its seals",
			    (int)t->pid, s->name);
	s->rec.seals = (uint32_t)seals;
	return 0;
}

static int describe(struct target *t, struct shmem_entry *s)
{
	struct stat st;

	if (s->fd >= 0 && fstat(s->fd, &st) == 0) {
		s->rec.size = (uint64_t)st.st_size;
		s->rec.mode = st.st_mode & 07777;
	} else {
		s->rec.size = mapped_end(t, s);
	}
	if (s->rec.kind == FZ_SHMEM_MEMFD)
		return describe_memfd(t, s);
	if (s->rec.kind == FZ_SHMEM_SYSV)
		return describe_sysv(t, s);
	return 0;
}

int collect_shmem(struct target *t)
{
	int err = 0;

	for (size_t i = 0; !err && i < t->nfds; i++)
		err = add_memfd_fd(t, &t->fds[i]);
	for (size_t i = 0; !err && i < t->nmaps; i++)
		err = add_mapping(t, &t->maps[i]);
	for (size_t i = 0; !err && i < t->nshmems; i++)
		err = describe(t, &t->shmems[i]);
	return err;
}
