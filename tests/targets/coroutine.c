/*
 * A makecontext() coroutine on a 2 KiB stack, with data right below it,
 * frozen while it runs: the thread's stack pointer is inside the small
 * stack when the process is frozen and resumed. After resume, every byte
 * below that stack pointer must be as the process left it: the stub may
 * build nothing there (its signal frame, its sync words), in the coroutine
 * stack or in the data below it.
 *
 * SIGUSR1 is taken on an alternate signal stack, so that its delivery
 * after resume does not write below the coroutine's stack pointer either,
 * and the target is linked with -z now: the dynamic linker's lazy binding
 * would resolve sigsuspend() on the small stack, with a 3 KiB XSAVE frame.
 */
#include <stdint.h>
#include <ucontext.h>

#include "target.h"

#define DATA_SIZE (12 << 10)
#define CORO_STACK (2 << 10)
/* target_wait()'s frames below the coroutine's own, written before the freeze. */
#define CALL_MARGIN 512

static uint8_t arena[DATA_SIZE + CORO_STACK] __attribute__((aligned(64)));
static uint8_t altstack[64 << 10];
static ucontext_t main_ctx, coro_ctx;
static uintptr_t coro_sp;

static uint8_t pattern(size_t i)
{
	return (uint8_t)(i * 131 + 7);
}

static void coro(void)
{
	volatile uint8_t here = 0;

	coro_sp = (uintptr_t)&here;
	target_wait();
}

static void take_usr1_on_altstack(void)
{
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	struct sigaction sa;

	if (sigaltstack(&ss, NULL))
		target_die("sigaltstack");
	if (sigaction(SIGUSR1, NULL, &sa))
		target_die("sigaction(SIGUSR1)");
	sa.sa_flags |= SA_ONSTACK;
	if (sigaction(SIGUSR1, &sa, NULL))
		target_die("sigaction(SIGUSR1, SA_ONSTACK)");
}

/* Every byte below the coroutine's stack pointer (and its last calls) as set. */
static void check_below(void)
{
	size_t untouched, changed = 0, first = 0;

	target_check(coro_sp > (uintptr_t)arena + DATA_SIZE + CALL_MARGIN &&
		     coro_sp < (uintptr_t)arena + sizeof(arena),
		     "the coroutine ran at %#lx, not on its stack", (unsigned long)coro_sp);
	untouched = coro_sp - CALL_MARGIN - (uintptr_t)arena;
	if (untouched > sizeof(arena))
		untouched = 0;
	for (size_t i = 0; i < untouched; i++)
		if (arena[i] != pattern(i) && !changed++)
			first = i;
	target_check(!changed, "%zu of the %zu bytes below the coroutine's stack "
		     "pointer changed, the first at %zu bytes below it", changed,
		     untouched, untouched + CALL_MARGIN - first);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	target_init();
	take_usr1_on_altstack();
	for (size_t i = 0; i < sizeof(arena); i++)
		arena[i] = pattern(i);
	if (getcontext(&coro_ctx))
		target_die("getcontext");
	coro_ctx.uc_stack.ss_sp = arena + DATA_SIZE;
	coro_ctx.uc_stack.ss_size = CORO_STACK;
	coro_ctx.uc_link = &main_ctx;
	makecontext(&coro_ctx, coro, 0);
	/* stdio needs more stack than the coroutine has: READY from here. */
	target_ready();
	if (swapcontext(&main_ctx, &coro_ctx))
		target_die("swapcontext");
	check_below();
	return target_finish();
}
