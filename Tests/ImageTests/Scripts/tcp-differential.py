#!/usr/bin/env python3
"""One script of client behaviour against two servers: tcp-differential.py.

usage: tcp-differential.py GUEST_HOST:PORT LINUX_HOST:PORT [--pause SECONDS]

Runs the same behaviours against the httpd image and against reference-httpd.py on Linux's
TCP, both at once, and compares what the client observes: status codes, the bytes received
(their count and SHA-256), their order, how each connection ended (fin, reset, refused,
timeout), and the time to completion within a factor (the guest runs under an emulator, so
it may take up to FACTOR times Linux's time plus SLACK seconds; the stalls this catches are
tens of seconds). Prints one line per behaviour and target, then "tcp-differential: N
differences"; exits 1 if there are any.
"""
import hashlib
import socket
import struct
import sys
import threading
import time

FACTOR, SLACK = 10.0, 3.0
SLOWEST = {}   # the slowest of the thirty parallel downloads, per target
PAUSE = 60.0
if "--pause" in sys.argv:
    PAUSE = float(sys.argv[sys.argv.index("--pause") + 1])


def endpoint(text):
    host, port = text.rsplit(":", 1)
    return host, int(port)


def connect(target, timeout=30, receive_buffer=None):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if receive_buffer:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.settimeout(timeout)
    sock.connect(target)
    return sock


class Reader:
    """Reads HTTP/1.1 responses (Content-Length framing) from a socket, and how it ended."""

    def __init__(self, sock):
        self.sock, self.buffer = sock, b""

    def fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError
        self.buffer += data

    def response(self):
        while b"\r\n\r\n" not in self.buffer:
            self.fill()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        digest, count = hashlib.sha256(), 0
        while count < length:
            if not self.buffer:
                self.fill()
            piece = self.buffer[:length - count]
            self.buffer = self.buffer[len(piece):]
            digest.update(piece)
            count += len(piece)
        return status, count, digest.hexdigest()[:16]

    def ending(self, timeout=30):
        """How the connection ends after the last response: fin, reset or timeout."""
        self.sock.settimeout(timeout)
        try:
            while True:
                if not self.sock.recv(65536):
                    return "fin"
        except ConnectionResetError:
            return "reset"
        except socket.timeout:
            return "timeout"


def get(path, close=True):
    return ("GET %s HTTP/1.1\r\nHost: test\r\n%s\r\n" % (path, "Connection: close\r\n" if close else "")).encode()


# The behaviours: each returns what the client observed (compared exactly).

def page_twice_on_one_connection(target):
    sock = connect(target)
    reader = Reader(sock)
    sock.sendall(get("/", close=False))
    first = reader.response()
    sock.sendall(get("/"))
    second = reader.response()
    return [first, second, reader.ending()]


def pipelined_requests(target):
    sock = connect(target)
    reader = Reader(sock)
    sock.sendall(get("/health", close=False) + get("/bytes/1000", close=False) + get("/"))
    return [reader.response(), reader.response(), reader.response(), reader.ending()]


def one_mebibyte(target):
    sock = connect(target)
    reader = Reader(sock)
    sock.sendall(get("/bytes/1048576"))
    return [reader.response(), reader.ending()]


def pause_reading_then_resume(target):
    """Stop reading a 4 MiB response for PAUSE seconds (the window closes), then read on."""
    sock = connect(target, timeout=PAUSE + 60, receive_buffer=16384)
    reader = Reader(sock)
    sock.sendall(get("/bytes/4194304"))
    while len(reader.buffer) < 100_000:
        reader.fill()
    time.sleep(PAUSE)
    resumed = time.time()
    response = reader.response()
    return [response, reader.ending(), "resumed in under 10 s" if time.time() - resumed < 10 else "slow after resuming"]


def half_close_after_request(target):
    sock = connect(target)
    reader = Reader(sock)
    sock.sendall(get("/bytes/200000"))
    sock.shutdown(socket.SHUT_WR)
    return [reader.response(), reader.ending()]


def half_close_mid_request(target):
    sock = connect(target)
    reader = Reader(sock)
    sock.sendall(b"GET / HTTP/1.1\r\nHost: test\r\n")
    sock.shutdown(socket.SHUT_WR)
    try:
        reader.fill()
        return ["answered", reader.buffer[:12]]
    except EOFError:
        return ["no answer", "fin"]
    except ConnectionResetError:
        return ["no answer", "reset"]


def reset_mid_response_then_served(target):
    sock = connect(target)
    reader = Reader(sock)
    sock.sendall(get("/bytes/20000000"))
    while len(reader.buffer) < 100_000:
        reader.fill()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()   # a reset
    next_one = connect(target)
    next_reader = Reader(next_one)
    next_one.sendall(get("/health"))
    return [next_reader.response(), next_reader.ending()]


def upload_and_echo(target):
    body = bytes((i * 7) & 0xFF for i in range(256 * 1024))
    sock = connect(target)
    reader = Reader(sock)
    sock.sendall(b"POST /echo HTTP/1.1\r\nHost: test\r\nConnection: close\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    status, count, digest = reader.response()
    return [(status, count, digest == hashlib.sha256(body).hexdigest()[:16]), reader.ending()]


def slow_reader(target):
    sock = connect(target, receive_buffer=8192)
    sock.sendall(get("/bytes/262144"))
    received = b""
    while True:
        data = sock.recv(4096)
        if not data:
            break
        received += data
        time.sleep(0.01)
    head, _, body = received.partition(b"\r\n\r\n")
    return [head.split(b" ")[1].decode(), len(body), hashlib.sha256(body).hexdigest()[:16]]


def thirty_parallel_downloads(target):
    results = [None] * 30
    times = [0.0] * 30
    barrier = threading.Barrier(30)

    def one(index):
        barrier.wait()
        start = time.time()
        try:
            sock = connect(target, timeout=120)
            reader = Reader(sock)
            sock.sendall(get("/bytes/100000"))
            results[index] = (reader.response(), reader.ending())
        except Exception as error:   # the outcome is compared, not raised
            results[index] = ("failed", type(error).__name__)
        times[index] = time.time() - start
    threads = [threading.Thread(target=one, args=(i,)) for i in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    SLOWEST[target] = max(times)
    return sorted(set(str(result) for result in results))


def refused_port(target):
    try:
        connect((target[0], target[1] + 1), timeout=10)
        return ["connected"]
    except ConnectionRefusedError:
        return ["refused"]
    except socket.timeout:
        return ["timeout"]


BEHAVIOURS = [page_twice_on_one_connection, pipelined_requests, one_mebibyte, pause_reading_then_resume,
              half_close_after_request, half_close_mid_request, reset_mid_response_then_served, upload_and_echo,
              slow_reader, thirty_parallel_downloads, refused_port]


def run(target, behaviour, into):
    start = time.time()
    try:
        outcome = behaviour(target)
    except Exception as error:
        outcome = ["raised %s: %s" % (type(error).__name__, error)]
    into[behaviour.__name__] = (outcome, time.time() - start)


def main():
    guest, linux = endpoint(sys.argv[1]), endpoint(sys.argv[2])
    observed = {"guest": {}, "linux": {}}
    # The long behaviour (the pause) runs beside the others, on both targets at once.
    background = []
    for name, target in (("guest", guest), ("linux", linux)):
        thread = threading.Thread(target=run, args=(target, pause_reading_then_resume, observed[name]))
        thread.start()
        background.append(thread)
    for behaviour in BEHAVIOURS:
        if behaviour is pause_reading_then_resume:
            continue
        for name, target in (("guest", guest), ("linux", linux)):
            run(target, behaviour, observed[name])
    for thread in background:
        thread.join()
    differences = 0
    for behaviour in BEHAVIOURS:
        name = behaviour.__name__
        (mine, my_time), (theirs, their_time) = observed["guest"][name], observed["linux"][name]
        same = mine == theirs
        in_time = my_time <= FACTOR * their_time + SLACK + (PAUSE if behaviour is pause_reading_then_resume else 0)
        verdict = "same" if same and in_time else ("DIFFERENT" if not same else "TOO SLOW")
        if verdict != "same":
            differences += 1
        print("%-34s %-9s guest %6.2f s  linux %6.2f s  %s" % (name, verdict, my_time, their_time, str(mine)[:90]), flush=True)
        if not same:
            print("%-34s %-9s linux says %s" % ("", "", theirs), flush=True)
    print("slowest of 30 parallel 100 KB downloads: guest %.2f s, linux %.2f s" % (SLOWEST.get(guest, -1), SLOWEST.get(linux, -1)), flush=True)
    print("tcp-differential: %d differences" % differences, flush=True)
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
