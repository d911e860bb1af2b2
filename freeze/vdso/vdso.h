/* The vdso: a thread stopped inside it is stepped out before collection. */
#ifndef FREEZE_VDSO_H
#define FREEZE_VDSO_H

#include "freeze.h"

/* leave_vdso.c: step each thread stopped inside the vdso out of it. */
int leave_vdso(struct target *t, const struct options *o);

#endif
