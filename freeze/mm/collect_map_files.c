/*
 * The file behind each private file mapping (the executable, libraries,
 * data files mapped MAP_PRIVATE, a memfd mapped MAP_PRIVATE), recorded so
 * that the stub can map that file again when it is still the same one and
 * lay only the pages the process changed over it: /proc/PID/maps names the
 * file again, and the pages it never wrote share the host's page cache.
 *
 * A mapping gets no file (and comes back as an anonymous copy, which the
 * image holds anyway) when the file is deleted, is another file at its
 * path now, or is shorter than the mapping: pages past the end of a file
 * fault with SIGBUS, and an anonymous copy keeps what resumes did before.
 * A memfd counts only when its object is read whole (through an fd of
 * freeze's own), since its SHMEM record then holds every page of it.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "freeze.h"
#include "mm/mm.h"

static bool within_file(const struct map_entry *m, uint64_t size)
{
	uint64_t end = (size + FZ_PAGE_SIZE - 1) & ~(FZ_PAGE_SIZE - 1);

	return m->offset <= end && m->end - m->start <= end - m->offset;
}

static bool ends_deleted(const char *p)
{
	static const char suffix[] = " (deleted)";
	size_t n = strlen(p), k = sizeof(suffix) - 1;

	return n >= k && !strcmp(p + n - k, suffix);
}

static void memfd_file(const struct target *t, struct map_entry *m)
{
	for (size_t i = 0; i < t->nshmems; i++) {
		const struct shmem_entry *s = &t->shmems[i];
		if (s->rec.kind != FZ_SHMEM_MEMFD || s->dev != m->dev ||
		    s->ino != m->ino)
			continue;
		if (s->fd >= 0 && within_file(m, s->rec.size)) {
			m->has_file = true;
			m->file.shmem_id = s->rec.id;
			m->file.size = s->rec.size;
		}
		return;
	}
}

/* Looked up under the process's root: its path may mean another file in ours. */
static void path_file(const struct target *t, struct map_entry *m)
{
	char path[FZ_PATH_MAX + 32];
	struct stat st;

	if (ends_deleted(m->path) ||
	    snprintf(path, sizeof(path), "/proc/%d/root%s", (int)t->pid,
		     m->path) >= (int)sizeof(path))
		return;
	if (stat(path, &st) || !S_ISREG(st.st_mode) || st.st_dev != m->dev ||
	    st.st_ino != m->ino || !within_file(m, (uint64_t)st.st_size))
		return;
	m->has_file = true;
	m->file = (struct fz_map_file){
		.size = (uint64_t)st.st_size,
		.mtime_sec = st.st_mtim.tv_sec, .mtime_nsec = st.st_mtim.tv_nsec,
		.ino = st.st_ino, .dev_major = major(st.st_dev),
		.dev_minor = minor(st.st_dev),
	};
}

int collect_map_files(struct target *t)
{
	for (size_t i = 0; i < t->nmaps; i++) {
		struct map_entry *m = &t->maps[i];
		if (m->kind != FZ_MAP_ANON || !(m->flags & FZ_MAPF_FROM_FILE) ||
		    !m->path)
			continue;
		if (is_memfd(m->path, m->dev))
			memfd_file(t, m);
		else
			path_file(t, m);
	}
	return 0;
}
