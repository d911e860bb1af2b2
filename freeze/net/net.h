/*
 * Sockets: each socket fd becomes a SOCKET record (collect_sockets.c, with
 * the helpers of sockets.h); an established TCP connection is kept with
 * TCP_REPAIR under --tcp-established (collect_tcp_repair.c).
 */
#ifndef FREEZE_NET_H
#define FREEZE_NET_H

#include "freeze.h"

/* collect_sockets.c: a SOCKET record for each fd classified FZ_FD_SOCKET. */
int collect_sockets(struct target *t, const struct options *o);
/*
 * collect_tcp_repair.c: the connection state of an established TCP socket
 * (s: freeze's copy of the process's fd), which stays in repair mode until
 * leave_tcp_repair(): then a killed process's connections close without
 * a word to their peers, the others work on as before.
 */
int collect_tcp_repair(pid_t pid, int fd, int s, struct socket_entry *e);
void leave_tcp_repair(struct target *t, bool killed);
/* The same for one socket. */
void leave_tcp_repair_socket(struct socket_entry *e, bool killed);

/* passed_fds.c: the PASSED_FD records of every socket's queued fds. */
struct image_writer;
int write_passed_fds(const struct target *t, struct image_writer *w);

#endif
