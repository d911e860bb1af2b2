/*
 * sockfd: holds a netlink socket at fd 5, a kind freeze refuses.  argv[2]
 * says what fd 5 must be when SIGUSR1 comes:
 *   socket  still the netlink socket (no freeze, or freeze refused)
 *   null    /dev/null (frozen with --unsupported-fds=null, then resumed)
 */
#include "target.h"
#include <sys/socket.h>

enum { SOCK_FD = 5, NETLINK_ROUTE_PROTOCOL = 0 }; /* musl lacks linux/netlink.h */

int main(int argc, char **argv)
{
	const char *expect = argc > 2 ? argv[2] : "socket";
	char link[64];
	ssize_t n;
	int s, domain = 0;
	socklen_t len = sizeof(domain);

	target_init();
	s = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE_PROTOCOL);
	if (s < 0 || dup2(s, SOCK_FD) != SOCK_FD)
		target_die("netlink socket");
	close(s);
	target_ready();
	target_wait();

	n = readlink("/proc/self/fd/5", link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = 0;
	if (!strcmp(expect, "null")) {
		target_check(!strcmp(link, "/dev/null"), "fd 5 is %s, not /dev/null", link);
	} else {
		target_check(!strncmp(link, "socket:", 7), "fd 5 is %s, not a socket", link);
		target_check(!getsockopt(SOCK_FD, SOL_SOCKET, SO_DOMAIN, &domain, &len) &&
			     domain == AF_NETLINK, "fd 5 is no longer a netlink socket");
	}
	return target_finish();
}
