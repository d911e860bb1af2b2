/*
 * What the leader and the exit cleaner say to each other on their pipes
 * (prepare_exit_cleaner.c, restore_exit_cleaner.c, exit_cleaner.c).
 *
 * cleaner -> stub, once started: its pid (int32), after it closed every
 *	other fd.
 * stub -> cleaner, once the other threads wait in the trampoline: struct
 *	cleaner_job, then nthreads int32 thread ids, the leader's first.
 * cleaner -> stub: CLEANER_GO once it traces every thread; nothing (EOF)
 *	when it cannot, having let go of whatever it had seized.
 */
#ifndef FREEZE_STUB_EXIT_CLEANER_H
#define FREEZE_STUB_EXIT_CLEANER_H

#include <stdint.h>

struct cleaner_job {
	uint64_t area, len;      /* the exit area, to unmap */
	uint64_t insn;           /* a system call instruction in it */
	uint32_t nthreads;
	uint32_t pad;
};

#define CLEANER_GO 'g'

/* The cleaner's exit status, for whoever reaps it (the tests do). */
enum cleaner_status {
	CLEANED = 0,             /* the area is unmapped */
	NO_JOB = 1,              /* the stub ended (or failed) before the exit */
	CANNOT_TRACE = 2,        /* a seize failed: traced already, Yama, ... */
	GAVE_UP = 3,             /* traced, but let go before the unmap */
};

#endif
