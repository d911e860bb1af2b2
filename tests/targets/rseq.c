/*
 * rseq: glibc registers an rseq area for every thread. A second thread is
 * frozen spinning inside an rseq critical section (x86_64 asm below); only
 * an abort gets it out, and a signal delivered to it aborts the section if
 * the kernel knows about it. After resume, signals must still get it out of
 * its section (its rseq area is registered again, same signature), and the
 * kernel must keep the main thread's area current.
 */
#include "target.h"
#include <pthread.h>
#include <stddef.h>
#include <time.h>
#if defined(__GLIBC__) && defined(__x86_64__)
#include <sys/rseq.h>

static volatile long aborts;
static volatile int stop;

static struct rseq *my_rseq(void)
{
	return (struct rseq *)((char *)__builtin_thread_pointer() + __rseq_offset);
}

/* Enter the section and spin in it; only an abort gets the thread out. */
__attribute__((noinline)) static void spin_in_section(struct rseq *rs)
{
	__asm__ volatile(
		".pushsection .data\n\t"
		".balign 32\n"
		"section_desc:\n\t"
		".long 0, 0\n\t"                    /* version, flags */
		".quad section_start, section_end - section_start, section_abort\n\t"
		".popsection\n\t"
		"lea section_desc(%%rip), %%rax\n\t"
		"mov %%rax, %c[cs](%[rs])\n"
		"section_start:\n\t"
		"jmp section_start\n"
		"section_end:\n\t"
		".long 0x53053053\n"                /* RSEQ_SIG, before the abort ip */
		"section_abort:\n\t"
		:
		: [rs] "r"(rs), [cs] "i"(offsetof(struct rseq, rseq_cs))
		: "rax", "memory");
}

static void on_usr2(int sig)
{
	(void)sig;
}

/* Signal the spinner until it has left its section `more` more times. */
static int kick(pthread_t th, long more)
{
	struct timespec ms10 = { 0, 10 * 1000 * 1000 };
	long target = aborts + more;

	for (int i = 0; i < 1000 && aborts < target; i++) {   /* 10 s at most */
		pthread_kill(th, SIGUSR2);
		nanosleep(&ms10, NULL);
	}
	return aborts >= target;
}

static void *spinner(void *arg)
{
	(void)arg;
	while (!stop) {
		spin_in_section(my_rseq());
		aborts++;
	}
	return NULL;
}

int main(void)
{
	struct timespec ms10 = { 0, 10 * 1000 * 1000 };
	struct sigaction sa = { .sa_handler = on_usr2 };
	volatile struct rseq *rs;
	int registered = __rseq_size != 0;
	pthread_t th;

	target_init();
	sigaction(SIGUSR2, &sa, NULL);
	if (registered && pthread_create(&th, NULL, spinner, NULL))
		target_die("pthread_create");
	if (registered && !kick(th, 3))
		target_die("the section is never aborted, even before the freeze");
	target_ready();
	target_wait();
	if (!registered)
		target_skip("glibc did not register rseq here");

	target_check(kick(th, 3), "the thread stays stuck in its rseq section");
	rs = my_rseq();
	rs->cpu_id = 0xdeadbeef;
	nanosleep(&ms10, NULL);   /* the kernel rewrites cpu_id on the way back */
	target_check(rs->cpu_id != 0xdeadbeef, "the main thread's rseq area is not registered");
	stop = 1;
	kick(th, 1);
	pthread_join(th, NULL);
	return target_finish();
}
#else
int main(void)
{
	target_init();
	target_ready();
	target_wait();
	target_skip("needs glibc's rseq registration on x86_64");
	return 0;
}
#endif
