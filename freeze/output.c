/*
 * The output file appears whole or not at all: the image is written to a
 * temporary file (mode 0700, O_EXCL, in the destination directory), synced,
 * then renamed into place. For "-" it goes to an unnamed temporary file
 * first and is copied to standard output once complete.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "freeze.h"

static int open_named(struct output *out)
{
	char *copy1 = strdup(out->path), *copy2 = strdup(out->path);
	int err = 0;

	if (!copy1 || !copy2 ||
	    asprintf(&out->tmp_path, "%s/.%s.freeze-XXXXXX", dirname(copy1),
		     basename(copy2)) < 0) {
		out->tmp_path = NULL;
		err = -ENOMEM;
	}
	free(copy1);
	free(copy2);
	if (err)
		return fail(err, "creating %s", out->path);
	out->fd = mkostemp(out->tmp_path, O_CLOEXEC);
	if (out->fd < 0) {
		err = -errno;
		free(out->tmp_path);
		out->tmp_path = NULL;
		return fail(err, "cannot create %s", out->path);
	}
	if (fchmod(out->fd, 0700) < 0) {
		err = fail(-errno, "cannot set the mode of %s", out->path);
		output_abort(out);
	}
	return err;
}

static int open_unnamed(struct output *out)
{
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";

	out->fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (out->fd < 0)
		return fail(-errno, "cannot create a temporary file in %s", dir);
	return 0;
}

int output_open(struct output *out, const char *path)
{
	*out = (struct output){ .path = path, .fd = -1 };
	if (!strcmp(path, "-"))
		return open_unnamed(out);
	return open_named(out);
}

static int copy_to_stdout(int fd)
{
	off_t off = 0;
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	while (off < st.st_size) {
		ssize_t n = sendfile(STDOUT_FILENO, fd, &off, (size_t)(st.st_size - off));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EINVAL || errno == ENOSYS)) {
			char buf[65536];
			ssize_t r = pread(fd, buf, sizeof(buf), off);
			if (r <= 0 || write(STDOUT_FILENO, buf, (size_t)r) != r)
				return r < 0 ? -errno : -EIO;
			off += r;
			continue;
		}
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
	}
	return 0;
}

int output_commit(struct output *out)
{
	int err = 0;

	if (!out->tmp_path) {
		err = copy_to_stdout(out->fd);
		close(out->fd);
		out->fd = -1;
		return err ? fail(err, "writing the image to standard output") : 0;
	}
	if (fsync(out->fd) < 0)
		return fail(-errno, "writing %s", out->path);
	if (rename(out->tmp_path, out->path) < 0)
		return fail(-errno, "cannot rename the image to %s", out->path);
	free(out->tmp_path);
	out->tmp_path = NULL;
	close(out->fd);
	out->fd = -1;
	return 0;
}

void output_abort(struct output *out)
{
	if (out->tmp_path) {
		unlink(out->tmp_path);
		free(out->tmp_path);
		out->tmp_path = NULL;
	}
	if (out->fd >= 0)
		close(out->fd);
	out->fd = -1;
}
