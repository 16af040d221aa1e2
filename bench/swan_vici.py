#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# bench/swan_vici.py: for bench/ike.sh, charon driven and watched over vici (strongSwan's
# control protocol, its README "vici") from one process, so that no tool process per tunnel
# is inside a measured time, and nothing polls charon while it works.  Times are
# time.monotonic() (CLOCK_MONOTONIC, the clock bench/ike.sh times with).
#
#   swan_vici.py updown SOCKET N TIMEOUT
#	registers for child-updown events, prints "ready" (start the tunnels after that), then
#	"up T" with T the time the N-th child SA came up
#   swan_vici.py initiate SOCKET N TIMEOUT
#	initiates children t1 .. tN one after the other, each request returning when its tunnel
#	is up (or failed); prints "start T0" before the first and "up T" after the last
# Either prints "timeout K" (K tunnels up after TIMEOUT seconds) or "failed tI: WHY" and exits 1.
#
# vici on the wire: each packet is a 32-bit big-endian length and the packet; a packet is a
# type byte, for named types a name (length byte + name), then for commands, responses and
# events a message of elements: KEY_VALUE = 3, key (length byte + key), value (16-bit length
# + value); sections (1 name / 2 end) and lists (4 name / 5 item / 6 end).
import select
import socket
import struct
import sys
import time

CMD_REQUEST, CMD_RESPONSE, CMD_UNKNOWN = 0, 1, 2
EVENT_REGISTER, EVENT_CONFIRM, EVENT_UNKNOWN, EVENT = 3, 5, 6, 7


def send(s, data):
    s.sendall(struct.pack(">I", len(data)) + data)


def recv_exact(s, n, deadline):
    b = b""
    while len(b) < n:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([s], [], [], left)[0]:
            return None
        chunk = s.recv(n - len(b))
        if not chunk:
            raise SystemExit("charon closed the vici socket")
        b += chunk
    return b


def recv(s, deadline):
    h = recv_exact(s, 4, deadline)
    if h is None:
        return None
    return recv_exact(s, struct.unpack(">I", h)[0], deadline)


def top_keys(msg):
    """The top-level key = value pairs of a message (sections and lists skipped)."""
    i, depth, out = 0, 0, {}
    while i < len(msg):
        t = msg[i]
        i += 1
        if t in (1, 4):			# section / list start: a name
            i += 1 + msg[i]
            depth += 1
        elif t in (2, 6):
            depth -= 1
        elif t == 3:
            k = msg[i + 1:i + 1 + msg[i]]
            i += 1 + msg[i]
            n = struct.unpack(">H", msg[i:i + 2])[0]
            v = msg[i + 2:i + 2 + n]
            i += 2 + n
            if depth == 0:
                out[k.decode()] = v.decode(errors="replace")
        elif t == 5:
            i += 2 + struct.unpack(">H", msg[i:i + 2])[0]
        else:
            break
    return out


def kv(key, value):
    k, v = key.encode(), value.encode()
    return bytes([3, len(k)]) + k + struct.pack(">H", len(v)) + v


def updown(s, n, timeout):
    name = b"child-updown"
    send(s, bytes([EVENT_REGISTER, len(name)]) + name)
    deadline = time.monotonic() + 10
    while True:
        p = recv(s, deadline)
        if p is None:
            raise SystemExit("no answer to the event registration")
        if p[0] == EVENT_CONFIRM:
            break
        if p[0] == EVENT_UNKNOWN:
            raise SystemExit("charon does not know the child-updown event")
    print("ready", flush=True)
    up = 0
    deadline = time.monotonic() + timeout
    while up < n:
        p = recv(s, deadline)
        if p is None:
            print("timeout %d" % up, flush=True)
            sys.exit(1)
        if p[0] != EVENT or p[2:2 + p[1]] != name:
            continue
        if top_keys(p[2 + p[1]:]).get("up") == "yes":
            up += 1
    print("up %.6f" % time.monotonic(), flush=True)


def initiate(s, n, timeout):
    name = b"initiate"
    deadline = time.monotonic() + timeout
    print("start %.6f" % time.monotonic(), flush=True)
    for i in range(1, n + 1):
        left = max(1, int((deadline - time.monotonic()) * 1000))
        send(s, bytes([CMD_REQUEST, len(name)]) + name +
             kv("child", "t%d" % i) + kv("timeout", str(left)))
        while True:
            p = recv(s, deadline)
            if p is None:
                print("timeout %d" % (i - 1), flush=True)
                sys.exit(1)
            if p[0] in (CMD_RESPONSE, CMD_UNKNOWN):
                break			# (events we did not ask for are not sent)
        r = top_keys(p[1:]) if p[0] == CMD_RESPONSE else {"errmsg": "unknown command"}
        if r.get("success") != "yes":
            print("failed t%d: %s" % (i, r.get("errmsg", "?")), flush=True)
            sys.exit(1)
    print("up %.6f" % time.monotonic(), flush=True)


def main():
    mode, path, n, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    if mode == "updown":
        updown(s, n, timeout)
    elif mode == "initiate":
        initiate(s, n, timeout)
    else:
        raise SystemExit("usage: swan_vici.py updown|initiate SOCKET N TIMEOUT")


if __name__ == "__main__":
    main()
