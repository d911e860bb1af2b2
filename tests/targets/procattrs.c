/*
 * procattrs: per-process and per-thread attributes the kernel keeps: the
 * process and thread names, each thread's nice value, scheduling policy
 * and parent-death signal, the personality, the child-subreaper,
 * no_new_privs and (as root, who can still trace a non-dumpable process)
 * dumpable flags; the oom_score_adj, raised (which needs no privilege);
 * each thread's timer slack and machine-check kill policy; transparent
 * huge pages disabled and memory-deny-write-execute (which must still
 * refuse to make memory executable after the resume); no membarrier
 * registration where the process made none.
 */
#include "target.h"
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>

static volatile int worker_ok = -1;
static char worker_saw[128];
static volatile int worker_go;

#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65
#define PR_GET_MDWE 66
#endif
#define MDWE_REFUSE_EXEC_GAIN 1
enum { MAIN_SLACK = 123456, WORKER_SLACK = 654321 };

/* Raw calls: musl's sched_{get,set}scheduler() are stubs that fail. */
static int get_policy(void)
{
	return (int)syscall(SYS_sched_getscheduler, 0);
}

static int thread_nice(void)
{
	errno = 0;
	return getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid));
}

static int read_oom_score_adj(void)
{
	FILE *f = fopen("/proc/self/oom_score_adj", "r");
	int v = -10000;

	if (f && fscanf(f, "%d", &v) != 1)
		v = -10000;
	if (f)
		fclose(f);
	return v;
}

/* Raised from what it was at the start: it must come back as set. */
static int raise_oom_score_adj(void)
{
	int v = read_oom_score_adj() + 123;
	FILE *f;

	if (v > 1000)
		v = 1000;
	f = fopen("/proc/self/oom_score_adj", "w");
	if (!f || fprintf(f, "%d\n", v) < 0 || fclose(f))
		target_die("writing /proc/self/oom_score_adj");
	if (read_oom_score_adj() != v)
		target_die("oom_score_adj did not change");
	return v;
}

static void *worker(void *arg)
{
	char name[16] = "";
	int sig = 0;

	(void)arg;
	prctl(PR_SET_NAME, "frz-worker");
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 3);
	prctl(PR_SET_PDEATHSIG, SIGWINCH);   /* ignored by default: harmless */
	prctl(PR_SET_TIMERSLACK, WORKER_SLACK, 0, 0, 0);
	prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_LATE, 0, 0);
	while (!worker_go)
		usleep(10000);
	prctl(PR_GET_NAME, name);
	prctl(PR_GET_PDEATHSIG, &sig);
	worker_ok = !strcmp(name, "frz-worker") && thread_nice() == 3 &&
		    get_policy() == SCHED_OTHER && sig == SIGWINCH &&
		    prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0) == WORKER_SLACK &&
		    prctl(PR_MCE_KILL_GET, 0, 0, 0, 0) == PR_MCE_KILL_LATE;
	snprintf(worker_saw, sizeof(worker_saw),
		 "name '%s', nice %d, policy %d, pdeathsig %d, timer slack %d, mce kill %d",
		 name, thread_nice(), get_policy(), sig,
		 prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0), prctl(PR_MCE_KILL_GET, 0, 0, 0, 0));
	return NULL;
}

/* MDWE in force: writable memory cannot be made executable. */
static void check_mdwe_refuses(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int r;

	if (p == MAP_FAILED) {
		target_check(0, "mmap: %s", strerror(errno));
		return;
	}
	r = mprotect(p, 4096, PROT_READ | PROT_EXEC);
	target_check(r != 0 && errno == EACCES,
		     "mprotect(PROT_EXEC) of fresh memory %s under MDWE",
		     r ? strerror(errno) : "succeeded");
	munmap(p, 4096);
}

int main(void)
{
	struct sched_param sp = { .sched_priority = 0 };
	pthread_t th;
	char name[16] = "";
	int is_root = geteuid() == 0, v = 0, oom;

	target_init();
	prctl(PR_SET_NAME, "frz-main");
	if (pthread_create(&th, NULL, worker, NULL))
		target_die("pthread_create");
	/*
	 * After the worker exists, so it keeps SCHED_OTHER and nice 0 (an
	 * unprivileged thread could not lower an inherited 7 to 3).
	 */
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 7);
	if (syscall(SYS_sched_setscheduler, 0, SCHED_BATCH, &sp))
		target_die("sched_setscheduler");
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	/* Changes only how later execs lay out memory: harmless here. */
	personality(PER_LINUX | ADDR_NO_RANDOMIZE | UNAME26);
	if (is_root)
		prctl(PR_SET_DUMPABLE, 0);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	oom = raise_oom_score_adj();
	if (prctl(PR_SET_TIMERSLACK, MAIN_SLACK, 0, 0, 0) ||
	    prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY, 0, 0))
		target_die("prctl timer slack, machine-check policy");
	if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0))
		target_die("prctl(PR_SET_THP_DISABLE)");
	/* Sticky, and inherited: the last thing set up, no children after. */
	if (prctl(PR_SET_MDWE, MDWE_REFUSE_EXEC_GAIN, 0, 0, 0))
		target_die("prctl(PR_SET_MDWE)");
	target_ready();
	target_wait();

	worker_go = 1;
	pthread_join(th, NULL);
	prctl(PR_GET_NAME, name);
	target_check(!strcmp(name, "frz-main"), "process name is '%s'", name);
	target_check(thread_nice() == 7, "main thread nice %d, not 7", thread_nice());
	target_check(get_policy() == SCHED_BATCH, "main thread policy %d, not SCHED_BATCH",
		     get_policy());
	target_check(worker_ok == 1, "worker thread: %s", worker_saw);
	target_check(personality(0xffffffff) == (PER_LINUX | ADDR_NO_RANDOMIZE | UNAME26),
		     "personality %#x", personality(0xffffffff));
	prctl(PR_GET_CHILD_SUBREAPER, &v);
	target_check(v == 1, "not a child subreaper any more");
	target_check(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1, "no_new_privs lost");
	if (is_root)
		target_check(prctl(PR_GET_DUMPABLE) == 0, "dumpable is %d, not 0",
			     prctl(PR_GET_DUMPABLE));
	target_check(read_oom_score_adj() == oom, "oom_score_adj %d, not %d",
		     read_oom_score_adj(), oom);
	target_check(prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0) == MAIN_SLACK,
		     "main thread timer slack %d, not %d",
		     prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0), MAIN_SLACK);
	target_check(prctl(PR_MCE_KILL_GET, 0, 0, 0, 0) == PR_MCE_KILL_EARLY,
		     "main thread machine-check kill policy %d, not early",
		     prctl(PR_MCE_KILL_GET, 0, 0, 0, 0));
	target_check(prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0) == 1, "PR_GET_THP_DISABLE %d, not 1",
		     prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0));
	/* Resumed on a kernel before 6.3 (make test-qemu): it has no MDWE to
	   hold, and the stub said so. */
	if (prctl(PR_GET_MDWE, 0, 0, 0, 0) != -1 || errno != EINVAL) {
		target_check(prctl(PR_GET_MDWE, 0, 0, 0, 0) == MDWE_REFUSE_EXEC_GAIN,
			     "PR_GET_MDWE %d, not PR_MDWE_REFUSE_EXEC_GAIN",
			     prctl(PR_GET_MDWE, 0, 0, 0, 0));
		check_mdwe_refuses();
	}
	/* Never registered: the resume must not register it either. */
	target_check(syscall(SYS_membarrier, 1 << 3 /* PRIVATE_EXPEDITED */, 0, 0) == -1 &&
			     errno == EPERM,
		     "membarrier(PRIVATE_EXPEDITED) works, yet the process never registered");
	return target_finish();
}
