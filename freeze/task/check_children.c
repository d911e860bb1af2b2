/*
 * A process with children: freeze takes one process, not its tree, so the
 * children would be left out without a word, and the resumed process's
 * wait() would find none (`bash -c 'sleep 1000 & wait'` resumes and returns
 * at once). Refused, before anything changes, unless --alone says to leave
 * them; then a warning names them. Zombies count: their status is lost.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "freeze.h"
#include "task/task.h"

/* Appends "PID (comm)" for each child id listed in a children file. */
static void name_children(const char *ids, char *out, size_t cap, int *n)
{
	char comm[64], *end;
	size_t len;

	for (long child = strtol(ids, &end, 10); end != ids;
	     ids = end, child = strtol(ids, &end, 10)) {
		if (read_proc_file((pid_t)child, "comm", comm, sizeof(comm), NULL))
			strcpy(comm, "?\n");
		comm[strcspn(comm, "\n")] = 0;
		len = strlen(out);
		snprintf(out + len, cap - len, "%s%ld (%s)", *n ? ", " : "", child, comm);
		(*n)++;
	}
}

/* Every thread's children, as /proc/PID/task/TID/children lists them. */
static int list_children(const struct target *t, char *out, size_t cap, int *n)
{
	char name[64], ids[4096];

	*out = 0;
	*n = 0;
	for (size_t i = 0; i < t->nthreads; i++) {
		snprintf(name, sizeof(name), "task/%d/children", (int)t->threads[i].tid);
		if (read_proc_file(t->pid, name, ids, sizeof(ids), NULL))
			return -ENOENT;  /* a kernel without CONFIG_PROC_CHILDREN */
		name_children(ids, out, cap, n);
	}
	return 0;
}

int check_children(const struct target *t, const struct options *o)
{
	char names[1024];
	int n;

	if (list_children(t, names, sizeof(names), &n) || n == 0)
		return 0;
	if (!o->alone)
		return fail(-ENOTSUP, "process %d has %s %s: freezing a process tree "
			    "is not supported yet (--alone freezes it without them)",
			    (int)t->pid, n == 1 ? "a child," : "children,", names);
	warning("process %d is frozen without its %s %s: %s running, and the "
		"resumed process has no children", (int)t->pid,
		n == 1 ? "child" : "children", names, n == 1 ? "it keeps" : "they keep");
	return 0;
}
