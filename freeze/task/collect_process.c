/*
 * Per-process state from /proc and prlimit: mm bounds, umask, limits, cwd,
 * personality, oom_score_adj.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "freeze.h"
#include "task/task.h"

/* Fields 26-28 and 45-51 of /proc/PID/stat, counted from 1 as in proc(5). */
static int parse_stat(struct target *t, const char *buf)
{
	struct fz_process *p = &t->proc;
	const char *open = strchr(buf, '('), *close = strrchr(buf, ')');
	unsigned long long f[52] = { 0 };
	const char *s;
	int i;

	if (!open || !close || close < open)
		return -EINVAL;
	snprintf(p->comm, sizeof(p->comm), "%.*s",
		 (int)(close - open - 1), open + 1);
	s = close + 2;
	for (i = 3; i <= 51 && *s; i++) {
		char *end;
		f[i] = strtoull(s, &end, 10);
		if (i == 3) /* state is a letter */
			end = strchr(s, ' ');
		if (!end)
			break;
		s = end + (*end == ' ');
	}
	if (i <= 51)
		return -EINVAL;
	p->pgid = (int32_t)f[5];
	p->start_code = f[26];
	p->end_code = f[27];
	p->start_stack = f[28];
	p->start_data = f[45];
	p->end_data = f[46];
	p->start_brk = f[47];
	p->arg_start = f[48];
	p->arg_end = f[49];
	p->env_start = f[50];
	p->env_end = f[51];
	return 0;
}

static int collect_status(struct target *t)
{
	char buf[4096], *p;
	int err = read_proc_file(t->pid, "status", buf, sizeof(buf), NULL);

	if (err)
		return err;
	p = strstr(buf, "\nUmask:");
	t->proc.umask = p ? (uint32_t)strtoul(p + 7, NULL, 8) : 022;
	p = strstr(buf, "\nNoNewPrivs:");
	t->proc.no_new_privs = p ? (uint32_t)strtoul(p + 12, NULL, 10) : 0;
	err = read_proc_file(t->pid, "personality", buf, sizeof(buf), NULL);
	if (!err)
		t->proc.personality = (uint32_t)strtoul(buf, NULL, 16);
	/* Readable by anyone who may trace it: missing means no such file. */
	if (!read_proc_file(t->pid, "oom_score_adj", buf, sizeof(buf), NULL)) {
		t->proc.oom_score_adj = (int32_t)strtol(buf, NULL, 10);
		t->proc.known |= FZ_PROCK_OOM_SCORE_ADJ;
	}
	return 0;
}

static int collect_cwd(struct target *t)
{
	char link[64], path[FZ_PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%d/cwd", (int)t->pid);
	n = readlink(link, path, sizeof(path) - 1);
	if (n < 0)
		return -errno;
	path[n] = 0;
	t->cwd = strdup(path);
	return t->cwd ? 0 : -ENOMEM;
}

static int collect_rlimits(struct target *t)
{
	for (int r = 0; r < FZ_NRLIMITS; r++) {
		struct rlimit lim;
		if (prlimit(t->pid, r, NULL, &lim) < 0)
			return -errno;
		t->rlimits[r].cur = lim.rlim_cur;
		t->rlimits[r].max = lim.rlim_max;
	}
	return 0;
}

int collect_process(struct target *t)
{
	char buf[4096];
	int err;

	t->proc.pid = (uint64_t)t->pid;
	err = read_proc_file(t->pid, "stat", buf, sizeof(buf), NULL);
	if (!err)
		err = parse_stat(t, buf);
	if (err)
		return fail(err, "process %d: reading /proc/%d/stat", (int)t->pid,
			    (int)t->pid);
	if ((err = collect_status(t)))
		return fail(err, "process %d: reading its status", (int)t->pid);
	if ((err = collect_cwd(t)))
		return fail(err, "process %d: reading its working directory",
			    (int)t->pid);
	collect_exe(t);
	if ((err = collect_rlimits(t)))
		return fail(err, "process %d: reading its resource limits",
			    (int)t->pid);
	err = read_proc_file(t->pid, "auxv", (char *)t->auxv, sizeof(t->auxv),
			     &t->auxv_len);
	if (err)
		return fail(err, "process %d: reading its auxv", (int)t->pid);
	arch_cpu_collect(&t->cpu);
	arch_xsave_layout(t->cpu.xcr0, &t->xsave_layout);
	return 0;
}
