/*
 * Limits of this host that the image may exceed, checked before the point
 * of no return so that a lower limit is a clear refusal, not a failure
 * half-way through the restore:
 *   - RLIMIT_NOFILE: every file is opened above the highest fd number the
 *     process uses before it is moved into place, so the fd numbers reach
 *     that number plus one per file opened (dups share one). The soft limit
 *     is raised as far as the hard one allows.
 *   - vm.max_map_count: the process's mappings, and the stub's own while
 *     they are made. Without /proc this check is skipped.
 */
#include <linux/fcntl.h>
#include <linux/resource.h>

#include "core/core.h"
#include "exit_status.h"
#include "print.h"
#include "stub.h"
#include "sys.h"

#define STUB_OWN_FDS 16      /* 0-2, the cwd, and what a shell may leak */
#define STUB_OWN_MAPS 32     /* segments, payload, stacks, parked vdso */

struct needs {
	int max_fd;
	uint64_t fds, maps;
};

static void count_needs(const struct stub *st, struct needs *n)
{
	*n = (struct needs){ .max_fd = 2 };
	for_each_record(&st->img, r) {
		const struct fz_fd *f = rec_data(r);
		const struct fz_mapping *m = rec_data(r);
		if (r->type == FZ_REC_FD) {
			/* Dups, pipe ends and inherited fds open nothing more. */
			n->fds += f->kind == FZ_FD_DEVICE || f->kind == FZ_FD_PROC ||
				  f->kind == FZ_FD_NULL;
			if (f->fd > n->max_fd)
				n->max_fd = f->fd;
		} else if (r->type == FZ_REC_PIPE) {
			n->fds += 2;
		} else if (r->type == FZ_REC_MAPPING) {
			n->maps++;
			n->fds += m->kind == FZ_MAP_SHARED_FILE;
		}
	}
}

static void check_nofile(const struct needs *n)
{
	uint64_t need = (uint64_t)n->max_fd + 1 + n->fds + STUB_OWN_FDS;
	struct rlimit lim;
	long ret = sys_prlimit(0, RLIMIT_NOFILE, 0, &lim);

	if (ret < 0 || lim.rlim_cur >= need)
		return;
	if (lim.rlim_max < need)
		die_with(FZ_EXIT_HOST,
			 "the process used fd numbers up to %d: resuming it needs %lu "
			 "open files, this host allows %lu (ulimit -n)",
			 n->max_fd, (unsigned long)need, (unsigned long)lim.rlim_max);
	lim.rlim_cur = lim.rlim_max;
	ret = sys_prlimit(0, RLIMIT_NOFILE, &lim, 0);
	if (ret < 0)
		die_with(FZ_EXIT_HOST, "cannot raise the open file limit to %lu: %s",
			 (unsigned long)lim.rlim_max, errname(ret));
}

/* /proc/sys/vm/max_map_count, or 0 when it cannot be read. */
static uint64_t max_map_count(void)
{
	char buf[32];
	uint64_t v = 0;
	long fd = sys_open("/proc/sys/vm/max_map_count", O_RDONLY | O_CLOEXEC, 0);
	long len;

	if (fd < 0)
		return 0;
	len = sys_read((int)fd, buf, sizeof(buf));
	sys_close((int)fd);
	for (long i = 0; i < len && buf[i] >= '0' && buf[i] <= '9'; i++)
		v = v * 10 + (uint64_t)(buf[i] - '0');
	return v;
}

static void check_maps(const struct needs *n)
{
	uint64_t limit = max_map_count();

	if (limit && n->maps + STUB_OWN_MAPS > limit)
		die_with(FZ_EXIT_HOST,
			 "the process has %lu mappings: this host allows %lu per "
			 "process (sysctl vm.max_map_count)",
			 (unsigned long)n->maps, (unsigned long)limit);
}

void check_limits(const struct stub *st)
{
	struct needs n;

	count_needs(st, &n);
	check_nofile(&n);
	check_maps(&n);
}
