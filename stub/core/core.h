/*
 * The stub's own services and its checks of the host, all before the point
 * of no return: they may refuse and exit cleanly.
 */
#ifndef FREEZE_STUB_CORE_H
#define FREEZE_STUB_CORE_H

#include "stub.h"

/* check_host.c: refuses (exits) unless this host can run the image. */
void check_host(struct stub *st);
/* The CPU verdict check_host gives under st->opt.cpu, for --info. */
void print_cpu_verdict(const struct stub *st);
/* The same as the --json "cpu" member. */
void json_cpu_verdict(const struct stub *st);
/* check_limits.c: this host's fd and mapping limits are high enough. */
void check_limits(const struct stub *st);
/* probe_kernel.c: fills st->kernel; warns, refuses, or (for_info) lists. */
void probe_kernel(struct stub *st, int for_info);
/*
 * workers.c: fn on this thread and on a worker per other usable CPU (none
 * for a small image), on the worker stacks; returns when all are done.
 */
void run_on_cpus(const struct stub *st, void (*fn)(const struct stub *));

#endif
