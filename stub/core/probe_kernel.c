/*
 * What the restore needs from the host kernel, probed before the point of
 * no return. Each probe makes a harmless call whose error tells whether
 * the kernel knows it. A missing feature the image does not need is not
 * mentioned; every one it needs has a fallback, so it degrades the restore
 * with a warning naming the feature and what the process loses. (What
 * cannot be degraded refuses where it is found: prepare_vdso.c, and the
 * CPU check.) Features of the vdso redirect
 * (ARCH_MAP_VDSO_64, MADV_COLD) are probed by prepare_vdso.c; the time
 * namespace by prepare_clocks.c, which needs /proc to set one up.
 *
 * The stub needs no clone3 (threads are made with clone) and no pidfd.
 */
#include <linux/prctl.h>

#include "core/core.h"
#include "json.h"
#include "print.h"
#include "stub.h"
#include "sys.h"

#define ENOSYS 38
#define RSEQ_FLAG_UNREGISTER 1
/* Linux 6.15's prctl; Debian 12's headers predate it. */
#define PR_TIMER_CREATE_RESTORE_IDS 77

static int needs_rseq(const struct stub *st)
{
	for (unsigned i = 0; i < st->nthreads; i++)
		if (st->threads[i]->rseq_len)
			return 1;
	return 0;
}

static int needs_timer_ids(const struct stub *st)
{
	return image_find(&st->img, FZ_REC_POSIX_TIMER, 0) != 0;
}

static int always(const struct stub *st)
{
	(void)st;
	return 1;
}

/* Unregistering when nothing is registered: EINVAL if rseq exists at all. */
static int have_rseq(void)
{
	return sys_rseq(0, 0, RSEQ_FLAG_UNREGISTER, 0) != -ENOSYS;
}

static int have_mm_map(void)
{
	unsigned size = 0;

	return sys_prctl(PR_SET_MM, PR_SET_MM_MAP_SIZE, (long)&size, 0, 0) == 0 &&
	       size == sizeof(struct prctl_mm_map);
}

/* Turning it off is harmless and fails with EINVAL before 6.15. */
static int have_timer_ids(void)
{
	return sys_prctl(PR_TIMER_CREATE_RESTORE_IDS, 0, 0, 0, 0) == 0;
}

/* Closing an empty range: ENOSYS before 5.9. */
static int have_close_range(void)
{
	return sys_close_range(~0U - 1, ~0U, 0) != -ENOSYS;
}

static const struct kernel_feature {
	const char *name;
	const char *since;
	unsigned bit;                  /* in stub.kernel */
	int (*needed)(const struct stub *);
	int (*present)(void);
	const char *effect;            /* what the process loses without it */
} features[] = {
	{ "rseq", "4.18", KF_RSEQ, needs_rseq, have_rseq,
	  "the threads' rseq areas are not registered again "
	  "(sched_getcpu may report a stale CPU)" },
	{ "PR_SET_MM_MAP", "3.18", KF_MM_MAP, always, have_mm_map,
	  "brk and stack bounds are not restored (the heap cannot grow with "
	  "brk; malloc falls back to mmap)" },
	{ "PR_TIMER_CREATE_RESTORE_IDS", "6.15", KF_TIMER_IDS, needs_timer_ids,
	  have_timer_ids,
	  "POSIX timers are created again in order and may get other ids" },
	{ "close_range", "5.9", KF_CLOSE_RANGE, always, have_close_range,
	  "the stub's own descriptors above the process's stay open" },
};
#define NFEATURES (sizeof(features) / sizeof(features[0]))

void probe_kernel(struct stub *st, int for_info)
{
	for (unsigned i = 0; i < NFEATURES; i++) {
		const struct kernel_feature *f = &features[i];
		int present = f->present();
		if (present)
			st->kernel |= f->bit;
		if (for_info && json_on()) {
			json_obj(0);
			json_str("name", f->name);
			json_str("since", f->since);
			json_bool("present", present);
			json_bool("needed", f->needed(st));
			json_end();
		} else if (for_info)
			out(1, "kernel: %s (Linux %s): %s%s\n", f->name, f->since,
			    present ? "present" : "missing",
			    f->needed(st) ? "" : ", not needed");
		if (present || for_info || !f->needed(st))
			continue;
		warn("this kernel lacks %s (Linux %s): %s", f->name, f->since,
		     f->effect);
	}
}
