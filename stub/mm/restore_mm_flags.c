/*
 * Flags the process had set on its whole mm with prctl: transparent huge
 * pages off (before any memory is mapped, so none is put on huge pages),
 * KSM merging of all its memory (once every mapping exists).
 */
#include <linux/prctl.h>

#include "kernel_abi.h"
#include "mm/mm.h"
#include "print.h"
#include "sys.h"

/* Inherited across execve, so the resumer's setting is undone too. */
void restore_thp_disable(const struct stub *st)
{
	uint32_t want = st->proc->thp_disable;
	long now = sys_prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0), ret;

	if (now < 0 || (uint32_t)now == want)
		return;
	ret = sys_prctl(PR_SET_THP_DISABLE, want ? 1 : 0, want & ~1u, 0, 0);
	if (ret < 0)
		warn("cannot %s transparent huge pages again (PR_SET_THP_DISABLE %u): %s",
		     want ? "disable" : "enable", want, errname(ret));
}

/* Setting it takes CAP_SYS_RESOURCE. */
void restore_memory_merge(const struct stub *st)
{
	uint32_t want = st->proc->memory_merge;
	long now = sys_prctl(PR_GET_MEMORY_MERGE, 0, 0, 0, 0), ret;

	if ((now < 0 && !want) || now == (long)want)
		return;
	ret = sys_prctl(PR_SET_MEMORY_MERGE, want, 0, 0, 0);
	if (ret < 0)
		warn("cannot %s KSM merging of all memory again (PR_SET_MEMORY_MERGE): %s",
		     want ? "turn on" : "turn off", errname(ret));
}
