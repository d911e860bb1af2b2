/*
 * check_image: freeze's check of an image before it keeps it
 * (freeze/image/check_image.c) refuses records that do not hold together,
 * and passes those that do. The records are written with the image writer
 * freeze uses, to a scratch file; each case prints `ok NAME` or
 * `not ok NAME: why` (tests/cases/damaged.sh reports them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "freeze.h"
#include "image/image_writer.h"

static const char *scratch;

/* Records of one case, after the process and thread every image has. */
typedef int (*records_fn)(struct image_writer *w);

static int fd_rec(struct image_writer *w, int32_t fd, uint32_t kind,
		  uint64_t object, int32_t dup_of)
{
	struct fz_fd f = { .fd = fd, .kind = kind, .object_id = object,
			   .dup_of = dup_of };

	return iw_record(w, FZ_REC_FD, &f, sizeof(f), NULL, 0);
}

static int pipe_rec(struct image_writer *w, uint64_t id)
{
	struct fz_pipe p = { .id = id, .capacity = 65536 };

	return iw_record(w, FZ_REC_PIPE, &p, sizeof(p), NULL, 0);
}

static int pair_rec(struct image_writer *w, uint64_t id, uint64_t peer)
{
	struct fz_socket s = { .id = id, .peer_id = peer, .family = 1,
			       .type = 2, .state = FZ_SOCK_PAIR };

	return iw_record(w, FZ_REC_SOCKET, &s, sizeof(s), NULL, 0);
}

static int good_pipe(struct image_writer *w)
{
	return pipe_rec(w, 7) || fd_rec(w, 3, FZ_FD_PIPE, 7, 0) ||
	       fd_rec(w, 4, FZ_FD_PIPE, 7, 0) || fd_rec(w, 5, FZ_FD_DUP, 0, 3);
}

static int missing_pipe(struct image_writer *w)
{
	return pipe_rec(w, 7) || fd_rec(w, 3, FZ_FD_PIPE, 8, 0);
}

static int good_pair(struct image_writer *w)
{
	return pair_rec(w, 10, 11) || pair_rec(w, 11, 10) ||
	       fd_rec(w, 3, FZ_FD_SOCKET, 10, 0) || fd_rec(w, 4, FZ_FD_SOCKET, 11, 0);
}

static int half_pair(struct image_writer *w)
{
	return pair_rec(w, 10, 11) || fd_rec(w, 3, FZ_FD_SOCKET, 10, 0);
}

/* A stream socketpair, 10 holding "abcX", and fds 3 (10), 4 (11), 5 (epoll). */
static int stream_pair(struct image_writer *w)
{
	struct fz_socket a = { .id = 10,
			       .peer_id = 11,
			       .family = 1,
			       .type = 1,
			       .state = FZ_SOCK_PAIR,
			       .data_len = 4 };
	struct fz_socket b = { .id = 11, .peer_id = 10, .family = 1, .type = 1, .state = FZ_SOCK_PAIR };

	return iw_record(w, FZ_REC_SOCKET, &a, sizeof(a), "abcX", 4) ||
	       iw_record(w, FZ_REC_SOCKET, &b, sizeof(b), NULL, 0) ||
	       fd_rec(w, 3, FZ_FD_SOCKET, 10, 0) ||
	       fd_rec(w, 4, FZ_FD_SOCKET, 11, 0) || fd_rec(w, 5, FZ_FD_EPOLL, 0, 0);
}

static int passed_rec(struct image_writer *w, uint64_t socket, uint32_t at,
		      uint32_t len, int32_t held)
{
	struct fz_passed_fd p = { .socket_id = socket,
				  .at = at,
				  .len = len,
				  .kind = FZ_PASSED_HELD,
				  .held_fd = held };

	return iw_record(w, FZ_REC_PASSED_FD, &p, sizeof(p), NULL, 0);
}

static int good_passed(struct image_writer *w)
{
	return stream_pair(w) || passed_rec(w, 10, 3, 1, 4) || passed_rec(w, 10, 3, 1, 3);
}

static int passed_past_data(struct image_writer *w)
{
	return stream_pair(w) || passed_rec(w, 10, 3, 5, 4);
}

static int passed_no_socket(struct image_writer *w)
{
	return stream_pair(w) || passed_rec(w, 12, 0, 1, 4);
}

static int passed_epoll(struct image_writer *w)
{
	return stream_pair(w) || passed_rec(w, 10, 3, 1, 5);
}

static int passed_overlapping(struct image_writer *w)
{
	return stream_pair(w) || passed_rec(w, 10, 1, 2, 4) || passed_rec(w, 10, 2, 2, 4);
}

static int dup_of_later(struct image_writer *w)
{
	return fd_rec(w, 3, FZ_FD_DUP, 0, 4) || fd_rec(w, 4, FZ_FD_DEVICE, 0, 0);
}

static int fds_out_of_order(struct image_writer *w)
{
	return fd_rec(w, 4, FZ_FD_DEVICE, 0, 0) || fd_rec(w, 3, FZ_FD_DEVICE, 0, 0);
}

static int lock_of_missing_fd(struct image_writer *w)
{
	struct fz_lock l = { .fd = 9, .kind = FZ_LOCK_FLOCK };

	return fd_rec(w, 3, FZ_FD_DEVICE, 0, 0) ||
	       iw_record(w, FZ_REC_LOCK, &l, sizeof(l), NULL, 0);
}

/* A DEAD_PATH record id for path; a symlink's target when target is not NULL. */
static int dead_rec(struct image_writer *w, uint64_t id, const char *path,
		    const char *target, uint32_t mode)
{
	char body[256];
	size_t plen = strlen(path) + 1, tlen = target ? strlen(target) + 1 : 0;
	struct fz_dead_path d = { .id = id,
				  .mode = mode,
				  .path_len = (uint32_t)plen,
				  .target_len = (uint32_t)tlen };

	memcpy(body, path, plen);
	if (target)
		memcpy(body + plen, target, tlen);
	return iw_record(w, FZ_REC_DEAD_PATH, &d, sizeof(d), body, plen + tlen);
}

static int good_dead_paths(struct image_writer *w)
{
	return dead_rec(w, 1, "/gone/dir", NULL, 040751) ||
	       dead_rec(w, 2, "/gone/link", "a target", 0120777) ||
	       fd_rec(w, 3, FZ_FD_DEAD_PATH, 1, 0) || fd_rec(w, 4, FZ_FD_DEAD_PATH, 2, 0);
}

static int missing_dead_path(struct image_writer *w)
{
	return dead_rec(w, 1, "/gone/dir", NULL, 040751) ||
	       fd_rec(w, 3, FZ_FD_DEAD_PATH, 2, 0);
}

static int dead_link_without_target(struct image_writer *w)
{
	return dead_rec(w, 1, "/gone/link", NULL, 0120777) ||
	       fd_rec(w, 3, FZ_FD_DEAD_PATH, 1, 0);
}

static int dead_regular_file(struct image_writer *w)
{
	return dead_rec(w, 1, "/gone/file", NULL, 0100644) ||
	       fd_rec(w, 3, FZ_FD_DEAD_PATH, 1, 0);
}

/* Write one image; iw_check()'s verdict, or -1 if it could not be written. */
static int check(records_fn records)
{
	struct fz_process proc = { .pid = 1 };
	struct fz_thread thread = { .tid = 1 };
	struct image_writer w;
	uint64_t size;
	FILE *f = fopen(scratch, "w+");
	int err = -1;

	if (!f || iw_begin(&w, fileno(f), scratch, FZ_ENC_NONE, 1))
		goto out;
	if (!iw_record(&w, FZ_REC_PROCESS, &proc, sizeof(proc), NULL, 0) &&
	    !iw_record(&w, FZ_REC_THREAD, &thread, sizeof(thread), NULL, 0) &&
	    !records(&w) && !iw_finish(&w, &size))
		err = iw_check(&w) ? 1 : 0;
	iw_free(&w);
out:
	if (f)
		fclose(f);
	return err;
}

/*
 * One case, in a child of its own: freeze keeps the first failure's
 * message, and each refusal must be seen to give its own reason.
 */
static int expect(const char *name, records_fn records, const char *reason)
{
	pid_t pid = fork();
	int status, got;

	if (pid == 0) {
		got = check(records);
		if (got < 0)
			printf("not ok %s: could not write its image\n", name);
		else if (!reason && got)
			printf("not ok %s: refused: %s\n", name, fail_message());
		else if (reason && !got)
			printf("not ok %s: kept\n", name);
		else if (reason && !strstr(fail_message(), reason))
			printf("not ok %s: refused for another reason: %s\n", name,
			       fail_message());
		else
			printf("ok %s\n", name);
		exit(got < 0 || got != (reason != NULL));
	}
	return pid < 0 || waitpid(pid, &status, 0) != pid || status != 0;
}

int main(int argc, char **argv)
{
	int failures = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: check_image SCRATCH-FILE\n");
		return 2;
	}
	scratch = argv[1];
	fflush(stdout);
	failures += expect("good-pipe", good_pipe, NULL);
	failures += expect("good-pair", good_pair, NULL);
	failures += expect("missing-pipe", missing_pipe, "names a record the image lacks");
	failures += expect("half-pair", half_pair, "paired with a socket the image lacks");
	failures += expect("dup-of-later-fd", dup_of_later, "names a record the image lacks");
	failures += expect("fds-out-of-order", fds_out_of_order, "out of order");
	failures += expect("lock-of-missing-fd", lock_of_missing_fd,
			   "lock of an fd the image does not restore");
	failures += expect("good-dead-paths", good_dead_paths, NULL);
	failures += expect("missing-dead-path", missing_dead_path,
			   "names a missing removed directory or symlink record");
	failures += expect("dead-link-without-target", dead_link_without_target,
			   "bad removed directory or symlink record");
	failures += expect("dead-regular-file", dead_regular_file,
			   "bad removed directory or symlink record");
	failures += expect("good-passed-fds", good_passed, NULL);
	failures += expect("passed-fd-past-data", passed_past_data, "lacks its message");
	failures += expect("passed-fd-no-socket", passed_no_socket, "lacks its message");
	failures += expect("passed-fd-epoll", passed_epoll, "lacks its message");
	failures += expect("passed-fds-overlapping", passed_overlapping, "lacks its message");
	unlink(scratch);
	return failures != 0;
}
