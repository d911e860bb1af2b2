/*
 * PAGEMAP_SCAN (Linux 6.7): the present ranges of a process's memory in one
 * ioctl on /proc/PID/pagemap, instead of 8 bytes read per page. The C
 * library's kernel headers may predate it, so its ABI is spelled out here.
 */
#ifndef FREEZE_PAGEMAP_SCAN_H
#define FREEZE_PAGEMAP_SCAN_H

#include <stdint.h>
#include <sys/ioctl.h>

#define PM_SCAN_PRESENT (1ULL << 3)
#define PM_SCAN_SWAPPED (1ULL << 4)
#define PM_SCAN_PFNZERO (1ULL << 5)  /* mapped to the shared zero page */

struct pm_scan_region {
	uint64_t start, end, categories;
};

struct pm_scan_arg {
	uint64_t size, flags, start, end, walk_end;
	uint64_t vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask;
	uint64_t return_mask;
};

#define PM_SCAN_IOCTL _IOWR('f', 16, struct pm_scan_arg)

#endif
