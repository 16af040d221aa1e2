/* SPDX-License-Identifier: Apache-2.0 */
/* notify_test.c: notify_send() (notify.c) against a datagram socket bound where systemd binds
 * its own: the exact bytes arrive, one datagram each, from our PID (what NotifyAccess=main
 * checks), at a path and at an abstract name; unset or empty $NOTIFY_SOCKET sends nothing;
 * names and messages that cannot work fail with the errno notify.h promises. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "common/notify.h"
#include "tests/lib/test.h"

/* A receiving socket at name ("/path" or "@abstract"), passing credentials like systemd's. */
static int
listener(const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(name));
	int fd, one = 1;

	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0)
		return -1;
	memcpy(sa.sun_path, name, strlen(name));
	if (name[0] == '@')
		sa.sun_path[0] = '\0';
	else
		len++;
	if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) != 0 ||
	    bind(fd, (struct sockaddr *)&sa, len) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One datagram into buf (NUL-terminated), its length, and the sender's PID; -1 if none. */
static ssize_t
take(int fd, char *buf, size_t size, pid_t *pid)
{
	union {
		struct cmsghdr	align;
		char		b[CMSG_SPACE(sizeof(struct ucred))];
	} c;
	struct iovec iov = { buf, size - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.b,
	    .msg_controllen = sizeof(c.b) };
	struct cmsghdr *cm;
	ssize_t n;

	*pid = 0;
	if ((n = recvmsg(fd, &mh, MSG_DONTWAIT)) < 0)
		return -1;
	buf[n] = '\0';
	for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_CREDENTIALS) {
			struct ucred u;

			memcpy(&u, CMSG_DATA(cm), sizeof(u));
			*pid = u.pid;
		}
	return n;
}

static void
check_one(int fd, const char *want, const char *where)
{
	char buf[2048];
	pid_t pid;
	ssize_t n = take(fd, buf, sizeof(buf), &pid);

	T_EQ(n, (long long)strlen(want), "%s: one datagram of the message's length", where);
	T_STREQ(n >= 0 ? buf : NULL, want, "%s: the bytes", where);
	T_EQ(pid, getpid(), "%s: sent by our own PID", where);
	T_EQ(take(fd, buf, sizeof(buf), &pid), -1, "%s: nothing more", where);
}

int
main(void)
{
	char dir[] = "/tmp/notify_test.XXXXXX", path[128], abstract[64], name[160];
	char big[NOTIFY_MAX + 8], buf[64];
	pid_t pid;
	int fd, afd;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/notify", dir);
	snprintf(abstract, sizeof(abstract), "@ipsecgw-notify-test-%d", (int)getpid());
	fd = listener(path);
	afd = listener(abstract);
	T_OK(fd >= 0 && afd >= 0, "bind the receiving sockets: %s", strerror(errno));

	/* no service manager: nothing sent, no error */
	unsetenv("NOTIFY_SOCKET");
	T_EQ(notify_send("READY=1"), 0, "unset: a no-op");
	setenv("NOTIFY_SOCKET", "", 1);
	T_EQ(notify_send("READY=1"), 0, "empty: a no-op");
	T_EQ(take(fd, buf, sizeof(buf), &pid), -1, "unset or empty: nothing at the path");

	/* a path, as systemd sets it (/run/systemd/notify) */
	setenv("NOTIFY_SOCKET", path, 1);
	T_EQ(notify_send("READY=1\nSTATUS=generation %u, %s", 7u, "3 workers"), 0, "path");
	check_one(fd, "READY=1\nSTATUS=generation 7, 3 workers", "path");
	T_EQ(notify_send("RELOADING=1\nMONOTONIC_USEC=%llu", 123456789ULL), 0, "reloading");
	check_one(fd, "RELOADING=1\nMONOTONIC_USEC=123456789", "path, reloading");
	{
		/* notify_reloading(): systemd 253+ matches MONOTONIC_USEC against its clock */
		struct timespec t0, t1;
		unsigned long long us = 0, lo, hi;
		char line[128];

		clock_gettime(CLOCK_MONOTONIC, &t0);
		T_EQ(notify_reloading(), 0, "notify_reloading");
		clock_gettime(CLOCK_MONOTONIC, &t1);
		lo = (unsigned long long)t0.tv_sec * 1000000 + (unsigned long long)t0.tv_nsec
		    / 1000;
		hi = (unsigned long long)t1.tv_sec * 1000000 + (unsigned long long)t1.tv_nsec
		    / 1000;
		T_OK(take(fd, line, sizeof(line), &pid) > 0 &&
		    sscanf(line, "RELOADING=1\nMONOTONIC_USEC=%llu", &us) == 1,
		    "RELOADING=1 then MONOTONIC_USEC=: %s", line);
		T_OK(us >= lo && us <= hi, "MONOTONIC_USEC=%llu within %llu..%llu", us, lo, hi);
	}

	/* an abstract name: '@' stands for the leading NUL, and no NUL ends it */
	setenv("NOTIFY_SOCKET", abstract, 1);
	T_EQ(notify_send("STOPPING=1"), 0, "abstract");
	check_one(afd, "STOPPING=1", "abstract");
	T_EQ(take(fd, buf, sizeof(buf), &pid), -1, "abstract: nothing at the path");

	/* names that are not a socket address, a message too long for one datagram */
	setenv("NOTIFY_SOCKET", "run/notify", 1);
	errno = 0;
	T_EQ(notify_send("READY=1"), -1, "relative path");
	T_EQ(errno, EAFNOSUPPORT, "relative path: errno");
	memset(name, 'x', sizeof(name) - 1);
	name[0] = '/';
	name[sizeof(name) - 1] = '\0';
	setenv("NOTIFY_SOCKET", name, 1);
	errno = 0;
	T_EQ(notify_send("READY=1"), -1, "path longer than sun_path");
	T_EQ(errno, ENAMETOOLONG, "long path: errno");
	setenv("NOTIFY_SOCKET", "@", 1);
	T_EQ(notify_send("READY=1"), -1, "abstract name with nothing after '@'");
	setenv("NOTIFY_SOCKET", path, 1);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	errno = 0;
	T_EQ(notify_send("STATUS=%s", big), -1, "message over NOTIFY_MAX");
	T_EQ(errno, EMSGSIZE, "long message: errno");
	T_EQ(take(fd, buf, sizeof(buf), &pid), -1, "nothing sent of the refused ones");

	/* nobody listening any more: the error is reported, not hidden */
	close(fd);
	unlink(path);
	errno = 0;
	T_EQ(notify_send("READY=1"), -1, "no socket at the path");
	T_OK(errno == ENOENT || errno == ECONNREFUSED, "no socket: errno %s", strerror(errno));

	close(afd);
	rmdir(dir);
	return t_done();
}
