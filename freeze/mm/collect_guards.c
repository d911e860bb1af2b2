/*
 * Guard regions (madvise MADV_GUARD_INSTALL, Linux 6.13): ranges of a
 * mapping where every access faults, kept in the page tables rather than
 * as mappings of their own, so /proc/PID/maps does not show them. The
 * PAGEMAP_SCAN ioctl lists them (its guard category, Linux 6.14); a
 * kernel without that category has none freeze could see.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "kernel_abi.h"
#include "mm/mm.h"
#include "mm/pagemap_scan.h"

/* 0, 1 when the kernel cannot list guard pages, or -errno. */
static int scan_guards(int fd, struct map_entry *m)
{
	struct pm_scan_region vec[64];
	struct pm_scan_arg a = {
		.size = sizeof(a), .start = m->start, .end = m->end,
		.vec = (uintptr_t)vec, .vec_len = 64,
		.category_anyof_mask = FZ_PM_SCAN_GUARD,
		.return_mask = FZ_PM_SCAN_GUARD,
	};

	while (a.start < m->end) {
		long n = ioctl(fd, PM_SCAN_IOCTL, &a);
		if (n < 0 && a.start == m->start && (errno == ENOTTY || errno == EINVAL))
			return 1;
		if (n < 0)
			return -errno;
		for (long i = 0; i < n; i++) {
			struct fz_range g = { vec[i].start, vec[i].end };
			int err = append_item(&m->guards, &m->nguards, sizeof(g), &g);
			if (err)
				return err;
		}
		a.start = a.walk_end;
	}
	return 0;
}

int collect_guards(struct target *t)
{
	char path[64];
	int fd, err = 0;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)t->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(-errno, "process %d: opening %s", (int)t->pid, path);
	for (size_t i = 0; !err && i < t->nmaps; i++) {
		struct map_entry *m = &t->maps[i];
		if (m->kind == FZ_MAP_VDSO || m->kind == FZ_MAP_VVAR)
			continue;
		err = scan_guards(fd, m);
	}
	close(fd);
	if (err < 0)
		return fail(err, "process %d: scanning its pagemap for guard pages",
			    (int)t->pid);
	return 0;
}
