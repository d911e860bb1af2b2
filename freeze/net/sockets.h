/* What the socket collector uses from its helpers (net/sock_*.c). */
#ifndef FREEZE_SOCKETS_H
#define FREEZE_SOCKETS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "freeze.h"
#include "image.h"

/* What the kernel's sock_diag tells about one socket. */
struct sock_diag {
	uint32_t peer_ino;    /* UNIX: the connected peer's inode, or 0 */
	uint32_t pending;     /* listening: connections not yet accepted */
	uint32_t backlog;     /* listening: listen(2)'s backlog */
	uint32_t shutdown;    /* RCV_SHUTDOWN 1 | SEND_SHUTDOWN 2 */
	uint32_t vfs_ino;     /* UNIX bound to a path: its socket file's inode */
	uint32_t vfs_dev;     /* and device, as the kernel encodes it (major << 20) */
	uint32_t nicons;      /* UNIX listening: entries of icons */
	uint32_t icons[256];  /* the client inodes of its first pending connections */
};

/* sock_diag.c: 0, -ENOENT when the kernel does not know the inode, or -errno. */
int unix_diag(uint32_t ino, struct sock_diag *out);
int tcp_listen_diag(int family, uint32_t ino, struct sock_diag *out);
/* Any inet socket of `protocol` in one of `states` (bit n: TCP state n). */
int inet_diag(int family, int protocol, uint32_t states, uint32_t ino, struct sock_diag *out);

/*
 * For each queued message carrying fds: where it is (struct fz_passed_fd's
 * at and len) and freeze's copies of its n fds, which it must not close.
 * 0, or -errno to stop (having said why).
 */
typedef int passed_fn(void *ctx, uint32_t at, uint32_t len, const int *fds, unsigned n);

/*
 * sock_queue.c: a copy of what socket s has received and not read, without
 * consuming it (the format of struct fz_socket's data), fn called for each
 * message carrying fds. 0 or -errno; -EBADMSG when a message carries more
 * fds than one can (SCM_MAX_FD), or is empty and carries fds.
 */
int peek_queue(int s, int type, uint8_t **data, uint32_t *len, passed_fn *fn, void *ctx);

/*
 * passed_fds.c: fds (freeze's copies) in flight in a message queued in
 * socket entry e (of the process's fd `fd`) recorded as FZ_REC_PASSED_FD
 * records in e, or refused naming the kind.
 */
int collect_passed(struct target *t, struct socket_entry *e, int fd, uint32_t at,
		   uint32_t len, const int *fds, unsigned n);
/* The sockets whose queues hold fds can have them sent again at resume. */
int check_passed_states(const struct target *t);

/*
 * sock_options.c: socket s's options that differ from a fresh socket's of
 * r's kind, as the options of a SOCKET record (*len bytes, malloc'd).
 * 0 or -errno; -EACCES when its filter is an eBPF program.
 */
int sock_options_diff(int s, const struct fz_socket *r, uint8_t **opts, uint32_t *len);

/*
 * ping_peer.c: where ICMP echo socket `ino` of process pid is connected to
 * (*len = 0: nowhere); 0 or -errno.
 */
int ping_peer(pid_t pid, int family, uint64_t ino, uint8_t *peer, uint32_t *len);

/* sock_names.c: for messages. An address: /path, @abstract, 1.2.3.4:5, [::1]:5. */
const char *family_name(int family);
const char *type_name(int type);
const char *addr_str(const uint8_t *a, uint32_t len, char *buf, size_t cap);

#endif
