/*
 * The process's vdso: what becomes of it is decided before the point of no
 * return (prepare_vdso.c), done after it (restore_vdso.c).
 */
#ifndef FREEZE_STUB_VDSO_H
#define FREEZE_STUB_VDSO_H

#include "stub.h"

/* prepare_vdso.c: decide what to do with the vdso; -1 with vdso.why. */
int plan_vdso(struct stub *st);
/* Entry points that fall back to system calls, each named to fn. */
unsigned vdso_fallbacks(const struct stub *st, void (*fn)(const char *, void *),
			void *ctx);

/* restore_vdso.c, after the point of no return: the host's block parked
   out of the way first, placed where the plan says once the old world is
   unmapped. */
void restore_vdso_park(const struct stub *st);
void restore_vdso_place(const struct stub *st);

#endif
