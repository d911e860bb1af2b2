/*
 * CLOCK_MONOTONIC and CLOCK_BOOTTIME count from the host's boot: on a host
 * up for less time than the one the process was frozen on, they would jump
 * backwards. A time namespace whose offsets make up the difference hides
 * that; the stub enters one while it is still single-threaded. Unprivileged,
 * it first makes a user namespace that maps only its own uid and gid, so
 * the process keeps seeing the ids it had.
 *
 * Needs /proc (absent in an empty chroot): then it warns and goes on.
 */
#include <linux/fcntl.h>
#include <linux/sched.h>
#include <linux/time.h>

#include "print.h"
#include "stub.h"
#include "sys.h"
#include "task/task.h"

#define NSEC 1000000000LL

struct clock_gap {
	int64_t sec, nsec;   /* how far the host is behind, >= 0 */
};

static int64_t ns_of(int64_t sec, int64_t nsec)
{
	return sec * NSEC + nsec;
}

static struct clock_gap gap(int clock, int64_t sec, int64_t nsec)
{
	int64_t now[2] = { 0, 0 }, d;

	sys_clock_gettime(clock, now);
	d = ns_of(sec, nsec) - ns_of(now[0], now[1]);
	if (d <= 0)
		return (struct clock_gap){ 0, 0 };
	return (struct clock_gap){ d / NSEC, d % NSEC };
}

/* How far this host's clocks are behind the process's; 1 if at all. */
static int gaps(const struct stub *st, struct clock_gap *m, struct clock_gap *b)
{
	const struct fz_process *p = st->proc;

	*m = gap(CLOCK_MONOTONIC, p->monotonic_sec, p->monotonic_nsec);
	*b = gap(CLOCK_BOOTTIME, p->boottime_sec, p->boottime_nsec);
	return m->sec || m->nsec || b->sec || b->nsec;
}

int clocks_behind(const struct stub *st, int64_t *mono_sec, int64_t *boot_sec)
{
	struct clock_gap m, b;
	int behind = gaps(st, &m, &b);

	*mono_sec = m.sec;
	*boot_sec = b.sec;
	return behind;
}

static long write_file(const char *path, const char *text)
{
	long fd = sys_open(path, O_WRONLY, 0), ret;
	size_t n = 0;

	if (fd < 0)
		return fd;
	while (text[n])
		n++;
	ret = sys_write((int)fd, text, n);
	sys_close((int)fd);
	return ret < 0 ? ret : 0;
}

static long map_own_ids(void)
{
	char map[64];
	long ret;

	format(map, sizeof(map), "%ld %ld 1\n", sys_getuid(), sys_getuid());
	ret = write_file("/proc/self/uid_map", map);
	if (!ret)
		ret = write_file("/proc/self/setgroups", "deny\n");
	format(map, sizeof(map), "%ld %ld 1\n", sys_getgid(), sys_getgid());
	if (!ret)
		ret = write_file("/proc/self/gid_map", map);
	return ret;
}

/* A new time namespace for our future children, owned by a namespace we
 * have CAP_SYS_ADMIN in: the current one if we can, else a new user ns. */
static long unshare_time(void)
{
	long ret = sys_unshare(CLONE_NEWTIME);

	if (ret != -1 /* EPERM */)
		return ret;
	ret = sys_unshare(CLONE_NEWUSER | CLONE_NEWTIME);
	return ret < 0 ? ret : map_own_ids();
}

static long enter_offset_clocks(struct clock_gap m, struct clock_gap b)
{
	char offsets[128];
	long ret, fd;

	ret = unshare_time();
	if (ret < 0)
		return ret;
	format(offsets, sizeof(offsets), "monotonic %ld %ld\nboottime %ld %ld\n",
	       (long)m.sec, (long)m.nsec, (long)b.sec, (long)b.nsec);
	ret = write_file("/proc/self/timens_offsets", offsets);
	if (ret < 0)
		return ret;
	fd = sys_open("/proc/self/ns/time_for_children", O_RDONLY, 0);
	if (fd < 0)
		return fd;
	ret = sys_setns((int)fd, CLONE_NEWTIME);
	sys_close((int)fd);
	return ret;
}

void prepare_clocks(const struct stub *st)
{
	struct clock_gap m, b;
	long probe, ret;

	if (!gaps(st, &m, &b))
		return;
	/* Nothing is changed unless /proc is there to finish the job. */
	probe = sys_open("/proc/self/timens_offsets", O_RDONLY, 0);
	if (probe < 0) {
		warn("this host's clocks are %ld s behind the process's and "
		     "there is no /proc to set up a time namespace: "
		     "CLOCK_MONOTONIC will jump back", (long)m.sec);
		return;
	}
	sys_close((int)probe);
	ret = enter_offset_clocks(m, b);
	if (ret < 0)
		warn("cannot hide that this host's clocks are %ld s behind the "
		     "process's (time namespace: %s): CLOCK_MONOTONIC will jump "
		     "back", (long)m.sec, errname(ret));
}
