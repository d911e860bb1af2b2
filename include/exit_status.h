/*
 * Exit statuses of freeze and of an image that refuses to run, documented
 * in freeze(1) and freeze-image(1): a script can tell a usage mistake from
 * a process it may not freeze, a refusal from a full disk, a damaged image
 * from a host that cannot resume it. An image that resumed exits as its
 * process does.
 */
#ifndef FREEZE_EXIT_STATUS_H
#define FREEZE_EXIT_STATUS_H

/* freeze: anything else; image: this host's state refuses (a file gone...) */
#define FZ_EXIT_FAILURE 1
/* Bad options or arguments. */
#define FZ_EXIT_USAGE 2
/* freeze: no such process, or this user may not trace it. */
#define FZ_EXIT_PROCESS 3
/* freeze: the process has state that cannot be restored. */
#define FZ_EXIT_REFUSED 4
/* freeze: creating or writing OUTPUT failed. */
#define FZ_EXIT_IO 5
/* image: damaged, truncated, extended, or not an image. */
#define FZ_EXIT_DAMAGED 6
/* image: this host's CPU, kernel or limits cannot resume it. */
#define FZ_EXIT_HOST 7

#endif
