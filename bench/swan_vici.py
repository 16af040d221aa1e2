#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# bench/swan_vici.py: for bench/ike.sh, the moment charon has brought N child SAs up, read
# from charon itself: a vici client (strongSwan's control protocol, its README "vici") that
# registers for child-updown events and prints time.monotonic() (CLOCK_MONOTONIC, the clock
# bench/ike.sh times with) when the N-th "up" arrives.  No polling: nothing here takes CPU
# from the charons being measured while they work.
#
#   swan_updown.py SOCKET N TIMEOUT
# prints "ready" once registered (start the tunnels after that), then "up T" with T the
# monotonic time of the N-th child SA up, or "timeout K" with K the children up after TIMEOUT
# seconds (exit 1).
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


def up_yes(msg):
    """Whether a child-updown message has the top-level key up = yes."""
    i, depth = 0, 0
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
            if depth == 0 and k == b"up" and v == b"yes":
                return True
        elif t == 5:
            i += 2 + struct.unpack(">H", msg[i:i + 2])[0]
        else:
            return False
    return False


def main():
    path, n, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
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
        if up_yes(p[2 + p[1]:]):
            up += 1
    print("up %.6f" % time.monotonic(), flush=True)


if __name__ == "__main__":
    main()
