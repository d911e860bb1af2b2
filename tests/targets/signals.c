/*
 * signals: dispositions, the blocked mask, a pending queued signal, the
 * alternate signal stack and an interval timer survive.
 *   SIGUSR2     handler, SA_SIGINFO|SA_RESTART, sa_mask {SIGINT, SIGQUIT}, blocked
 *   SIGTERM     handler, SA_ONSTACK|SA_RESETHAND (runs on the sigaltstack)
 *   SIGRTMIN+3  handler, SA_SIGINFO, blocked, one queued with value 42
 *   SIGPIPE, SIGHUP, SIGALRM ignored; SIGINT default
 *   ITIMER_REAL armed: 1000 s, interval 500 s
 * After the resume: sigaction() returns the same for each, the mask is the
 * same, and the handlers really run (on the right stack, with their mask).
 *
 * Signals are sent with kill(getpid()), not raise(): musl's raise() uses
 * the thread id cached at startup, and a resumed process has a new pid.
 * glibc asks the kernel for the tid, so raise() is checked there.
 */
#include "target.h"
#include <stdint.h>
#include <sys/time.h>

enum { ALTSTACK_SIZE = 64 << 10, RT_VALUE = 42, TIMER_VALUE = 1000, TIMER_INTERVAL = 500 };

static char altstack[ALTSTACK_SIZE];
static volatile sig_atomic_t usr2_ran, usr2_mask_ok, term_ran, term_on_altstack, rt_ran,
	rt_value;

static void on_usr2(int sig, siginfo_t *si, void *uc)
{
	sigset_t now;

	(void)uc;
	sigprocmask(SIG_BLOCK, NULL, &now);
	usr2_ran = sig == SIGUSR2 && si->si_signo == SIGUSR2;
	usr2_mask_ok = sigismember(&now, SIGINT) == 1 && sigismember(&now, SIGQUIT) == 1;
}

static void on_term(int sig)
{
	char here;

	(void)sig;
	term_ran = 1;
	term_on_altstack = &here >= altstack && &here < altstack + ALTSTACK_SIZE;
}

static void on_rt(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	rt_ran = 1;
	rt_value = si->si_value.sival_int;
}

static void add_signals(sigset_t *set, const int *sigs)
{
	sigemptyset(set);
	for (; sigs && *sigs; sigs++)
		sigaddset(set, *sigs);
}

static void set_handler(int sig, void (*fn)(int), int flags, const int *mask_sigs)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	add_signals(&sa.sa_mask, mask_sigs);
	if (sigaction(sig, &sa, NULL))
		target_die("sigaction");
}

static void set_siginfo_handler(int sig, void (*fn)(int, siginfo_t *, void *), int flags,
				const int *mask_sigs)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = flags | SA_SIGINFO;
	add_signals(&sa.sa_mask, mask_sigs);
	if (sigaction(sig, &sa, NULL))
		target_die("sigaction");
}

static void check_raise(void)
{
#ifdef __GLIBC__
	set_handler(SIGTERM, on_term, 0, NULL);
	term_ran = 0;
	raise(SIGTERM);
	target_check(term_ran, "raise(SIGTERM) did not run its handler");
#endif
}

static int same_set(const sigset_t *a, const sigset_t *b, int *first_diff)
{
	for (int s = 1; s <= SIGRTMAX; s++)
		if (sigismember(a, s) != sigismember(b, s)) {
			*first_diff = s;
			return 0;
		}
	return 1;
}

static void check_same_action(int sig, const struct sigaction *before)
{
	struct sigaction now;
	int diff = 0;

	sigaction(sig, NULL, &now);
	target_check(now.sa_handler == before->sa_handler, "signal %d: handler changed", sig);
	target_check(now.sa_flags == before->sa_flags, "signal %d: flags %#x, were %#x", sig,
		     (unsigned)now.sa_flags, (unsigned)before->sa_flags);
	target_check(same_set(&now.sa_mask, &before->sa_mask, &diff),
		     "signal %d: sa_mask differs at signal %d", sig, diff);
}

int main(void)
{
	const int usr2_mask[] = { SIGINT, SIGQUIT, 0 };
	const int sigs[] = { SIGUSR1, SIGUSR2, SIGTERM, SIGPIPE, SIGHUP, SIGALRM, SIGINT,
			     SIGRTMIN + 3 };
	enum { NSIGS = sizeof(sigs) / sizeof(sigs[0]) };
	struct sigaction before[NSIGS];
	struct itimerval timer = { { TIMER_INTERVAL, 0 }, { TIMER_VALUE, 0 } }, tnow;
	stack_t ss = { .ss_sp = altstack, .ss_size = ALTSTACK_SIZE, .ss_flags = 0 }, ssnow;
	sigset_t block, mask_before, now, pending;
	union sigval val = { .sival_int = RT_VALUE };
	int fds[2], diff = 0;

	target_init();
	if (sigaltstack(&ss, NULL))
		target_die("sigaltstack");
	set_siginfo_handler(SIGUSR2, on_usr2, SA_RESTART, usr2_mask);
	set_handler(SIGTERM, on_term, SA_ONSTACK | SA_RESETHAND, NULL);
	set_siginfo_handler(SIGRTMIN + 3, on_rt, 0, NULL);
	set_handler(SIGPIPE, SIG_IGN, 0, NULL);
	set_handler(SIGHUP, SIG_IGN, 0, NULL);
	set_handler(SIGALRM, SIG_IGN, 0, NULL);
	set_handler(SIGINT, SIG_DFL, 0, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR2);
	sigaddset(&block, SIGRTMIN + 3);
	sigprocmask(SIG_BLOCK, &block, NULL);
	if (sigqueue(getpid(), SIGRTMIN + 3, val))
		target_die("sigqueue");
	if (setitimer(ITIMER_REAL, &timer, NULL))
		target_die("setitimer");
	for (int i = 0; i < NSIGS; i++)
		sigaction(sigs[i], NULL, &before[i]);
	sigprocmask(SIG_BLOCK, NULL, &mask_before);
	target_ready();
	target_wait();

	for (int i = 0; i < NSIGS; i++)
		check_same_action(sigs[i], &before[i]);
	sigprocmask(SIG_BLOCK, NULL, &now);
	target_check(same_set(&now, &mask_before, &diff), "blocked mask differs at signal %d",
		     diff);
	sigpending(&pending);
	target_check(sigismember(&pending, SIGRTMIN + 3) == 1, "queued SIGRTMIN+3 is not pending");
	target_check(sigismember(&pending, SIGUSR2) == 0, "SIGUSR2 became pending");
	target_check(!sigaltstack(NULL, &ssnow) && ssnow.ss_sp == altstack &&
		     ssnow.ss_size == ALTSTACK_SIZE && ssnow.ss_flags == 0,
		     "sigaltstack changed");
	target_check(!getitimer(ITIMER_REAL, &tnow) && tnow.it_interval.tv_sec == TIMER_INTERVAL &&
		     tnow.it_interval.tv_usec == 0 && tnow.it_value.tv_sec <= TIMER_VALUE &&
		     (tnow.it_value.tv_sec > 0 || tnow.it_value.tv_usec > 0),
		     "ITIMER_REAL changed: value %ld s, interval %ld s", (long)tnow.it_value.tv_sec,
		     (long)tnow.it_interval.tv_sec);

	kill(getpid(), SIGTERM);
	target_check(term_ran, "SIGTERM handler did not run");
	target_check(term_on_altstack, "SIGTERM handler did not run on the alternate stack");
	sigaction(SIGTERM, NULL, &before[0]);
	target_check(before[0].sa_handler == SIG_DFL, "SA_RESETHAND did not reset SIGTERM");

	kill(getpid(), SIGUSR2);
	target_check(!usr2_ran, "blocked SIGUSR2 ran its handler");
	sigdelset(&block, SIGRTMIN + 3);
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	target_check(usr2_ran, "SIGUSR2 handler did not run once unblocked");
	target_check(usr2_mask_ok, "SIGUSR2 handler ran without its sa_mask");

	sigemptyset(&block);
	sigaddset(&block, SIGRTMIN + 3);
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	target_check(rt_ran && rt_value == RT_VALUE, "queued SIGRTMIN+3 (value %d) not delivered",
		     RT_VALUE);

	check_raise();
	if (pipe(fds))
		target_die("pipe");
	close(fds[0]);
	errno = 0;
	target_check(write(fds[1], "x", 1) < 0 && errno == EPIPE, "SIGPIPE not ignored");
	return target_finish();
}
