/*
 * A target that ends or executes a new program while freeze works on it
 * makes some step fail with whatever error that step saw (ESRCH, ECHILD,
 * EPERM...). This names the real cause instead.
 *
 * An exec is recognised by where the argument strings start, which the
 * kernel chooses anew (and, with ASLR, elsewhere) for each program.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "exit_status.h"
#include "freeze.h"

#define STAT_STATE 3        /* fields of /proc/PID/stat, counting from 1 */
#define STAT_FLAGS 9
#define STAT_ARG_START 48
#define PF_EXITING 0x4      /* set as it starts to exit, long before Z */

/*
 * State letter (with 'X' for a process already exiting) and arg_start from
 * /proc/PID/stat; -ESRCH if it is gone.
 */
static int read_stat(pid_t pid, char *state, uint64_t *arg_start)
{
	char buf[4096];
	const char *p;
	int err = read_proc_file(pid, "stat", buf, sizeof(buf), NULL);

	if (err)
		return err == -ENOENT ? -ESRCH : err;
	/* The name may hold spaces: count fields from its closing parenthesis. */
	p = strrchr(buf, ')');
	if (!p || !p[1] || !p[2])
		return -EINVAL;
	*state = p[2];
	p++;
	for (int field = STAT_STATE; p && field < STAT_ARG_START; field++) {
		p = strchr(p + 1, ' ');
		/* A process freeing a large memory is "R" for a while. */
		if (p && field + 1 == STAT_FLAGS &&
		    (strtoul(p + 1, NULL, 10) & PF_EXITING))
			*state = 'X';
	}
	*arg_start = p ? strtoull(p + 1, NULL, 10) : 0;
	return 0;
}

uint64_t target_exec_mark(pid_t pid)
{
	uint64_t mark = 0;
	char state;

	read_stat(pid, &state, &mark);
	return mark;
}

int explain_target_change(pid_t pid, uint64_t exec_mark, int err)
{
	uint64_t now = 0;
	char state = 0;
	int gone = read_stat(pid, &state, &now);

	if (gone == -ESRCH || state == 'X' || state == 'Z') {
		fail_class_replace(FZ_EXIT_PROCESS);
		return fail_replace(-ESRCH, "process %d ended during the freeze "
				    "(it exited or was killed); no image was "
				    "written", (int)pid);
	}
	if (!gone && exec_mark && now && now != exec_mark) {
		fail_class_replace(FZ_EXIT_FAILURE);
		return fail_replace(-ESRCH, "process %d executed a new program "
				    "during the freeze; no image was written "
				    "(freeze it again)", (int)pid);
	}
	return err;
}
