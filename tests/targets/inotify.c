/*
 * inotify: two inotify fds, frozen in sigsuspend().
 *   ifd   O_NONBLOCK; watches DIR/watched (IN_CREATE | IN_DELETE) and
 *         DIR/file.txt (IN_MODIFY) under numbers with a gap between them
 *         (a watch added and removed in between)
 *   ifd2  blocking, FD_CLOEXEC; watches DIR/watched (IN_CREATE)
 * After the resume: no stale event is queued; creating a file in the
 * watched directory and writing to the watched file are reported with the
 * same watch numbers as before.
 *
 * With argv[2] = "deleted", it also watches a file it then unlinks (kept
 * alive by a mapping): no path leads to it, freeze must refuse.
 */
#include "target.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/stat.h>

static int ifd, ifd2, wd_dir, wd_file, wd2;
static char dir[PATH_MAX / 2], file[PATH_MAX / 2];

static void watch_deleted(const char *base)
{
	char gone[PATH_MAX];
	int fd;

	snprintf(gone, sizeof(gone), "%s/gone", base);
	fd = open(gone, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, "x", 1) != 1 ||
	    mmap(NULL, 1, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED)
		target_die("gone");
	close(fd);
	if (inotify_add_watch(ifd, gone, IN_MODIFY) < 0 || unlink(gone))
		target_die("watching a deleted file");
}

static void setup(const char *base, int deleted)
{
	char skip[PATH_MAX];
	int fd, gap;

	snprintf(dir, sizeof(dir), "%s/watched", base);
	snprintf(file, sizeof(file), "%s/file.txt", base);
	snprintf(skip, sizeof(skip), "%s/skipped", base);
	if ((mkdir(dir, 0755) && errno != EEXIST) ||
	    (fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0 || close(fd) ||
	    (fd = open(skip, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0 || close(fd))
		target_die("files");
	ifd = inotify_init1(IN_NONBLOCK);
	ifd2 = inotify_init1(IN_CLOEXEC);
	if (ifd < 0 || ifd2 < 0)
		target_die("inotify_init1");
	wd_dir = inotify_add_watch(ifd, dir, IN_CREATE | IN_DELETE);
	gap = inotify_add_watch(ifd, skip, IN_ATTRIB);
	if (wd_dir < 0 || gap < 0 || inotify_rm_watch(ifd, gap))
		target_die("inotify_add_watch");
	wd_file = inotify_add_watch(ifd, file, IN_MODIFY);
	wd2 = inotify_add_watch(ifd2, dir, IN_CREATE);
	if (wd_file < 0 || wd2 < 0)
		target_die("inotify_add_watch");
	if (deleted)
		watch_deleted(base);
	/* The IN_IGNORED of the removed watch. */
	while (read(ifd, skip, sizeof(skip)) > 0)
		;
}

/* The next event of fd is (wd, mask, name). */
static void expect(int fd, int wd, uint32_t mask, const char *name, const char *what)
{
	char buf[4096] __attribute__((aligned(8)));
	const struct inotify_event *e = (const void *)buf;
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n < (ssize_t)sizeof(*e)) {
		target_check(0, "%s: no event (%s)", what, n < 0 ? strerror(errno) : "short");
		return;
	}
	target_check(e->wd == wd && (e->mask & mask) &&
		     (!name || (e->len && !strcmp(e->name, name))),
		     "%s: event wd %d mask %#x name '%s', expected wd %d mask %#x", what,
		     e->wd, e->mask, e->len ? e->name : "", wd, mask);
}

int main(int argc, char **argv)
{
	char path[PATH_MAX], c;
	int fd;

	target_init();
	setup(argc > 1 ? argv[1] : ".", argc > 2 && !strcmp(argv[2], "deleted"));
	target_ready();
	target_wait();

	target_check(read(ifd, &c, 1) < 0 && errno == EAGAIN,
		     "an event was queued before anything happened");
	target_check((fcntl(ifd, F_GETFL) & O_NONBLOCK) && !(fcntl(ifd, F_GETFD) & FD_CLOEXEC),
		     "ifd: flags changed");
	target_check(!(fcntl(ifd2, F_GETFL) & O_NONBLOCK) && (fcntl(ifd2, F_GETFD) & FD_CLOEXEC),
		     "ifd2: flags changed");
	snprintf(path, sizeof(path), "%s/new", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	target_check(fd >= 0, "cannot create %s", path);
	close(fd);
	expect(ifd, wd_dir, IN_CREATE, "new", "a file created in the watched directory");
	expect(ifd2, wd2, IN_CREATE, "new", "the second inotify fd");
	fd = open(file, O_WRONLY | O_APPEND);
	target_check(fd >= 0 && write(fd, "x", 1) == 1, "cannot write to %s", file);
	close(fd);
	expect(ifd, wd_file, IN_MODIFY, NULL, "a write to the watched file");
	unlink(path);
	return target_finish();
}
