/*
 * The working directory, opened before the point of no return (fchdir'd
 * into by restore_process_attrs).
 */
#include "fds/fds.h"
#include "print.h"
#include "task/task.h"

void prepare_cwd(struct stub *st)
{
	int fd;

	if (!st->cwd || st->cwd_fd >= 0) /* prepare_dead_paths made a stand-in */
		return;
	fd = open_lifted(st, st->cwd, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		warn("working directory %s is gone (%s); staying in the current one",
		     st->cwd, errname(fd));
	st->cwd_fd = fd;
}
