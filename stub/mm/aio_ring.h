/*
 * Linux AIO contexts (FZ_REC_AIO_RING): a context made again with a ring of
 * the recorded size, holding the recorded unreaped completions.
 * prepare_aio.c checks before the point of no return that this host makes
 * such a context; restore_aio.c makes it for good and moves its ring to the
 * process's address.
 */
#ifndef FREEZE_STUB_MM_AIO_RING_H
#define FREEZE_STUB_MM_AIO_RING_H

#include "image.h"
#include "sys.h"

static inline long sys_io_setup(unsigned nr, uint64_t *ctx)
{ return SYS(io_setup, nr, ctx, 0, 0, 0, 0); }
static inline long sys_io_destroy(uint64_t ctx)
{ return SYS(io_destroy, ctx, 0, 0, 0, 0, 0); }
static inline long sys_io_submit(uint64_t ctx, long n, void *iocbs)
{ return SYS(io_submit, ctx, n, iocbs, 0, 0, 0); }
static inline long sys_eventfd2(unsigned init, int flags)
{ return SYS(eventfd2, init, flags, 0, 0, 0, 0); }

/*
 * A new context like r, at a place the kernel picks: 0 and *ctx, or -errno
 * and *why. Its completions are r's, oldest first.
 */
long aio_ring_make(const struct fz_aio_ring *r, uint64_t *ctx, const char **why);

#endif
