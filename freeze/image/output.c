/*
 * The output file appears whole or not at all: the image is written to a
 * temporary file (mode 0700, O_EXCL, in the destination directory), synced,
 * then renamed into place. "-" streams it to standard output as it is made
 * (a pipe will do: the image is written front to back); a freeze that fails
 * there leaves a stream without its trailer, which the stub refuses.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exit_status.h"
#include "freeze.h"
#include "image/output.h"

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

static int open_stdout(struct output *out)
{
	if (isatty(STDOUT_FILENO))
		return fail(-EINVAL, "standard output is a terminal: send the "
			    "image to a file or a pipe (freeze - PID >FILE)");
	out->fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	if (out->fd < 0)
		return fail(-errno, "standard output is not open");
	return 0;
}

/* Every failure to create, write or commit the output is an I/O error. */
int output_open(struct output *out, const char *path)
{
	int err;

	*out = (struct output){ .path = path, .fd = -1 };
	err = strcmp(path, "-") ? open_named(out) : open_stdout(out);
	if (err)
		fail_class(FZ_EXIT_IO);
	return err;
}

const char *output_name(const struct output *out)
{
	return strcmp(out->path, "-") ? out->path : "standard output";
}

static int commit(struct output *out)
{
	int err = 0;

	if (!out->tmp_path) {
		if (close(out->fd) < 0 && errno != EINTR)
			err = fail(-errno, "writing the image to standard output");
		out->fd = -1;
		return err;
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

int output_commit(struct output *out)
{
	int err = commit(out);

	if (err)
		fail_class(FZ_EXIT_IO);
	return err;
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
