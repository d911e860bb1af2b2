/* What the stub's socket files share (prepare_sockets.c and its helpers). */
#ifndef FREEZE_STUB_SOCKETS_H
#define FREEZE_STUB_SOCKETS_H

#include "stub.h"

/* The process's fd number for socket `id`, for messages. */
int sock_fd_of(const struct stub *st, uint64_t id);
/* fd (or -errno) lifted above the process's fds; dies naming r's fd. */
int sock_lifted(const struct stub *st, long fd, const struct fz_socket *r);
/* A new socket of r's kind, lifted. */
int sock_new(const struct stub *st, const struct fz_socket *r);
/* r's queued data, after its options. */
static inline const uint8_t *sock_data(const struct fz_socket *r)
{
	return (const uint8_t *)(r + 1) + r->opts_len;
}

/* r's option after o (the first for o = 0), 0 after the last; verify_sockets.c
   checked that they fit. */
static inline const struct fz_sockopt *sock_opt_next(const struct fz_socket *r,
						     const struct fz_sockopt *o)
{
	const uint8_t *start = (const uint8_t *)(r + 1), *p = (const uint8_t *)o;

	p = o ? p + sizeof(*o) + ((o->len + 3) & ~3u) : start;
	return p < start + r->opts_len ? (const struct fz_sockopt *)p : 0;
}

#define for_each_sock_opt(r, o) \
	for (const struct fz_sockopt *o = sock_opt_next(r, 0); o; o = sock_opt_next(r, o))

/*
 * r's options set on s: those that filter what it receives (socket
 * filters, their lock) with sock_set_late_options(), once its queue is
 * filled again, and its shutdown state with sock_shut(). One the host
 * refuses is a warning.
 */
void sock_set_options(const struct stub *st, int s, const struct fz_socket *r);
void sock_set_late_options(const struct stub *st, int s, const struct fz_socket *r);
void sock_shut(int s, const struct fz_socket *r);
/*
 * prepare_passed_fds.c: the data queued in r sent through `via` (to `to`,
 * if given), with the fds in flight in it; does r's queue hold any?
 */
void sock_fill_queue(const struct stub *st, int via, const struct fz_socket *r,
		     const void *to, unsigned to_len);
int sock_passes_fds(const struct stub *st, uint64_t id);

/* r kept as socket fd s, to be placed at its fd numbers. */
struct prepared_socket *sock_keep(struct stub *st, const struct fz_socket *r, int s);
/* What waits for a queue with fds (prepared_socket.deferred): */
#define SOCK_DEFER_PAIR 1      /* a socketpair (the entry of its first end) */
#define SOCK_DEFER_PEER_GONE 2 /* filled from `via`, which is then closed */
#define SOCK_DEFER_OUTSIDE 3   /* bound or connected: filled from outside */
/* The fill and what follows it, for a deferred socket. */
void sock_finish(const struct stub *st, const struct prepared_socket *k);
/* s bound to r's name again (a stale socket file there replaced). */
void sock_bind_name(struct stub *st, int s, const struct fz_socket *r);
/* What comes between the bind and the unlink of a listener's path. */
typedef void sock_then_fn(struct stub *st, int s, const struct fz_socket *r);

/*
 * prepare_unlinked.c: s bound to path, which r's FZ_SOCKF_UNLINKED says was
 * unlinked: unlinked again (after `then`, if given), whatever is at path
 * now left as it was.
 */
void bind_unlinked(struct stub *st, int s, const struct fz_socket *r,
		   const char *path, sock_then_fn *then);

/*
 * prepare_pending.c: the clients (state FZ_SOCK_PENDING) whose connection
 * listener l had not accepted, connected to it again in their order; a
 * client whose listener is not in the image is damage (check_pending;
 * under --verify it is checked instead).
 */
void connect_pending(struct stub *st, const struct fz_socket *l);
void check_pending(const struct stub *st, const struct fz_socket *c, int verifying);

/* prepare_peer_gone.c: r rebuilt as a connection its peer reset. */
int peer_gone_unix(const struct stub *st, const struct fz_socket *r, int *via);
int peer_gone_tcp(const struct stub *st, const struct fz_socket *r);

/* prepare_tcp_repair.c: socket s of fd number fd, in repair mode until
 * leave_tcp_repair() (restore_tcp_repair.c). */
void repair_connection(const struct stub *st, const struct fz_socket *r, int s, int fd);

#endif
