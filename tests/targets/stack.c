/*
 * stack: the process is frozen 3000 frames deep in a recursion, each frame
 * holding its own buffer, above a 1 MiB array on main's stack; globals in
 * .data (changed at run time), .bss (partly touched) and .rodata survive,
 * and so do argv, the environment and what /proc/self/cmdline and
 * /proc/self/environ say (the kernel's arg/env bounds of the mm).
 */
#include "target.h"
#include <fcntl.h>

enum {
	DEPTH = 3000,
	FRAME_BUF = 200,
	BIG_LOCAL = 1 << 20,
	BSS_SIZE = 4 << 20,
	BSS_TOUCHED = 1 << 20,
	PROC_MAX = 1 << 16,
};

static int data_words[64] = { [0] = 7, [1] = 11, [63] = 13 };
static unsigned char bss_buf[BSS_SIZE];
static const char rodata[] = "a constant string in .rodata";

static unsigned char frame_byte(int depth, size_t i)
{
	return (unsigned char)(depth * 3 + i);
}

static int recurse(int depth)
{
	volatile unsigned char buf[FRAME_BUF];
	size_t bad = 0;
	int below;

	for (size_t i = 0; i < FRAME_BUF; i++)
		buf[i] = frame_byte(depth, i);
	if (depth == 0) {
		target_ready();
		target_wait();
		below = 0;
	} else {
		below = recurse(depth - 1);
	}
	for (size_t i = 0; i < FRAME_BUF; i++)
		bad += buf[i] != frame_byte(depth, i);
	target_check(bad == 0, "frame at depth %d changed", depth);
	return below + 1;
}

/* Whole content of a /proc file (NUL-separated lists), or NULL. */
static char *slurp(const char *path, size_t *len)
{
	char *buf = malloc(PROC_MAX);
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (!buf || fd < 0)
		target_die(path);
	n = read(fd, buf, PROC_MAX);
	close(fd);
	if (n < 0)
		target_die(path);
	*len = (size_t)n;
	return buf;
}

static void check_proc_file(const char *path, const char *before, size_t len)
{
	size_t now_len;
	char *now = slurp(path, &now_len);

	target_check(now_len == len && !memcmp(now, before, len), "%s changed", path);
	free(now);
}

int main(int argc, char **argv)
{
	unsigned char big[BIG_LOCAL];
	char *argv0 = strdup(argv[0]);
	char *argv1 = strdup(argc > 1 ? argv[1] : "");
	const char *env = getenv("FREEZE_TEST_ENV");
	char *env_copy = env ? strdup(env) : NULL;
	size_t cmdline_len, environ_len, bad = 0;
	char *cmdline = slurp("/proc/self/cmdline", &cmdline_len);
	char *environ_before = slurp("/proc/self/environ", &environ_len);

	target_init();
	for (size_t i = 0; i < BIG_LOCAL; i++)
		big[i] = (unsigned char)(i ^ (i >> 8));
	for (size_t i = 0; i < BSS_TOUCHED; i++)
		bss_buf[i] = (unsigned char)(i * 5 + 3);
	data_words[1] = 12345;

	target_check(recurse(DEPTH) == DEPTH + 1, "the recursion returned a wrong depth");

	for (size_t i = 0; i < BIG_LOCAL; i++)
		bad += big[i] != (unsigned char)(i ^ (i >> 8));
	target_check(bad == 0, "%zu bytes of the 1 MiB stack array changed", bad);
	bad = 0;
	for (size_t i = 0; i < BSS_SIZE; i++)
		bad += bss_buf[i] != (i < BSS_TOUCHED ? (unsigned char)(i * 5 + 3) : 0);
	target_check(bad == 0, "%zu bytes of .bss changed", bad);
	target_check(data_words[0] == 7 && data_words[1] == 12345 && data_words[2] == 0 &&
		     data_words[63] == 13, ".data changed");
	target_check(!strcmp(rodata, "a constant string in .rodata"), ".rodata changed");
	target_check(!strcmp(argv[0], argv0), "argv[0] changed");
	target_check(argc < 2 || !strcmp(argv[1], argv1), "argv[1] changed");
	env = getenv("FREEZE_TEST_ENV");
	target_check(!env_copy || (env && !strcmp(env, env_copy)), "FREEZE_TEST_ENV changed");
	check_proc_file("/proc/self/cmdline", cmdline, cmdline_len);
	check_proc_file("/proc/self/environ", environ_before, environ_len);
	return target_finish();
}
