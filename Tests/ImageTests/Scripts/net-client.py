#!/usr/bin/env python3
"""The client script for Programs/netserver.c: the same steps against the server on the host
and on SwiftyHermit, printing what it received, so the two transcripts can be compared.

    net-client.py HOST TCP-PORT UDP-PORT
"""
import socket
import struct
import sys
import time

host, tcp_port, udp_port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])


def connect():
    for _ in range(100):
        try:
            return socket.create_connection((host, tcp_port), timeout=60)
        except OSError:
            time.sleep(0.2)
    raise SystemExit("cannot connect")


def line(s):
    data = b""
    while not data.endswith(b"\n"):
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.decode()


def exactly(s, count):
    data = bytearray()
    while len(data) < count:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    return bytes(data)


# 1. Echo, a large answer, a normal close.
a = connect()
a.sendall(b"echo hello there\n")
print("echo:", line(a).strip())
a.sendall(b"big 1000000\n")
big = exactly(a, 1000000)
pattern = bytes(ord("a") + i % 26 for i in range(26))
print("big: %d bytes, %s" % (len(big), "pattern ok" if big == (pattern * (1000000 // 26 + 1))[:1000000] else "WRONG"))
a.close()
time.sleep(0.5)

# 2. A client that resets the connection (SO_LINGER 0).
b = connect()
b.sendall(b"echo before the reset\n")
print("echo:", line(b).strip())
b.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
b.close()
time.sleep(0.5)

# 3. The server closes its side: the client sees the end of the stream, and can still send.
c = connect()
c.sendall(b"half\n")
print("half:", line(c).strip())
print("after half: %r" % c.recv(100))
c.sendall(b"echo nobody hears\n")
time.sleep(0.5)
c.close()
time.sleep(0.5)

# 4. The server connects to a port where nobody listens.
d = connect()
d.sendall(b"refused\n")
print("refused:", line(d).strip())
d.close()
time.sleep(0.5)

# 5. UDP echo.
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.settimeout(5)
answer = b""
for attempt in range(10):
    u.sendto(b"datagram %d" % attempt, (host, udp_port))
    try:
        answer = u.recv(2048)
        break
    except socket.timeout:
        pass
print("udp:", answer.decode().split(" ")[0])

# 6. Done.
e = connect()
e.sendall(b"quit\n")
print("quit:", line(e).strip())
e.close()
