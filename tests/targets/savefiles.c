/*
 * savefiles: regular files, for the policies on files that changed or
 * vanished before the resume (tests/run.sh, files_policy_cases).
 *   a   a.txt O_RDWR, offset 3
 *   b   b.txt O_RDONLY, offset 2
 *   c   c.txt O_WRONLY|O_APPEND
 * argv[2] (default same) says what the runner does to them between freeze
 * and resume:
 *   same      nothing: the files are as they were
 *   changed   b.txt changed: its bytes are not compared
 *   unlinked  their directory is gone: each fd must be an unlinked copy
 * After the resume: same offsets and flags, the same bytes (but b's when
 * changed), a.txt and c.txt at their paths (or unlinked), c still appends.
 */
#include "target.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

enum { A, B, C, NFDS };
static const char *const file[NFDS] = { "a.txt", "b.txt", "c.txt" };
static const char *const text[NFDS] = { "alpha file\n", "bravo file\n", "charlie\n" };
static const int open_flags[NFDS] = { O_RDWR, O_RDONLY, O_WRONLY | O_APPEND };
static const off_t pos[NFDS] = { 3, 2, 8 };
static int fds[NFDS], flags[NFDS];
static char paths[NFDS][PATH_MAX + 16];

static void make(int i)
{
	int fd = open(paths[i], O_CREAT | O_TRUNC | O_WRONLY, 0640);
	size_t n = strlen(text[i]);

	if (fd < 0 || write(fd, text[i], n) != (ssize_t)n || close(fd))
		target_die(paths[i]);
	fds[i] = open(paths[i], open_flags[i]);
	if (fds[i] < 0 || lseek(fds[i], pos[i], SEEK_SET) != pos[i])
		target_die(paths[i]);
	flags[i] = fcntl(fds[i], F_GETFL);
}

/*
 * Does fd i begin with want (read through a new open file when it is
 * write-only)? Its size in *size. c.txt may have grown: in the runner's
 * "running" mode the original process appended to it before this resume.
 */
static int holds(int i, const char *want, off_t *size)
{
	char link[64], got[64];
	int fd = fds[i];
	ssize_t n;

	if (i == C) {
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fds[i]);
		fd = open(link, O_RDONLY);
	}
	n = fd < 0 ? -1 : pread(fd, got, sizeof(got), 0);
	if (i == C && fd >= 0)
		close(fd);
	*size = n;
	return n >= (ssize_t)strlen(want) && !memcmp(got, want, strlen(want)) &&
	       (i == C || n == (ssize_t)strlen(want));
}

/* Is fd i the file at its path (1), an unlinked file (0)? */
static int at_path(int i)
{
	struct stat a, b;

	return !fstat(fds[i], &a) && !stat(paths[i], &b) && a.st_ino == b.st_ino &&
	       a.st_dev == b.st_dev && a.st_nlink > 0;
}

int main(int argc, char **argv)
{
	const char *mode;
	off_t size, grown;

	if (argc < 2)
		target_die("usage: savefiles SCRATCH_DIR [same|changed|unlinked]");
	mode = argc > 2 ? argv[2] : "same";
	target_init();
	for (int i = 0; i < NFDS; i++) {
		snprintf(paths[i], sizeof(paths[i]), "%s/%s", argv[1], file[i]);
		make(i);
	}
	target_ready();
	target_wait();

	for (int i = 0; i < NFDS; i++) {
		target_check(fcntl(fds[i], F_GETFL) == flags[i], "%s: F_GETFL %#x, was %#x", file[i],
			     fcntl(fds[i], F_GETFL), flags[i]);
		target_check(lseek(fds[i], 0, SEEK_CUR) == pos[i], "%s: offset %lld, was %lld",
			     file[i], (long long)lseek(fds[i], 0, SEEK_CUR), (long long)pos[i]);
		if (i != B || strcmp(mode, "changed"))
			target_check(holds(i, text[i], &size), "%s: its bytes differ", file[i]);
		if (i != B)
			target_check(at_path(i) == !!strcmp(mode, "unlinked"), "%s: %s", file[i],
				     strcmp(mode, "unlinked") ? "not the file at its path" :
								"not an unlinked copy");
	}
	holds(C, text[C], &size);
	target_check(write(fds[C], "+\n", 2) == 2 && holds(C, text[C], &grown) &&
		     grown == size + 2 && lseek(fds[C], 0, SEEK_CUR) == grown,
		     "c.txt: does not append");
	return target_finish();
}
