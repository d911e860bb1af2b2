/*
 * signalfd: two signalfds, frozen in sigsuspend().
 *   both  reads SIGUSR2 and SIGRTMIN+1; O_NONBLOCK, FD_CLOEXEC. A
 *         SIGRTMIN+1 with value 77 is queued (blocked) before the freeze.
 *   usr2  reads SIGUSR2 only; blocking.
 * After the resume: same masks and flags; `both` reads the queued signal
 * with its value; a SIGUSR2 sent after the resume is read from `usr2`.
 */
#include "target.h"
#include <fcntl.h>
#include <stdint.h>
#include <sys/signalfd.h>

static int both, usr2;

static uint64_t mask_bits(const sigset_t *set)
{
	uint64_t bits = 0;

	for (int s = 1; s <= 64; s++)
		if (sigismember(set, s) == 1)
			bits |= 1ULL << (s - 1);
	return bits;
}

/* The mask fdinfo shows is the one asked for; 1 without /proc. */
static int fdinfo_mask_is(int fd, uint64_t bits)
{
	char path[64], buf[512], *s;
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if ((f = open(path, O_RDONLY)) < 0)
		return 1;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	buf[n > 0 ? n : 0] = 0;
	s = strstr(buf, "sigmask:");
	return s && strtoull(s + 8, NULL, 16) == bits;
}

int main(void)
{
	struct signalfd_siginfo si;
	sigset_t set, one;
	union sigval v = { .sival_int = 77 };
	uint64_t bits_both, bits_usr2;

	target_init();
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGRTMIN + 1);
	sigemptyset(&one);
	sigaddset(&one, SIGUSR2);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		target_die("sigprocmask");
	both = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	usr2 = signalfd(-1, &one, 0);
	if (both < 0 || usr2 < 0)
		target_die("signalfd");
	if (sigqueue(getpid(), SIGRTMIN + 1, v))
		target_die("sigqueue");
	bits_both = mask_bits(&set);
	bits_usr2 = mask_bits(&one);
	target_ready();
	target_wait();

	target_check(fdinfo_mask_is(both, bits_both) && fdinfo_mask_is(usr2, bits_usr2),
		     "signalfd masks changed");
	target_check((fcntl(both, F_GETFL) & O_NONBLOCK) && (fcntl(both, F_GETFD) & FD_CLOEXEC),
		     "O_NONBLOCK or FD_CLOEXEC lost");
	target_check(!(fcntl(usr2, F_GETFL) & O_NONBLOCK) && !(fcntl(usr2, F_GETFD) & FD_CLOEXEC),
		     "O_NONBLOCK or FD_CLOEXEC appeared");
	memset(&si, 0, sizeof(si));
	target_check(read(both, &si, sizeof(si)) == sizeof(si) &&
		     (int)si.ssi_signo == SIGRTMIN + 1 && si.ssi_int == 77,
		     "the queued signal read back as %u (value %d)", si.ssi_signo, si.ssi_int);
	target_check(read(both, &si, sizeof(si)) < 0 && errno == EAGAIN,
		     "a second signal to read: %u", si.ssi_signo);
	kill(getpid(), SIGUSR2);
	memset(&si, 0, sizeof(si));
	target_check(read(usr2, &si, sizeof(si)) == sizeof(si) && si.ssi_signo == SIGUSR2 &&
		     (pid_t)si.ssi_pid == getpid(),
		     "SIGUSR2 sent after resume read back as %u from %u", si.ssi_signo, si.ssi_pid);
	return target_finish();
}
