/*
 * monotonic: the process runs in a time namespace whose CLOCK_MONOTONIC and
 * CLOCK_BOOTTIME are 100000 s ahead of the host's, as on a host that has
 * been up for longer. After resume on this host those clocks must not have
 * gone backwards (the stub hides the difference with a time namespace).
 */
#include "target.h"
#include <fcntl.h>
#include <sched.h>
#include <time.h>

#define AHEAD "100000"

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	int ok = fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text);

	if (fd >= 0)
		close(fd);
	return ok;
}

/* Enter a time namespace of our own; unprivileged, inside a user ns. */
static int enter_ahead_clocks(void)
{
	char map[64];
	int fd, ok;

	if (unshare(CLONE_NEWTIME)) {
		uid_t uid = getuid();
		gid_t gid = getgid();
		if (unshare(CLONE_NEWUSER | CLONE_NEWTIME))
			return 0;
		snprintf(map, sizeof(map), "%u %u 1\n", uid, uid);
		write_file("/proc/self/uid_map", map);
		write_file("/proc/self/setgroups", "deny\n");
		snprintf(map, sizeof(map), "%u %u 1\n", gid, gid);
		write_file("/proc/self/gid_map", map);
	}
	if (!write_file("/proc/self/timens_offsets",
			"monotonic " AHEAD " 0\nboottime " AHEAD " 0\n"))
		return 0;
	fd = open("/proc/self/ns/time_for_children", O_RDONLY);
	ok = fd >= 0 && setns(fd, CLONE_NEWTIME) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

static double secs(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
	double mono, boot;

	target_init();
	if (!enter_ahead_clocks())
		target_skip("cannot make a time namespace here");
	mono = secs(CLOCK_MONOTONIC);
	boot = secs(CLOCK_BOOTTIME);
	target_ready();
	target_wait();
	target_check(secs(CLOCK_MONOTONIC) >= mono, "CLOCK_MONOTONIC went back by %.0f s",
		     mono - secs(CLOCK_MONOTONIC));
	target_check(secs(CLOCK_BOOTTIME) >= boot, "CLOCK_BOOTTIME went back by %.0f s",
		     boot - secs(CLOCK_BOOTTIME));
	return target_finish();
}
