/*
 * manypairs: N (argv[2], default 300) stream socketpairs and N pipes, each
 * with a few bytes queued in it, more than the 256 of each the stub's tables
 * once held. After resume every pair and every pipe carries its own bytes
 * first, then new ones.
 */
#include "target.h"
#include <sys/resource.h>

/* rd gives `id` as queued before the freeze, then a byte written now. */
static void check_carries(int rd, int wr, int id, const char *what)
{
	int got = -1;
	char c = 0;

	target_check(read(rd, &got, sizeof(got)) == sizeof(got) && got == id,
		     "%s %d: read %d", what, id, got);
	target_check(write(wr, "z", 1) == 1 && read(rd, &c, 1) == 1 && c == 'z',
		     "%s %d no longer carries bytes", what, id);
}

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[2]) : 300;
	struct rlimit lim = { (rlim_t)n * 4 + 64, (rlim_t)n * 4 + 64 };
	int (*pairs)[2] = calloc((size_t)n, sizeof(*pairs));
	int (*pipes)[2] = calloc((size_t)n, sizeof(*pipes));

	target_init();
	if (!pairs || !pipes || setrlimit(RLIMIT_NOFILE, &lim))
		target_die("calloc or setrlimit");
	for (int i = 0; i < n; i++) {
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, pairs[i]) || pipe(pipes[i]))
			target_die("socketpair or pipe");
		if (write(pairs[i][0], &i, sizeof(i)) != sizeof(i) ||
		    write(pipes[i][1], &i, sizeof(i)) != sizeof(i))
			target_die("write");
	}
	target_ready();
	target_wait();

	for (int i = 0; i < n; i++) {
		check_carries(pairs[i][1], pairs[i][0], i, "socketpair");
		check_carries(pipes[i][0], pipes[i][1], i, "pipe");
	}
	return target_finish();
}
