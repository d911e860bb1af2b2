/*
 * exitarea: the resume leaves nothing of the stub behind. N threads
 * (argv[2], default 16) wait in pause(); before READY the target keeps its
 * own /proc/self/maps. After resume:
 *   - exactly the address ranges mapped before are mapped (mappings may
 *     merge, or come back as anonymous copies of their files, but no range
 *     is new and none is gone): the stub's exit area is gone;
 *   - no SIGCHLD came (a handler counts them), it has no zombie child and
 *     no child it did not have before, and none of its threads is traced.
 * argv[3] "left": resumed under a tracer, where the stub's exit cleaner
 * cannot trace it: the one new range must then be the exit area (its mark
 * ends its first page), and a tracer is allowed.
 * Read with raw read(2) into static buffers, stdout on a static buffer:
 * nothing here may grow the heap between the two looks.
 */
#include "target.h"
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/wait.h>

enum { MAX_THREADS = 64, MAX_RANGES = 1024, PAGE = 4096 };
#define EXIT_MAGIC 0x5449584545524646ULL /* include/stub_abi.h FZ_EXIT_MAGIC */

struct range {
	unsigned long start, end;
};

static char maps_text[1 << 16], stdout_buf[8192];
static struct range before[MAX_RANGES], after[MAX_RANGES], diff[MAX_RANGES];
static volatile sig_atomic_t sigchlds;

static void on_sigchld(int sig)
{
	(void)sig;
	sigchlds++;
}

static void *idle(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

/* The text of path into maps_text; its length, or -1. */
static ssize_t slurp(const char *path)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = 0, r;

	if (fd < 0)
		return -1;
	while ((r = read(fd, maps_text + n, sizeof(maps_text) - 1 - (size_t)n)) > 0)
		n += r;
	close(fd);
	maps_text[n] = 0;
	return r < 0 ? -1 : n;
}

static int save(const char *path, ssize_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int ok = fd >= 0 && write(fd, maps_text, (size_t)len) == len;

	if (fd >= 0)
		close(fd);
	return ok;
}

/* maps_text as sorted ranges, adjacent ones merged; how many. */
static int ranges_of(struct range *r)
{
	int n = 0;

	for (char *p = maps_text; *p && n < MAX_RANGES;) {
		char *nl = strchr(p, '\n');
		unsigned long s = strtoul(p, &p, 16), e = strtoul(p + 1, NULL, 16);
		if (n && r[n - 1].end == s)
			r[n - 1].end = e;
		else
			r[n++] = (struct range){ s, e };
		if (!nl)
			break;
		p = nl + 1;
	}
	return n;
}

/* The parts of a not in b, into diff; how many. */
static int subtract(const struct range *a, int na, const struct range *b, int nb)
{
	int n = 0;

	for (int i = 0; i < na; i++) {
		unsigned long s = a[i].start, e = a[i].end;
		for (int j = 0; j < nb && s < e; j++) {
			if (b[j].end <= s || b[j].start >= e)
				continue;
			if (b[j].start > s && n < MAX_RANGES)
				diff[n++] = (struct range){ s, b[j].start };
			s = b[j].end;
		}
		if (s < e && n < MAX_RANGES)
			diff[n++] = (struct range){ s, e };
	}
	return n;
}

static void check_ranges(int nb, int na, int left)
{
	int extra = subtract(after, na, before, nb), gone;

	if (left && extra == 1) {
		const unsigned long long *mark =
			(const void *)(diff[0].start + PAGE - 16);
		target_check(mark[0] == EXIT_MAGIC &&
				     mark[1] == diff[0].end - diff[0].start,
			     "new range %lx-%lx is not the exit area", diff[0].start,
			     diff[0].end);
	} else {
		for (int i = 0; i < extra; i++)
			target_check(0, "new range %lx-%lx (%lu KiB)", diff[i].start,
				     diff[i].end, (diff[i].end - diff[i].start) >> 10);
		target_check(!left || extra == 1,
			     "%d new ranges, want one: the exit area", extra);
	}
	gone = subtract(before, nb, after, na);
	for (int i = 0; i < gone; i++)
		target_check(0, "range %lx-%lx gone", diff[i].start, diff[i].end);
}

/* Every thread's TracerPid is 0 (after the look at maps: opendir allocates). */
static void check_untraced(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	char path[300];

	target_check(d != NULL, "opendir /proc/self/task: %s", strerror(errno));
	while (d && (e = readdir(d))) {
		const char *tp;
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/status", e->d_name);
		if (slurp(path) < 0)
			continue;  /* gone meanwhile */
		tp = strstr(maps_text, "TracerPid:");
		target_check(tp && atoi(tp + 10) == 0, "thread %s is traced (%s)",
			     e->d_name, tp ? tp : "no TracerPid");
	}
	if (d)
		closedir(d);
}

/* The main thread's children, as /proc lists them ("" where it does not). */
static void children_of_main(char *buf, size_t cap)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
	n = slurp(path);
	buf[0] = 0;
	if (n > 0 && (size_t)n + 2 < cap) {
		buf[0] = ' ';
		memcpy(buf + 1, maps_text, (size_t)n + 1);
	}
}

/*
 * No zombie child, and no child that was not there before the freeze (a
 * target started with its output through a pipe has the runner's cat as
 * a child: it is not the stub's).
 */
static void check_no_child(const char *before_list)
{
	char after_list[4096], want[32], *save = NULL;
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	target_check(waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT | __WALL) ||
			     si.si_pid == 0,
		     "it has a zombie child %d", (int)si.si_pid);
	children_of_main(after_list, sizeof(after_list));
	for (char *pid = strtok_r(after_list, " \n", &save); pid;
	     pid = strtok_r(NULL, " \n", &save)) {
		snprintf(want, sizeof(want), " %s ", pid);
		target_check(strstr(before_list, want) != NULL,
			     "it has a new child %s", pid);
	}
}

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[2]) : 16, left = argc > 3 && !strcmp(argv[3], "left");
	char path[4096];
	struct sigaction sa;
	pthread_t t;
	ssize_t len;
	int nb, na;
	static char children_before[4096];

	setvbuf(stdout, stdout_buf, _IOFBF, sizeof(stdout_buf));
	target_init();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigchld;
	sa.sa_flags = SA_RESTART;
	if (sigaction(SIGCHLD, &sa, NULL))
		target_die("sigaction(SIGCHLD)");
	if (n < 0 || n > MAX_THREADS)
		n = MAX_THREADS;
	for (int i = 0; i < n; i++)
		if ((errno = pthread_create(&t, NULL, idle, NULL)))
			target_die("pthread_create");
	children_of_main(children_before, sizeof(children_before) - 1);
	strcat(children_before, " ");
	snprintf(path, sizeof(path), "%s/maps.before", argc > 1 ? argv[1] : ".");
	if ((len = slurp("/proc/self/maps")) < 0 || !save(path, len))
		target_die("keeping /proc/self/maps");
	nb = ranges_of(before);
	target_ready();
	target_wait();

	if (slurp("/proc/self/maps") < 0)
		target_die("reading /proc/self/maps");
	na = ranges_of(after);
	check_ranges(nb, na, left);
	target_check(sigchlds == 0, "%d SIGCHLD came", (int)sigchlds);
	check_no_child(children_before);
	if (!left)
		check_untraced();
	return target_finish();
}
