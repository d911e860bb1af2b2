/*
 * stackedge: the process is frozen with its stack pointer a few hundred
 * bytes above the lowest address of its stack mapping.  Below READY it
 * descends into stack pages nothing touched before, then moves the stack
 * pointer to EDGE_ROOM bytes above a page start and waits there in raw
 * rt_sigsuspend calls (no libc frames below): the mapping ends just under
 * it.  (It starts 512 KiB down, below the stack the kernel set up at exec.)  A freezer that reads or writes well below the stack pointer (past
 * the 128-byte red zone) must cope with the end of the mapping.  After the
 * resume every frame of the descent must be intact.
 */
#include "target.h"
#include <alloca.h>
#include <stdint.h>
#include <sys/syscall.h>

enum {
	FRAMES = 64,		/* 64 frames of > 256 bytes: deeper than READY's printing went */
	FRAME_BUF = 256,
	EDGE_ROOM = 512,	/* the stack pointer ends this far above a page start */
	KERNEL_SIGSET_SIZE = 8,
	SKIP_INITIAL = 512 << 10,	/* the kernel maps about 132 KiB of stack at exec */
};

static sigset_t wait_mask;	/* prepared early: no libc call at the edge */
static uintptr_t page_size;
static uintptr_t lowest_sp;

static void wait_at_edge(void)
{
	char here;
	size_t above_floor = (uintptr_t)&here % page_size;
	volatile char *pad = alloca((above_floor + page_size - EDGE_ROOM) % page_size + 1);

	pad[0] = 0;
	lowest_sp = (uintptr_t)pad;
	while (!target_usr1)
		syscall(SYS_rt_sigsuspend, &wait_mask, KERNEL_SIGSET_SIZE);
}

static unsigned char frame_byte(int depth, size_t i)
{
	return (unsigned char)(depth * 5 + i * 3);
}

static int descend(int depth)
{
	volatile unsigned char buf[FRAME_BUF];
	size_t bad = 0;
	int below;

	for (size_t i = 0; i < FRAME_BUF; i++)
		buf[i] = frame_byte(depth, i);
	if (depth == FRAMES)
		target_ready();
	if (depth == 0) {
		wait_at_edge();
		below = 0;
	} else {
		below = descend(depth - 1);
	}
	for (size_t i = 0; i < FRAME_BUF; i++)
		bad += buf[i] != frame_byte(depth, i);
	target_check(bad == 0, "frame at depth %d changed", depth);
	return below + 1;
}

static int descend_below_initial_stack(void)
{
	volatile char *skip = alloca(SKIP_INITIAL);

	skip[0] = 0;
	return descend(FRAMES + 1);
}

int main(void)
{
	target_init();
	page_size = (uintptr_t)sysconf(_SC_PAGESIZE);
	sigprocmask(SIG_BLOCK, NULL, &wait_mask);
	sigdelset(&wait_mask, SIGUSR1);
	syscall(SYS_getpid);	/* bind syscall() now: lazy binding uses much stack */

	target_check(descend_below_initial_stack() == FRAMES + 2, "the descent returned a wrong depth");
	target_check(lowest_sp % page_size <= EDGE_ROOM, "the stack pointer was not placed");
	return target_finish();
}
