/* SPDX-License-Identifier: Apache-2.0 */
/* notify.h: tell the service manager how the daemon is doing, in systemd's sd_notify protocol
 * (sd_notify(3)), spoken here without libsystemd: one datagram of "KEY=value" lines to the
 * AF_UNIX socket named by $NOTIFY_SOCKET.  controld and datad run as Type=notify units
 * (deploy/systemd/): READY=1 once they serve, RELOADING=1 / READY=1 around a SIGHUP reload,
 * STOPPING=1 on the way out, STATUS= for "systemctl status".  Outside systemd (a shell, the
 * test lab) $NOTIFY_SOCKET is unset and every call is a no-op. */
#ifndef GW_NOTIFY_H
#define GW_NOTIFY_H

/* Send the printf-formatted message (at most NOTIFY_MAX bytes, lines separated by '\n', e.g.
 * "READY=1\nSTATUS=serving") as one datagram to $NOTIFY_SOCKET: a file system path ("/run/
 * systemd/notify") or, when it starts with '@', an abstract socket name.  0 when sent or when
 * $NOTIFY_SOCKET is unset or empty; -1 with errno otherwise (EAFNOSUPPORT for a name that is
 * neither, ENAMETOOLONG for one that does not fit a socket address, EMSGSIZE for a longer
 * message, or what socket(2) / sendto(2) said).  The service manager learns nothing it needs
 * from a failure but a late readiness, so callers may ignore it. */
int	notify_send(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "RELOADING=1" with the MONOTONIC_USEC= that systemd 253 and later want beside it (for
 * Type=notify-reload; 252 ignores it); READY=1 must follow once the reload is done or refused. */
int	notify_reloading(void);

enum { NOTIFY_MAX = 1024 };

#endif
