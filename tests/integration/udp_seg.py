#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# tests/integration/udp_seg.py: UDP super-packets for tests/integration/uso_send.sh.
#
#   udp_seg.py send SRC DST PORT SENDS SEGS SIZE LAST
#	SENDS sends, each one sendmsg() of SEGS datagrams with UDP_SEGMENT (setsockopt SOL_UDP,
#	gso_size SIZE): SEGS - 1 datagrams of SIZE bytes and a last of LAST bytes, from SRC
#	(bound, so the route and the tunnel's ACL see it) to DST:PORT.  Prints "sent N".
#   udp_seg.py recv ADDR PORT WANT SECONDS
#	Receives until WANT datagrams or SECONDS of quiet, checks each one, prints
#	"got N good G bad B dup D" and exits 0 only if every datagram of WANT came, once, right.
#
# Each datagram carries its number (send * SEGS + segment, 4 bytes), its own length (2 bytes),
# then bytes (number + i) & 0xff: a datagram cut at the wrong place, with another's payload or
# the wrong length is "bad".  The sender fails (exit 2) where the kernel refuses UDP_SEGMENT.
import socket
import struct
import sys
import time

SOL_UDP = 17
UDP_SEGMENT = 103


def payload(n, length):
	head = struct.pack("!IH", n, length)
	body = bytes((n + i) & 0xff for i in range(length - len(head)))
	return head + body


def send(src, dst, port, sends, segs, size, last):
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
	s.bind((src, 0))
	try:
		s.setsockopt(SOL_UDP, UDP_SEGMENT, size)
	except OSError as e:
		print("UDP_SEGMENT refused: %s" % e)
		sys.exit(2)
	n = 0
	for k in range(sends):
		buf = b"".join(payload(k * segs + j, size if j < segs - 1 else last)
			       for j in range(segs))
		s.sendto(buf, (dst, port))
		n += segs
		time.sleep(0.01)	# the far host's socket, not the tunnel, is the narrow part
	print("sent %d" % n)


def recv(addr, port, want, seconds):
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	# root: beyond net.core.rmem_max, so a late reader on a busy machine loses nothing
	s.setsockopt(socket.SOL_SOCKET, getattr(socket, "SO_RCVBUFFORCE", 33), 4 << 20)
	s.bind((addr, port))
	s.settimeout(seconds)
	seen = set()
	got = bad = dup = 0
	while len(seen) < want:
		try:
			d = s.recv(65536)
		except socket.timeout:
			break
		got += 1
		if len(d) < 6:
			bad += 1
			continue
		n, length = struct.unpack("!IH", d[:6])
		if len(d) != length or d != payload(n, length) or n >= want:
			bad += 1
		elif n in seen:
			dup += 1
		else:
			seen.add(n)
	print("got %d good %d bad %d dup %d" % (got, len(seen), bad, dup), flush=True)
	sys.exit(0 if len(seen) == want and bad == 0 and dup == 0 else 1)


if __name__ == "__main__":
	a = sys.argv[1:]
	if len(a) == 8 and a[0] == "send":
		send(a[1], a[2], int(a[3]), int(a[4]), int(a[5]), int(a[6]), int(a[7]))
	elif len(a) == 5 and a[0] == "recv":
		recv(a[1], int(a[2]), int(a[3]), float(a[4]))
	else:
		sys.exit(__doc__ if __doc__ else "usage: udp_seg.py send|recv ...")
