/*
 * The executable the process runs, as /proc/PID/exe names it, with what
 * identifies the file: the stub makes it the resumed process's
 * /proc/self/exe again where that file is still the same (a program that
 * re-executes itself through it then runs itself, not the image).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "freeze.h"
#include "task/task.h"

void collect_exe(struct target *t)
{
	char link[64], path[FZ_PATH_MAX];
	struct stat st;
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%d/exe", (int)t->pid);
	n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0 || path[0] != '/' || stat(link, &st) < 0 || !S_ISREG(st.st_mode))
		return;
	path[n] = 0;
	if (st.st_nlink == 0)
		return;  /* " (deleted)": nothing to name at resume */
	t->exe = (struct fz_exe){
		.ino = st.st_ino, .size = (uint64_t)st.st_size,
		.mtime_sec = st.st_mtim.tv_sec, .mtime_nsec = st.st_mtim.tv_nsec,
		.dev_major = major(st.st_dev), .dev_minor = minor(st.st_dev),
		.path_len = (uint32_t)n + 1,
	};
	t->exe_path = strdup(path);
}
