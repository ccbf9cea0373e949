#!/usr/bin/env python3
"""Hostile HTTP clients against the httpd image: hostile-http.py HOST PORT.

Each attack sends what an attacker would and checks what a correct server answers (RFC 9112,
RFC 9110). The guest runs with max_connections=8 header_timeout=3000 body_timeout=3000
idle_timeout=5000 send_timeout=5000 (milliseconds). Prints one line per attack; exits 1 if
any failed. Between attacks it checks /health still answers.
"""
import socket
import sys
import time

HOST, PORT = sys.argv[1], int(sys.argv[2])
failures = []


def connect(timeout=30):
    s = socket.create_connection((HOST, PORT), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_all(s, limit=1 << 26):
    """Everything until the server closes (or the timeout)."""
    data = b""
    try:
        while len(data) < limit:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        pass
    return data


def responses(data):
    """(status, headers, body) for each response in data, framed by Content-Length."""
    out = []
    while b"\r\n\r\n" in data:
        head, data = data.split(b"\r\n\r\n", 1)
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ")[1])
        fields = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            fields[name.strip().lower()] = value.strip()
        length = int(fields.get(b"content-length", b"0")) if status >= 200 else 0
        out.append((status, fields, data[:length]))
        data = data[length:]
    return out


def exchange(raw, timeout=30):
    s = connect(timeout)
    s.sendall(raw)
    data = read_all(s)
    s.close()
    return responses(data)


def status_of(raw, timeout=30):
    got = exchange(raw, timeout)
    return got[0][0] if got else None


def check(name, condition, detail=""):
    print(("ok   " if condition else "FAIL ") + name + ("" if condition else "  " + str(detail)), flush=True)
    if not condition:
        failures.append(name)


def healthy():
    got = exchange(b"GET /health HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", timeout=30)
    return bool(got) and got[0][0] == 200 and got[0][2] == b"ok\n"


def expect_status(name, raw, status):
    got = status_of(raw)
    check(name, got == status, f"got {got}, want {status}")


H = b"Host: h\r\nConnection: close\r\n"

# Numbers the client chooses: every one overflow- and sign-checked.
expect_status("Content-Length 2^64", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 18446744073709551616\r\n\r\n", 413)
expect_status("Content-Length -1", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: -1\r\n\r\n", 400)
expect_status("two different Content-Lengths", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400)
expect_status("Content-Length with Transfer-Encoding", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400)
expect_status("Transfer-Encoding: gzip", b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: gzip, chunked\r\n\r\n", 501)
expect_status("chunk size overflow", b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\nffffffffffffffffffffffffffff\r\n", 413)
expect_status("/bytes/ huge", b"GET /bytes/99999999999999999999999 HTTP/1.1\r\n" + H + b"\r\n", 404)
expect_status("/bytes/ negative", b"GET /bytes/-5 HTTP/1.1\r\n" + H + b"\r\n", 404)
expect_status("missing Host", b"GET / HTTP/1.1\r\n\r\n", 400)
expect_status("NUL in a field", b"GET / HTTP/1.1\r\n" + H + b"X: a\x00b\r\n\r\n", 400)
expect_status("obsolete line folding", b"GET / HTTP/1.1\r\n" + H + b"X: a\r\n b\r\n\r\n", 400)
expect_status("bare LF", b"GET / HTTP/1.1\nHost: h\n\n", 400)
expect_status("unknown method", b"BREW / HTTP/1.1\r\n" + H + b"\r\n", 501)
expect_status("wrong method", b"DELETE /health HTTP/1.1\r\n" + H + b"\r\n", 405)
expect_status("HTTP/2.0 on HTTP/1 framing", b"GET / HTTP/2.0\r\n" + H + b"\r\n", 505)
expect_status("binary garbage", bytes(range(256)) * 4, 400)

# Sizes: the header and the target are bounded before they are buffered whole.
expect_status("100 KiB request target", b"GET /" + b"a" * 100_000 + b" HTTP/1.1\r\n" + H + b"\r\n", 414)
expect_status("20,000 header fields", b"GET / HTTP/1.1\r\n" + H + b"X: y\r\n" * 20_000 + b"\r\n", 431)
body = bytes(i % 251 for i in range(1 << 20))
got = exchange(b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: %d\r\n\r\n" % len(body) + body, timeout=120)
check("a 1 MiB body echoed whole", bool(got) and got[0][0] == 200 and got[0][2] == body, got[0][:2] if got else None)
expect_status("a body past the limit", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: %d\r\n\r\n" % ((1 << 20) + 1), 413)

# Framing: a body is a body, HEAD has none, pipelined requests are answered in order.
s = connect()
smuggled = b"GET /shutdown HTTP/1.1\r\nHost: h\r\n\r\n"
s.sendall(b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: %d\r\n\r\n" % len(smuggled))
time.sleep(0.2)
s.sendall(smuggled)
got = responses(read_all(s))
s.close()
check("a body in its own segment is not a request", len(got) == 1 and got[0][2] == smuggled, got)
got = exchange(b"HEAD / HTTP/1.1\r\n" + H + b"\r\n")
check("HEAD has Content-Length and no body", len(got) == 1 and got[0][1].get(b"content-length") == b"162" and got[0][2] == b"", got)
s = connect()
s.sendall(b"".join(b"GET /bytes/%d HTTP/1.1\r\nHost: h\r\n\r\n" % n for n in range(50)) + b"GET /health HTTP/1.1\r\n" + H + b"\r\n")
got = responses(read_all(s))
s.close()
check("50 pipelined requests answered in order", [len(r[2]) for r in got[:50]] == list(range(50)) and len(got) == 51, len(got))
s = connect()
s.sendall(b"POST /echo HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\nConnection: close\r\n\r\n")
first = s.recv(100)
s.sendall(b"data")
got = responses(first + read_all(s))
s.close()
check("Expect: 100-continue", [r[0] for r in got] == [100, 200] and got[1][2] == b"data", got)

# Half-closed peers.
s = connect(timeout=20)
s.sendall(b"GET / HT")
s.shutdown(socket.SHUT_WR)
started = time.time()
rest = read_all(s)
s.close()
check("half-closed with a partial request: closed, nothing answered", rest == b"" and time.time() - started < 15, rest)
s = connect(timeout=20)
s.sendall(b"GET /health HTTP/1.1\r\nHost: h\r\n\r\n")
s.shutdown(socket.SHUT_WR)
got = responses(read_all(s))
s.close()
check("half-closed after a whole request: answered, then closed", len(got) == 1 and got[0][0] == 200, got)

# Deadlines and the connection limit (8 in this guest). The connects are paced: QEMU's user
# network listens for forwarded connections with a backlog of 1, and one that overflows it
# reaches the guest only after the host's one-second retransmission, after the next request.
loris = []
for _ in range(8):
    c = connect(timeout=20)
    c.sendall(b"GET / HTTP/1.1\r\nHost: h\r\nX-")
    loris.append(c)
    time.sleep(0.02)
time.sleep(0.5)
got = exchange(b"GET /health HTTP/1.1\r\n" + H + b"\r\n", timeout=20)
check("at the limit with no idle connection: 503, not a hang", bool(got) and got[0][0] == 503, got)
for _ in range(3):
    time.sleep(0.8)
    for c in loris:
        try:
            c.sendall(b"a")
        except OSError:
            pass
timed_out = 0
for c in loris:
    got = responses(read_all(c))
    timed_out += bool(got) and got[0][0] == 408
    c.close()
check("slowloris connections get 408 at the header deadline", timed_out == 8, timed_out)
check("and then the server answers again", healthy())
idle = [connect(timeout=20) for _ in range(30)]
time.sleep(0.5)
check("30 idle connections over a limit of 8: the newest is served", healthy())
for c in idle:
    c.close()

# A reader that never reads: the window stays zero; the server resets it after send_timeout.
# The small receive buffer keeps the window shut while we sleep; afterwards it is widened so
# that draining what QEMU's user network buffered takes seconds, not minutes.
s = connect(timeout=30)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.sendall(b"GET /bytes/100000000 HTTP/1.1\r\nHost: h\r\n\r\n")
time.sleep(8)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
received, ended = 0, False
try:
    while True:
        chunk = s.recv(1 << 20)
        if not chunk:
            ended = True
            break
        received += len(chunk)
except ConnectionResetError:
    ended = True
except socket.timeout:
    pass
s.close()
check("a peer that stops reading is cut off after the send timeout",
      ended and received < 100000000, "ended=%s received=%d" % (ended, received))

check("/health answers after every attack", healthy())
print("hostile-http: %d failed" % len(failures), flush=True)
sys.exit(1 if failures else 0)
