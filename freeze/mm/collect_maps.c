/*
 * The target's memory mappings from /proc/PID/smaps, each classified by how
 * the stub will rebuild it (enum fz_map_kind).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>

#include "core/core.h"
#include "fds/fds.h"
#include "mm/mm.h"
#include "stub_abi.h"

/* Does the VmFlags line list this two-letter flag? */
static bool has_vmflag(const char *line, const char *flag)
{
	for (const char *p = line + 8; (p = strstr(p, flag)); p++)
		if (p[-1] == ' ' && (p[2] == ' ' || p[2] == '\n' || !p[2]))
			return true;
	return false;
}

/* The flags of VmFlags the stub sets again (see FZ_MAPF_*). */
static uint32_t vmflags(const char *line)
{
	static const struct {
		char name[3];
		uint32_t flag;
	} kept[] = {
		{ "gd", FZ_MAPF_GROWSDOWN },   { "hg", FZ_MAPF_HUGEPAGE },
		{ "nh", FZ_MAPF_NOHUGEPAGE },  { "dc", FZ_MAPF_DONTFORK },
		{ "wf", FZ_MAPF_WIPEONFORK },  { "dd", FZ_MAPF_DONTDUMP },
		{ "mg", FZ_MAPF_MERGEABLE },   { "lo", FZ_MAPF_LOCKED },
		{ "lf", FZ_MAPF_LOCKONFAULT }, { "sl", FZ_MAPF_SEALED },
	};
	uint32_t flags = 0;

	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		if (has_vmflag(line, kept[i].name))
			flags |= kept[i].flag;
	return flags;
}

static bool is_header_line(const char *line)
{
	/* "start-end perms ...": smaps' other lines start with "Name:". */
	const char *dash = strchr(line, '-');
	const char *colon = strchr(line, ':');
	return dash && (!colon || dash < colon);
}

static int parse_header(const char *line, struct map_entry *m)
{
	char perms[8];
	unsigned long long start, end, offset, ino;
	unsigned major, minor;
	int name_at = 0;

	if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu %n", &start, &end, perms,
		   &offset, &major, &minor, &ino, &name_at) < 7)
		return -EINVAL;
	*m = (struct map_entry){ .start = start, .end = end, .offset = offset,
				 .dev = makedev(major, minor), .ino = ino };
	m->prot = (perms[0] == 'r' ? PROT_READ : 0) |
		  (perms[1] == 'w' ? PROT_WRITE : 0) |
		  (perms[2] == 'x' ? PROT_EXEC : 0);
	m->shared = perms[3] == 's';
	if (name_at && line[name_at] && line[name_at] != '\n') {
		m->path = strndup(line + name_at, strcspn(line + name_at, "\n"));
		if (!m->path)
			return -ENOMEM;
	}
	return 0;
}

static bool is_plain_file(const char *path)
{
	size_t n = path ? strlen(path) : 0;
	static const char deleted[] = " (deleted)";

	return n && path[0] == '/' &&
	       !(n >= sizeof(deleted) - 1 &&
		 !strcmp(path + n - (sizeof(deleted) - 1), deleted));
}

/* 0 and the kind, or -1 for a mapping that is not part of the process. */
static int classify(struct map_entry *m, pid_t pid)
{
	const char *p = m->path ? m->path : "";

	if (!strcmp(p, "[vsyscall]"))
		return -1;
	if (!strcmp(p, "[vdso]"))
		m->kind = FZ_MAP_VDSO;
	else if (!strncmp(p, "[vvar", 5))
		m->kind = FZ_MAP_VVAR;
	else if (is_io_uring_mapping(m))
		return refuse_io_uring(pid, m->start);
	else if (is_aio_ring(m))
		m->kind = FZ_MAP_AIO;  /* collect_aio.c */
	else if (m->shared && is_shmem_mapping(m)) {
		if (m->hugetlb)
			return fail(-ENOTSUP, "process %d: shared huge page memory "
				    "at %#lx (%s) is not supported yet", (int)pid,
				    (unsigned long)m->start, p);
		m->kind = FZ_MAP_SHMEM;
	} else if (m->shared && (m->prot & PROT_WRITE)) {
		if (!is_plain_file(m->path))
			return fail(-ENOTSUP, "process %d: writable shared memory "
				    "at %#lx (%s) is not supported yet", (int)pid,
				    (unsigned long)m->start, p[0] ? p : "anonymous");
		m->kind = FZ_MAP_SHARED_FILE;
	} else {
		/* Private, or shared but read-only: its bytes go in the image. */
		m->kind = FZ_MAP_ANON;
		if (p[0] == '/')
			m->flags |= FZ_MAPF_FROM_FILE;
	}
	return 0;
}

static int read_vdso(struct target *t, const struct map_entry *m)
{
	size_t len = m->end - m->start;

	t->vdso = malloc(len);
	if (!t->vdso)
		return -ENOMEM;
	if (remote_rw(t->pid, m->start, t->vdso, len, false))
		return fail(-EFAULT, "process %d: reading its vdso", (int)t->pid);
	t->vdso_len = len;
	return 0;
}

static int finish_entry(struct target *t, struct map_entry *m)
{
	int kind = classify(m, t->pid);

	if (kind < -1 )
		return kind;
	if (kind == -1) {
		free(m->path);
		return 0;
	}
	if (m->kind == FZ_MAP_VDSO) {
		int err = read_vdso(t, m);
		if (err)
			return err;
	}
	return append_item(&t->maps, &t->nmaps, sizeof(*m), m);
}

/*
 * Is m the code page of the exit area a resume left behind (stub_abi.h),
 * with its frame slots in the mapping after it? Its size, or 0.
 */
static uint64_t exit_area_at(const struct target *t, size_t i)
{
	const struct map_entry *m = &t->maps[i], *next = &t->maps[i + 1];
	struct fz_exit_mark mark;

	if (i + 1 >= t->nmaps || m->path || m->shared || m->end - m->start != 4096 ||
	    m->prot != (PROT_READ | PROT_EXEC) || next->path || next->shared ||
	    next->start != m->end)
		return 0;
	if (remote_rw(t->pid, m->end - sizeof(mark), &mark, sizeof(mark), false) ||
	    mark.magic != FZ_EXIT_MAGIC || mark.size != next->end - m->start)
		return 0;
	return mark.size;
}

/*
 * A process resumed from an image holds the exit area its stub left: it is
 * never used again, so the next image leaves it out instead of growing by
 * one such area per freeze and resume.
 */
static void drop_exit_areas(struct target *t)
{
	size_t kept = 0;

	for (size_t i = 0; i < t->nmaps; i++) {
		if (exit_area_at(t, i)) {
			free(t->maps[i].path);
			free(t->maps[i + 1].path);
			i++;
			continue;
		}
		t->maps[kept++] = t->maps[i];
	}
	t->nmaps = kept;
}

int collect_maps(struct target *t)
{
	char path[64], line[FZ_PATH_MAX + 128];
	struct map_entry cur;
	bool have = false;
	int err = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)t->pid);
	f = fopen(path, "re");
	if (!f)
		return fail(-errno, "process %d: reading %s", (int)t->pid, path);
	while (!err && fgets(line, sizeof(line), f)) {
		if (is_header_line(line)) {
			if (have)
				err = finish_entry(t, &cur);
			have = !err && !(err = parse_header(line, &cur));
		} else if (have && !strncmp(line, "VmFlags:", 8)) {
			cur.flags |= vmflags(line);
			cur.may_write = has_vmflag(line, "mw");
			cur.hugetlb = has_vmflag(line, "ht");
		}
	}
	if (!err && have)
		err = finish_entry(t, &cur);
	fclose(f);
	if (err)
		return fail(err, "process %d: reading its memory map", (int)t->pid);
	drop_exit_areas(t);
	return collect_guards(t);
}
