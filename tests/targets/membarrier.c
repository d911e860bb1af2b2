/*
 * membarrier: the process registers for every membarrier command this
 * kernel has (as liburcu and managed runtimes do, once, at start), with a
 * second thread running; after the resume each expedited command must
 * still work (they fail with EPERM in a process that did not register),
 * and the kernel must list the same registrations.
 */
#include "target.h"
#include <pthread.h>
#include <sys/syscall.h>

/* <linux/membarrier.h>'s values: musl-gcc has no kernel headers. */
enum {
	MEMBARRIER_CMD_QUERY = 0,
	MEMBARRIER_CMD_GLOBAL_EXPEDITED = 1 << 1,
	MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED = 1 << 2,
	MEMBARRIER_CMD_PRIVATE_EXPEDITED = 1 << 3,
	MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED = 1 << 4,
	MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE = 1 << 5,
	MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE = 1 << 6,
	MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ = 1 << 7,
	MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ = 1 << 8,
	MEMBARRIER_CMD_GET_REGISTRATIONS = 1 << 9,
};

static const struct {
	int cmd, reg;
	const char *name;
} kinds[] = {
	{ MEMBARRIER_CMD_PRIVATE_EXPEDITED, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED,
	  "PRIVATE_EXPEDITED" },
	{ MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE,
	  MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE, "PRIVATE_EXPEDITED_SYNC_CORE" },
	{ MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ,
	  "PRIVATE_EXPEDITED_RSEQ" },
	{ MEMBARRIER_CMD_GLOBAL_EXPEDITED, MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED,
	  "GLOBAL_EXPEDITED" },
};
enum { NKINDS = sizeof(kinds) / sizeof(kinds[0]) };

static long membarrier(int cmd)
{
	return syscall(SYS_membarrier, cmd, 0, 0);
}

static void *idle(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

int main(void)
{
	long supported = membarrier(MEMBARRIER_CMD_QUERY), regs;
	int registered = 0;
	pthread_t th;

	target_init();
	if (supported < 0 || !(supported & MEMBARRIER_CMD_PRIVATE_EXPEDITED))
		target_skip("this kernel has no membarrier PRIVATE_EXPEDITED");
	if (pthread_create(&th, NULL, idle, NULL))
		target_die("pthread_create");
	for (int i = 0; i < NKINDS; i++) {
		if (!(supported & kinds[i].reg))
			continue;
		if (membarrier(kinds[i].reg))
			target_die(kinds[i].name);
		registered |= kinds[i].reg;
	}
	regs = membarrier(MEMBARRIER_CMD_GET_REGISTRATIONS);
	target_ready();
	target_wait();

	for (int i = 0; i < NKINDS; i++) {
		long r = (registered & kinds[i].reg) ? membarrier(kinds[i].cmd) : 0;
		target_check(r == 0, "membarrier(%s): %s", kinds[i].name, strerror(errno));
	}
	if (regs >= 0)
		target_check(membarrier(MEMBARRIER_CMD_GET_REGISTRATIONS) == regs,
			     "registrations %#lx, not %#lx",
			     membarrier(MEMBARRIER_CMD_GET_REGISTRATIONS), regs);
	return target_finish();
}
