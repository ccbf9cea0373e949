#!/usr/bin/env python3
"""Issue 13's figures against the httpd image over a tap device: tcp-figures.py.

usage: tcp-figures.py GUEST_ADDRESS [--orphans N] [--resets N] [--flood N] [--orphan-wait S]

Run as root inside the network namespace that holds the tap (scapy sends the spoofed SYNs).
Prints, one `figure: value` per line:
- the slowest of 30 parallel 100 KB downloads (three rounds);
- how long a real client is refused after a flood of spoofed SYNs (sources on the link that
  never answer, as in a SYN flood);
- the guest's heap before, with N orphaned connections (the server closed, the client never
  sends its FIN), and --orphan-wait seconds later (past the guest's fin_timeout);
- how long after N connections are reset at once the server answers again.
The guest's heap and connection counts come from httpd's /stats page.
"""
import random
import resource
import socket
import struct
import sys
import threading
import time

GUEST = sys.argv[1]
PORT = 80


def option(name, default):
    return type(default)(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


ORPHANS, RESETS, FLOOD, ORPHAN_WAIT = option("--orphans", 1000), option("--resets", 1000), option("--flood", 200), option("--orphan-wait", 65.0)
_, hard_limit = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard_limit, hard_limit))


def request(path, timeout=10):
    sock = socket.create_connection((GUEST, PORT), timeout=timeout)
    sock.sendall(("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % path).encode())
    received = b""
    while True:
        data = sock.recv(65536)
        if not data:
            break
        received += data
    sock.close()
    return received


def stats():
    body = request("/stats", timeout=30).partition(b"\r\n\r\n")[2].decode()
    figures = {}
    for line in body.splitlines():
        name, _, value = line.partition("=")
        figures[name] = int(value) if value.isdigit() else value
    return figures


def figure(name, value):
    print("%s: %s" % (name, value), flush=True)


def parallel_downloads():
    slowest = 0.0
    for _ in range(3):
        times = [0.0] * 30
        barrier = threading.Barrier(30)

        def one(index):
            barrier.wait()
            start = time.time()
            try:
                if len(request("/bytes/100000", timeout=180)) < 100000:
                    times[index] = float("inf")
                    return
            except OSError:
                times[index] = float("inf")
                return
            times[index] = time.time() - start
        threads = [threading.Thread(target=one, args=(i,)) for i in range(30)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        slowest = max(slowest, max(times))
        time.sleep(3)   # TIME-WAIT
    figure("slowest of 30 parallel 100 KB downloads (3 rounds)", "%.2f s" % slowest)


def syn_flood():
    from scapy.all import IP, TCP, conf, send
    conf.verb = 0
    random.seed(13)
    spoofed = [IP(src="10.1.0.%d" % random.randint(100, 250), dst=GUEST) /
               TCP(sport=random.randint(1024, 65535), dport=PORT, flags="S", seq=random.getrandbits(32))
               for _ in range(FLOOD)]
    send(spoofed)
    flooded = time.time()
    while time.time() - flooded < 180:
        try:
            sock = socket.create_connection((GUEST, PORT), timeout=0.5)
            sock.close()
            break
        except OSError:
            time.sleep(0.1)
    figure("refused after %d spoofed SYNs" % FLOOD, "%.2f s" % (time.time() - flooded))


def orphans():
    before = stats()
    held = []
    started = time.time()
    for index in range(ORPHANS):
        try:
            sock = socket.create_connection((GUEST, PORT), timeout=10)
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            sock.settimeout(10)
            while sock.recv(65536):
                pass   # until the server's FIN; this side never closes
            held.append(sock)
        except OSError:
            pass
    with_orphans = stats()
    made = time.time() - started
    time.sleep(ORPHAN_WAIT)
    later = stats()
    figure("orphaned connections held by the client", len(held))
    figure("time to make them", "%.1f s" % made)
    figure("heap before", "%d B" % before.get("heap_bytes", -1))
    figure("heap with %d orphans" % len(held), "%d B (%d TCP connections)" % (with_orphans.get("heap_bytes", -1), with_orphans.get("tcp_connections", -1)))
    figure("heap %d s later" % ORPHAN_WAIT, "%d B (%d TCP connections)" % (later.get("heap_bytes", -1), later.get("tcp_connections", -1)))
    figure("TCP states then", later.get("tcp_states", "?"))
    for sock in held:
        sock.close()


def resets():
    held = []
    for _ in range(RESETS):
        try:
            sock = socket.create_connection((GUEST, PORT), timeout=5)
            held.append(sock)
        except OSError:
            pass
    time.sleep(1)
    for sock in held:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    start = time.time()
    for sock in held:
        sock.close()
    while time.time() - start < 300:
        try:
            if request("/health", timeout=2).endswith(b"ok\n"):
                break
        except OSError:
            pass
    figure("answered again after %d connections reset at once" % len(held), "%.2f s" % (time.time() - start))


if __name__ == "__main__":
    parts = [part for part in ("parallel", "flood", "orphans", "resets") if "--only" not in sys.argv or part in sys.argv]
    if "parallel" in parts:
        parallel_downloads()
    if "flood" in parts:
        syn_flood()
    if "resets" in parts:
        resets()
    if "orphans" in parts:
        orphans()
