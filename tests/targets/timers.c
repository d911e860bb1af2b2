/*
 * timers: POSIX timers the program holds by id: one signalling SIGUSR2
 * with a value, one SIGEV_NONE, one SIGEV_THREAD (glibc runs it from a
 * helper thread it targets with SIGEV_THREAD_ID), and ITIMER_REAL. After
 * resume the ids still name armed timers with their intervals, and each
 * one fires again: SIGUSR2 arrives with its value, the thread callback
 * runs, SIGALRM comes.
 */
#include "target.h"
#include <pthread.h>
#include <sys/time.h>
#include <time.h>

#define VALUE ((void *)0x5eed)

static volatile sig_atomic_t usr2_ok, alarms;
static volatile int callbacks;

static void on_usr2(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	if (si->si_code == SI_TIMER && si->si_value.sival_ptr == VALUE)
		usr2_ok = 1;
}

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static void on_thread_timer(union sigval v)
{
	if (v.sival_ptr == VALUE)
		__atomic_add_fetch(&callbacks, 1, __ATOMIC_SEQ_CST);
}

static int armed_with_interval(timer_t id, long sec)
{
	struct itimerspec cur;

	return timer_gettime(id, &cur) == 0 && cur.it_interval.tv_sec == sec &&
	       (cur.it_value.tv_sec || cur.it_value.tv_nsec);
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = on_usr2, .sa_flags = SA_SIGINFO };
	struct sigevent by_signal = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR2,
				      .sigev_value.sival_ptr = VALUE };
	struct sigevent silent = { .sigev_notify = SIGEV_NONE };
	struct sigevent by_thread = { .sigev_notify = SIGEV_THREAD,
				      .sigev_notify_function = on_thread_timer,
				      .sigev_value.sival_ptr = VALUE };
	struct itimerspec every_second = { { 1, 0 }, { 1, 0 } };
	struct itimerspec long_one = { { 100, 0 }, { 100, 0 } };
	struct itimerval alarm_every = { { 1, 0 }, { 1, 0 } };
	timer_t t_signal, t_none, t_thread;
	int before;

	target_init();
	sigaction(SIGUSR2, &sa, NULL);
	signal(SIGALRM, on_alarm);
	if (timer_create(CLOCK_MONOTONIC, &by_signal, &t_signal) ||
	    timer_create(CLOCK_REALTIME, &silent, &t_none) ||
	    timer_create(CLOCK_MONOTONIC, &by_thread, &t_thread))
		target_die("timer_create");
	timer_settime(t_signal, 0, &every_second, NULL);
	timer_settime(t_none, 0, &long_one, NULL);
	timer_settime(t_thread, 0, &every_second, NULL);
	setitimer(ITIMER_REAL, &alarm_every, NULL);
	target_ready();
	target_wait();

	target_check(armed_with_interval(t_signal, 1), "the signalling timer is gone or disarmed");
	target_check(armed_with_interval(t_none, 100), "the SIGEV_NONE timer is gone or disarmed");
	target_check(armed_with_interval(t_thread, 1), "the thread timer is gone or disarmed");
	usr2_ok = 0;
	before = alarms;
	int calls = __atomic_load_n(&callbacks, __ATOMIC_SEQ_CST);
	for (int i = 0; i < 100 && !(usr2_ok && alarms > before &&
				     __atomic_load_n(&callbacks, __ATOMIC_SEQ_CST) > calls); i++)
		usleep(100 * 1000);   /* each fires every second: 10 s is plenty */
	target_check(usr2_ok, "no SIGUSR2 with its value from the timer");
	target_check(alarms > before, "ITIMER_REAL does not fire");
	target_check(__atomic_load_n(&callbacks, __ATOMIC_SEQ_CST) > calls,
		     "the SIGEV_THREAD timer does not run its function");
	return target_finish();
}
