/*
 * sock_options: socket options a fresh socket lacks, of every kind of value.
 *   - a TCP listener with SO_LINGER, SO_RCVTIMEO/SNDTIMEO, SO_BINDTODEVICE
 *     ("lo"), SO_BUF_LOCK, SO_REUSEADDR, SO_REUSEPORT, SO_PRIORITY, SO_MARK
 *     (as root: only root may set it), TCP_NODELAY, TCP_CORK,
 *     TCP_KEEPIDLE/INTVL/CNT, TCP_USER_TIMEOUT, TCP_SYNCNT, TCP_LINGER2,
 *     TCP_NOTSENT_LOWAT, TCP_DEFER_ACCEPT, TCP_CONGESTION ("reno"), IP_TOS,
 *     IP_TTL, IP_RECVERR;
 *   - a bound UDP socket shut for reading (IP_PKTINFO), and a connected one
 *     shut for writing;
 *   - UNIX datagram socketpairs with classic BPF filters: one drops
 *     everything (a message queued before it was attached must come back),
 *     one cuts messages to 4 bytes and is locked (SO_LOCK_FILTER);
 *   - a bound UDP-Lite socket with its checksum coverage set and a datagram
 *     queued;
 *   - with argv[2] = "ping" (net.ipv4.ping_group_range must allow it), an
 *     ICMP echo socket bound and connected to 127.0.0.1.
 * With argv[2] = "ebpf" a socket has an eBPF filter (SO_ATTACH_BPF), which
 * cannot be read back: freeze refuses (bad/socket-ebpf-filter).
 * After SIGUSR1 every option reads back as before, the filters filter, the
 * shut sides stay shut.
 */
#include "target.h"
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

/* <linux/filter.h>, which musl's headers lack. */
struct bpf_insn_ {
	unsigned short code;
	unsigned char jt, jf;
	unsigned int k;
};
struct bpf_prog_ {
	unsigned short len;
	struct bpf_insn_ *filter;
};
#define BPF_RET_K 0x06
#ifndef SO_GET_FILTER
#define SO_GET_FILTER SO_ATTACH_FILTER
#endif
#ifndef SO_LOCK_FILTER
#define SO_LOCK_FILTER 44
#endif
#ifndef SO_BUF_LOCK
#define SO_BUF_LOCK 72
#endif
#ifndef IPPROTO_UDPLITE
#define IPPROTO_UDPLITE 136
#endif
#define SOL_UDPLITE_ 136
#define UDPLITE_SEND_CSCOV_ 10
#define UDPLITE_RECV_CSCOV_ 11

struct opt {
	int *fd, level, name;
	const char *what;
	unsigned char v[64];
	socklen_t len;
};

static int tl, ur, uw, upeer, drop[2], cut[2], lite;
static struct sockaddr_in tl_addr, ur_addr, lite_addr;
static int root, ping = -1;
static struct sockaddr_in ping_addr;

#define OPT(f, l, n, w) { .fd = &f, .level = l, .name = n, .what = w }

static struct opt opts[] = {
	OPT(tl, SOL_SOCKET, SO_LINGER, "SO_LINGER"),
	OPT(tl, SOL_SOCKET, SO_RCVTIMEO, "SO_RCVTIMEO"),
	OPT(tl, SOL_SOCKET, SO_SNDTIMEO, "SO_SNDTIMEO"),
	OPT(tl, SOL_SOCKET, SO_BINDTODEVICE, "SO_BINDTODEVICE"),
	OPT(tl, SOL_SOCKET, SO_RCVBUF, "SO_RCVBUF"),
	OPT(tl, SOL_SOCKET, SO_BUF_LOCK, "SO_BUF_LOCK"),
	OPT(tl, SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR"),
	OPT(tl, SOL_SOCKET, SO_REUSEPORT, "SO_REUSEPORT"),
	OPT(tl, SOL_SOCKET, SO_PRIORITY, "SO_PRIORITY"),
	OPT(tl, SOL_SOCKET, SO_MARK, "SO_MARK"),
	OPT(tl, IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY"),
	OPT(tl, IPPROTO_TCP, TCP_CORK, "TCP_CORK"),
	OPT(tl, IPPROTO_TCP, TCP_KEEPIDLE, "TCP_KEEPIDLE"),
	OPT(tl, IPPROTO_TCP, TCP_KEEPINTVL, "TCP_KEEPINTVL"),
	OPT(tl, IPPROTO_TCP, TCP_KEEPCNT, "TCP_KEEPCNT"),
	OPT(tl, IPPROTO_TCP, TCP_USER_TIMEOUT, "TCP_USER_TIMEOUT"),
	OPT(tl, IPPROTO_TCP, TCP_SYNCNT, "TCP_SYNCNT"),
	OPT(tl, IPPROTO_TCP, TCP_LINGER2, "TCP_LINGER2"),
	OPT(tl, IPPROTO_TCP, TCP_NOTSENT_LOWAT, "TCP_NOTSENT_LOWAT"),
	OPT(tl, IPPROTO_TCP, TCP_DEFER_ACCEPT, "TCP_DEFER_ACCEPT"),
	OPT(tl, IPPROTO_TCP, TCP_CONGESTION, "TCP_CONGESTION"),
	OPT(tl, IPPROTO_IP, IP_TOS, "IP_TOS"),
	OPT(tl, IPPROTO_IP, IP_TTL, "IP_TTL"),
	OPT(tl, IPPROTO_IP, IP_RECVERR, "IP_RECVERR"),
	OPT(ur, IPPROTO_IP, IP_PKTINFO, "IP_PKTINFO (UDP)"),
	OPT(cut[1], SOL_SOCKET, SO_LOCK_FILTER, "SO_LOCK_FILTER"),
	OPT(lite, SOL_UDPLITE_, UDPLITE_SEND_CSCOV_, "UDPLITE_SEND_CSCOV"),
	OPT(lite, SOL_UDPLITE_, UDPLITE_RECV_CSCOV_, "UDPLITE_RECV_CSCOV"),
};

static void set(int fd, int level, int name, const void *v, socklen_t len, const char *what)
{
	if (setsockopt(fd, level, name, v, len))
		target_die(what);
}

static void set_int(int fd, int level, int name, int v, const char *what)
{
	set(fd, level, name, &v, sizeof(v), what);
}

static int bound(int type, int protocol, struct sockaddr_in *a)
{
	socklen_t len = sizeof(*a);
	int s = socket(AF_INET, type, protocol);

	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s < 0 || bind(s, (struct sockaddr *)a, len) ||
	    getsockname(s, (struct sockaddr *)a, &len))
		target_die("a bound socket");
	return s;
}

static void tcp_listener(void)
{
	struct linger lg = { 1, 7 };
	struct timeval rcv = { 3, 250000 }, snd = { 4, 0 };

	tl = socket(AF_INET, SOCK_STREAM, 0);
	if (tl < 0)
		target_die("socket");
	set(tl, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg), "SO_LINGER");
	set(tl, SOL_SOCKET, SO_RCVTIMEO, &rcv, sizeof(rcv), "SO_RCVTIMEO");
	set(tl, SOL_SOCKET, SO_SNDTIMEO, &snd, sizeof(snd), "SO_SNDTIMEO");
	set(tl, SOL_SOCKET, SO_BINDTODEVICE, "lo", 3, "SO_BINDTODEVICE");
	set_int(tl, SOL_SOCKET, SO_RCVBUF, 40000, "SO_RCVBUF");
	set_int(tl, SOL_SOCKET, SO_BUF_LOCK, 3, "SO_BUF_LOCK");
	set_int(tl, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
	set_int(tl, SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT");
	set_int(tl, SOL_SOCKET, SO_PRIORITY, 5, "SO_PRIORITY");
	if (root)
		set_int(tl, SOL_SOCKET, SO_MARK, 42, "SO_MARK");
	set_int(tl, IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY");
	set_int(tl, IPPROTO_TCP, TCP_CORK, 1, "TCP_CORK");
	set_int(tl, IPPROTO_TCP, TCP_KEEPIDLE, 77, "TCP_KEEPIDLE");
	set_int(tl, IPPROTO_TCP, TCP_KEEPINTVL, 11, "TCP_KEEPINTVL");
	set_int(tl, IPPROTO_TCP, TCP_KEEPCNT, 4, "TCP_KEEPCNT");
	set_int(tl, IPPROTO_TCP, TCP_USER_TIMEOUT, 12345, "TCP_USER_TIMEOUT");
	set_int(tl, IPPROTO_TCP, TCP_SYNCNT, 3, "TCP_SYNCNT");
	set_int(tl, IPPROTO_TCP, TCP_LINGER2, 17, "TCP_LINGER2");
	set_int(tl, IPPROTO_TCP, TCP_NOTSENT_LOWAT, 9999, "TCP_NOTSENT_LOWAT");
	set_int(tl, IPPROTO_TCP, TCP_DEFER_ACCEPT, 5, "TCP_DEFER_ACCEPT");
	set(tl, IPPROTO_TCP, TCP_CONGESTION, "reno", 4, "TCP_CONGESTION");
	set_int(tl, IPPROTO_IP, IP_TOS, 0x10, "IP_TOS");
	set_int(tl, IPPROTO_IP, IP_TTL, 33, "IP_TTL");
	set_int(tl, IPPROTO_IP, IP_RECVERR, 1, "IP_RECVERR");
	memset(&tl_addr, 0, sizeof(tl_addr));
	tl_addr.sin_family = AF_INET;
	tl_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(tl_addr);
	if (bind(tl, (struct sockaddr *)&tl_addr, len) || listen(tl, 4) ||
	    getsockname(tl, (struct sockaddr *)&tl_addr, &len))
		target_die("the TCP listener");
}

static void attach(int fd, struct bpf_insn_ *f, unsigned short n)
{
	struct bpf_prog_ prog = { n, f };

	set(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog), "SO_ATTACH_FILTER");
}

static void filtered(void)
{
	static struct bpf_insn_ none[] = { { BPF_RET_K, 0, 0, 0 } };
	static struct bpf_insn_ four[] = { { BPF_RET_K, 0, 0, 4 } };

	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, drop) || socketpair(AF_UNIX, SOCK_DGRAM, 0, cut))
		target_die("socketpair");
	if (send(drop[0], "keep", 4, 0) != 4)
		target_die("send");
	attach(drop[1], none, 1);
	attach(cut[1], four, 1);
	set_int(cut[1], SOL_SOCKET, SO_LOCK_FILTER, 1, "SO_LOCK_FILTER");
	if (send(cut[0], "12345678", 8, 0) != 8)
		target_die("send");
}

/* An ICMP echo request with id 0 (the kernel puts the socket's id in). */
static int echo(int s, unsigned short seq)
{
	unsigned char req[8] = { 8, 0, 0, 0, 0, 0, (unsigned char)(seq >> 8),
				 (unsigned char)seq }, rep[64];
	ssize_t n;

	if (send(s, req, sizeof(req), 0) != sizeof(req))
		return 0;
	n = recv(s, rep, sizeof(rep), 0);
	return n >= 8 && rep[0] == 0 && rep[6] == req[6] && rep[7] == req[7];
}

static void ping_socket(void)
{
	struct sockaddr_in to = { .sin_family = AF_INET };

	ping = bound(SOCK_DGRAM, IPPROTO_ICMP, &ping_addr);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(ping, (struct sockaddr *)&to, sizeof(to)) || !echo(ping, 1))
		target_die("an ICMP echo socket");
}

/* A UDP socket with an eBPF socket filter that passes nothing (r0 = 0). */
static void ebpf_filtered(void)
{
	uint64_t insns[2] = { 0x00000000000000b7ULL, 0x0000000000000095ULL };
	union {
		struct {
			uint32_t type, insn_cnt;
			uint64_t insns, license;
		} load;
		char room[128];
	} attr;
	int prog, s = socket(AF_INET, SOCK_DGRAM, 0);

	memset(&attr, 0, sizeof(attr));
	attr.load.type = 1; /* BPF_PROG_TYPE_SOCKET_FILTER */
	attr.load.insn_cnt = 2;
	attr.load.insns = (uintptr_t)insns;
	attr.load.license = (uintptr_t) "GPL";
	prog = (int)syscall(321 /* bpf */, 5 /* BPF_PROG_LOAD */, &attr, sizeof(attr));
	if (prog < 0 || s < 0 ||
	    setsockopt(s, SOL_SOCKET, 50 /* SO_ATTACH_BPF */, &prog, sizeof(prog)))
		target_die("an eBPF socket filter");
	close(prog);
}

static void setup(int want_ping, int want_ebpf)
{
	struct sockaddr_in a;
	int s;

	root = geteuid() == 0;
	tcp_listener();
	ur = bound(SOCK_DGRAM, 0, &ur_addr);
	set_int(ur, IPPROTO_IP, IP_PKTINFO, 1, "IP_PKTINFO");
	/* An unbound UDP socket says ENOTCONN, yet it is shut. */
	shutdown(ur, SHUT_RD);
	upeer = bound(SOCK_DGRAM, 0, &a);
	uw = socket(AF_INET, SOCK_DGRAM, 0);
	if (uw < 0 || connect(uw, (struct sockaddr *)&a, sizeof(a)) || shutdown(uw, SHUT_WR))
		target_die("a UDP socket shut for writing");
	filtered();
	lite = bound(SOCK_DGRAM, IPPROTO_UDPLITE, &lite_addr);
	set_int(lite, SOL_UDPLITE_, UDPLITE_SEND_CSCOV_, 20, "UDPLITE_SEND_CSCOV");
	set_int(lite, SOL_UDPLITE_, UDPLITE_RECV_CSCOV_, 16, "UDPLITE_RECV_CSCOV");
	s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE);
	if (s < 0 || sendto(s, "lite", 4, 0, (struct sockaddr *)&lite_addr, sizeof(lite_addr)) != 4)
		target_die("a datagram to the UDP-Lite socket");
	close(s);
	if (want_ping)
		ping_socket();
	if (want_ebpf)
		ebpf_filtered();
	for (size_t i = 0; i < sizeof(opts) / sizeof(*opts); i++) {
		opts[i].len = sizeof(opts[i].v);
		if (getsockopt(*opts[i].fd, opts[i].level, opts[i].name, opts[i].v, &opts[i].len))
			target_die(opts[i].what);
	}
}

static void same_options(void)
{
	for (size_t i = 0; i < sizeof(opts) / sizeof(*opts); i++) {
		unsigned char v[64] = { 0 };
		socklen_t len = sizeof(v);
		int ok = !getsockopt(*opts[i].fd, opts[i].level, opts[i].name, v, &len) &&
			 len == opts[i].len && !memcmp(v, opts[i].v, len);
		target_check(ok, "%s differs (%u bytes, first %d, was %d)", opts[i].what,
			     (unsigned)len, *(int *)v, *(int *)opts[i].v);
	}
	if (!root)
		puts("# SO_MARK checked unset only: only root may set it");
}

static void same_name(int fd, const struct sockaddr_in *want, const char *what)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	target_check(!getsockname(fd, (struct sockaddr *)&a, &len) &&
		     a.sin_port == want->sin_port && a.sin_addr.s_addr == want->sin_addr.s_addr,
		     "%s has another name", what);
}

static void check(void)
{
	struct bpf_insn_ f[4];
	socklen_t n = 4;
	struct pollfd pfd = { .fd = ur, .events = POLLIN | POLLRDHUP };
	char c;

	same_options();
	same_name(tl, &tl_addr, "the TCP listener");
	same_name(ur, &ur_addr, "the UDP socket shut for reading");
	target_check(poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLRDHUP),
		     "the UDP socket shut for reading is not shut (poll: %#x)", pfd.revents);
	target_check(send(uw, "x", 1, MSG_NOSIGNAL) < 0 && errno == EPIPE,
		     "the UDP socket shut for writing can send");
	target_expect_read(drop[1], "keep", "the message queued before the filter");
	target_check(send(drop[0], "gone", 4, 0) == 4, "send: %s", strerror(errno));
	target_check(recv(drop[1], &c, 1, MSG_DONTWAIT) < 0 && errno == EAGAIN,
		     "the drop-everything filter let a message through");
	target_check(!getsockopt(drop[1], SOL_SOCKET, SO_GET_FILTER, f, &n) && n == 1 &&
		     f[0].code == BPF_RET_K && f[0].k == 0,
		     "SO_GET_FILTER: %u instructions", (unsigned)n);
	target_expect_read(cut[1], "1234", "the message cut before the freeze");
	target_check(send(cut[0], "abcdefgh", 8, 0) == 8, "send: %s", strerror(errno));
	target_expect_read(cut[1], "abcd", "the cutting filter");
	target_check(setsockopt(cut[1], SOL_SOCKET, SO_DETACH_FILTER, &n, sizeof(n)) < 0 &&
		     errno == EPERM, "the locked filter can be detached");
	same_name(lite, &lite_addr, "the UDP-Lite socket");
	target_expect_read(lite, "lite", "the UDP-Lite socket");
	if (ping >= 0) {
		same_name(ping, &ping_addr, "the ICMP echo socket");
		target_check(echo(ping, 2), "the ICMP echo socket gets no reply (%s)",
			     strerror(errno));
	}
}

int main(int argc, char **argv)
{
	target_init();
	setup(argc > 2 && !strcmp(argv[2], "ping"), argc > 2 && !strcmp(argv[2], "ebpf"));
	target_ready();
	target_wait();
	check();
	return target_finish();
}
