/*
 * The address an ICMP echo ("ping") socket is connected to: getpeername()
 * says ENOTCONN for it (it has no port), and sock_diag does not know ping
 * sockets, so it is read from /proc/PID/net/icmp or icmp6, which list each
 * ping socket's inode, remote address and state.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "net/sockets.h"

#define TCP_ESTABLISHED_STATE 1

/* One line's remote address and state, when it is the socket `ino`. */
static int parse(const char *line, int family, unsigned long ino, uint8_t *peer,
		 uint32_t *len)
{
	char rem[40];
	unsigned st;
	unsigned long i;
	uint32_t w[4];

	if (sscanf(line, " %*s %*s %39[0-9A-Fa-f]:%*x %x %*s %*s %*s %*s %*s %lu", rem,
		   &st, &i) != 3 || i != ino)
		return 0;
	if (st != TCP_ESTABLISHED_STATE)
		return 1;
	if (family == AF_INET) {
		struct sockaddr_in *in = (void *)peer;
		if (sscanf(rem, "%8x", &w[0]) != 1)
			return -EPROTO;
		memset(in, 0, sizeof(*in));
		in->sin_family = AF_INET;
		in->sin_addr.s_addr = w[0];
		*len = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (void *)peer;
		if (sscanf(rem, "%8x%8x%8x%8x", &w[0], &w[1], &w[2], &w[3]) != 4)
			return -EPROTO;
		memset(in6, 0, sizeof(*in6));
		in6->sin6_family = AF_INET6;
		memcpy(&in6->sin6_addr, w, sizeof(w));
		*len = sizeof(*in6);
	}
	return 1;
}

int ping_peer(pid_t pid, int family, uint64_t ino, uint8_t *peer, uint32_t *len)
{
	char path[64], line[512];
	FILE *f;
	int found = 0;

	*len = 0;
	snprintf(path, sizeof(path), "/proc/%d/net/%s", (int)pid,
		 family == AF_INET ? "icmp" : "icmp6");
	if (!(f = fopen(path, "re")))
		return -errno;
	while (!found && fgets(line, sizeof(line), f))
		found = parse(line, family, (unsigned long)ino, peer, len);
	fclose(f);
	return found < 0 ? found : found ? 0 : -ENOENT;
}
