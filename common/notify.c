/* SPDX-License-Identifier: Apache-2.0 */
/* notify.c: the sd_notify protocol (notify.h says what and why).  The datagram goes from a
 * socket of our own made for it, so nothing stays open and a child that inherits the
 * environment (datad's ip(8) and nft(8)) holds no descriptor of ours; systemd knows the sender
 * by the credentials the kernel attaches (NotifyAccess=main takes only the main PID's). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "common/notify.h"

/* $NOTIFY_SOCKET into an address: a path keeps its NUL in the length, an abstract name ('@'
 * for the leading NUL) has none (unix(7)). */
static int
notify_addr(const char *name, struct sockaddr_un *sa, socklen_t *sa_len)
{
	size_t n = strlen(name);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (name[0] != '/' && name[0] != '@') {
		errno = EAFNOSUPPORT;		/* "vsock:..." (systemd 254) is not for us */
		return -1;
	}
	if (n >= sizeof(sa->sun_path) || (name[0] == '@' && n < 2)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sa->sun_path, name, n);
	if (name[0] == '@') {
		sa->sun_path[0] = '\0';
		*sa_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	} else {
		*sa_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	}
	return 0;
}

int
notify_send(const char *fmt, ...)
{
	const char *name = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	socklen_t sa_len;
	char msg[NOTIFY_MAX + 1];
	va_list ap;
	ssize_t n;
	int len, fd, saved;

	if (name == NULL || name[0] == '\0')
		return 0;
	if (notify_addr(name, &sa, &sa_len) != 0)
		return -1;
	va_start(ap, fmt);
	len = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (len < 0 || len > NOTIFY_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	n = sendto(fd, msg, (size_t)len, MSG_NOSIGNAL, (struct sockaddr *)&sa, sa_len);
	saved = errno;
	close(fd);
	if (n != len) {
		errno = n < 0 ? saved : EMSGSIZE;
		return -1;
	}
	return 0;
}

int
notify_reloading(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return notify_send("RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)now.tv_sec * 1000000ULL + (unsigned long long)now.tv_nsec / 1000);
}
