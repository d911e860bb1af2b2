/*
 * Sockets: UNIX and IP, listening, connected (a peer in the image, or a
 * peer gone), with their names, options and queued bytes; TCP connections
 * kept with TCP_REPAIR. All rebuilt before the point of no return but for
 * leaving repair mode.
 */
#ifndef FREEZE_STUB_NET_H
#define FREEZE_STUB_NET_H

#include "stub.h"

/* prepare_sockets.c: every SOCKET record rebuilt; the one fd f names. */
void prepare_sockets(struct stub *st);
int socket_fd(const struct stub *st, const struct fz_fd *f);
/* prepare_passed_fds.c: the queues that hold fds in flight filled, once
   every fd is open (after prepare_files). */
void finish_sockets(struct stub *st);
/* info_sockets.c: what --info says about socket fd f. */
void print_socket_fd(const struct stub *st, const struct fz_fd *f);
/* The same as the "socket" member of the fd's --json object. */
void json_socket_fd(const struct stub *st, const struct fz_fd *f);

/* restore_tcp_repair.c, after the point of no return: connections out of
   repair mode. */
void leave_tcp_repair(const struct stub *st);

#endif
