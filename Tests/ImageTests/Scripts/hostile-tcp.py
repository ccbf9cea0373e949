#!/usr/bin/env python3
"""Hostile TCP/IP peers against the httpd image over a tap device: hostile-tcp.py.

Run inside the network namespace that holds tap0 (10.1.0.1/24); the guest is 10.1.0.2 and
serves HTTP on port 80 with send_timeout=5000. The attacker speaks raw Ethernet with scapy as
10.1.0.77 (a MAC of its own, answering ARP itself, so the namespace's kernel never sees or
resets its connections). Real requests from the namespace's kernel check that the guest
still serves after each attack. Prints one line per check; exits 1 if any failed.
"""
import random
import socket
import sys
import threading
import time

from scapy.all import (ARP, ICMP, IP, TCP, UDP, AsyncSniffer, Ether, IPOption_RR, Raw, conf, fragment, sendp)

conf.verb = 0
IFACE, GUEST, ME, MYMAC = "tap0", "10.1.0.2", "10.1.0.77", "02:de:ad:00:00:77"
random.seed(1234)
failures = []
received = []
lock = threading.RLock()
guest_mac = None


def check(name, condition, detail=""):
    print(("ok   " if condition else "FAIL ") + name + ("" if condition else "  " + str(detail)), flush=True)
    if not condition:
        failures.append(name)


def on_packet(packet):
    global guest_mac
    if ARP in packet and packet[ARP].op == 1 and packet[ARP].pdst == ME:
        sendp(Ether(dst=packet[ARP].hwsrc, src=MYMAC) / ARP(op=2, hwsrc=MYMAC, psrc=ME, hwdst=packet[ARP].hwsrc, pdst=packet[ARP].psrc), iface=IFACE)
    if ARP in packet and packet[ARP].op == 2 and packet[ARP].psrc == GUEST:
        guest_mac = packet[ARP].hwsrc
    if IP in packet and packet[IP].src == GUEST and packet[IP].dst == ME:
        with lock:
            received.append(packet)


sniffer = AsyncSniffer(iface=IFACE, prn=on_packet, store=False)
sniffer.start()
time.sleep(1)


def send(frames):
    sendp(frames, iface=IFACE)


def l2(ip_packet, src_mac=MYMAC):
    return Ether(dst=guest_mac, src=src_mac) / ip_packet


def wait_for(predicate, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        with lock:
            for packet in received:
                if predicate(packet):
                    return packet
        time.sleep(0.05)
    return None


def tcp_from(port):
    return lambda p: TCP in p and p[TCP].dport == port


def http(path, timeout=20):
    """A real request from the namespace's kernel; the response body, or None."""
    try:
        s = socket.create_connection((GUEST, 80), timeout=timeout)
        s.sendall(b"GET %s HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n" % path.encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        s.close()
        return data.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in data else None
    except OSError:
        return None


def healthy():
    return http("/health") == b"ok\n"


class Connection:
    """A TCP connection the attacker drives by hand."""

    def __init__(self, sport=None, mss=1460, window=65535, options=None):
        self.sport = sport or random.randint(20000, 60000)
        self.seq = random.randint(0, 2**31)
        self.window = window
        syn = TCP(sport=self.sport, dport=80, flags="S", seq=self.seq, window=window,
                  options=options if options is not None else [("MSS", mss)])
        send(l2(IP(src=ME, dst=GUEST) / syn))
        synack = wait_for(lambda p: tcp_from(self.sport)(p) and p[TCP].flags & 0x12 == 0x12)
        self.established = synack is not None
        if not self.established:
            return
        self.seq += 1
        self.ack = synack[TCP].seq + 1
        self.segment("A")

    def segment(self, flags, data=b"", seq=None, window=None):
        packet = IP(src=ME, dst=GUEST) / TCP(sport=self.sport, dport=80, flags=flags, seq=self.seq if seq is None else seq,
                                            ack=self.ack, window=self.window if window is None else window)
        if data:
            packet = packet / Raw(load=data)
        send(l2(packet))
        if seq is None:
            self.seq += len(data)

    def packets(self):
        with lock:
            return [p for p in received if tcp_from(self.sport)(p)]

    def payload(self):
        """The in-order bytes the guest sent on this connection (first copy of each byte)."""
        chunks = {}
        for p in self.packets():
            if Raw in p[TCP]:
                chunks.setdefault(p[TCP].seq, bytes(p[TCP][Raw].load))
        out = b""
        next_seq = self.ack
        progressed = True
        while progressed:
            progressed = False
            for seq, data in chunks.items():
                offset = (next_seq - seq) % 2**32
                if offset < len(data):
                    out += data[offset:]
                    next_seq = (next_seq + len(data) - offset) % 2**32
                    progressed = True
        return out

    def read_response(self, timeout=15, acknowledge=True):
        """Acknowledges what arrives until a whole response (by Content-Length) is in."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            data = self.payload()
            if acknowledge:
                self.ack_to = (self.ack + len(data)) % 2**32
                send(l2(IP(src=ME, dst=GUEST) / TCP(sport=self.sport, dport=80, flags="A", seq=self.seq, ack=self.ack_to, window=self.window)))
            if b"\r\n\r\n" in data:
                head, body = data.split(b"\r\n\r\n", 1)
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:") and len(body) >= int(line.split(b":")[1]):
                        return head, body[:int(line.split(b":")[1])]
            time.sleep(0.2)
        return None

    def reset(self):
        self.segment("R")


# Find the guest.
send(Ether(dst="ff:ff:ff:ff:ff:ff", src=MYMAC) / ARP(op=1, hwsrc=MYMAC, psrc=ME, pdst=GUEST))
deadline = time.time() + 10
while guest_mac is None and time.time() < deadline:
    time.sleep(0.1)
check("the guest answers ARP", guest_mac is not None)
if guest_mac is None:
    sys.exit(1)

# SYN floods with random ports, from our address and from spoofed ones nobody answers for.
floods = [l2(IP(src=ME, dst=GUEST) / TCP(sport=random.randint(1024, 65535), dport=80, flags="S", seq=random.randint(0, 2**32 - 1))) for _ in range(3000)]
floods += [l2(IP(src="10.1.0.%d" % random.randint(100, 250), dst=GUEST) / TCP(sport=random.randint(1024, 65535), dport=80, flags="S")) for _ in range(500)]
send(floods)
started = time.time()
ok = healthy()
check("a real client is served right after a SYN flood", ok and time.time() - started < 10, time.time() - started)

# RFC 5961: resets and SYNs into a live connection that do not match exactly.
c = Connection()
check("a handshake by hand", c.established)
if c.established:
    before = len(c.packets())
    c.segment("R", seq=c.seq + 1000)
    challenge = wait_for(lambda p: tcp_from(c.sport)(p) and p[TCP].flags & 0x10 and p[TCP].ack == c.seq and len(c.packets()) > before, timeout=5)
    check("an in-window RST that is not exact gets a challenge ACK", challenge is not None)
    c.segment("R", seq=c.seq + 3_000_000)
    c.segment("S", seq=c.seq + 10)
    c.segment("PA", b"GET /health HTTP/1.1\r\nHost: h\r\n\r\n")
    got = c.read_response()
    check("the connection survives wrong RSTs and SYNs", got is not None and got[1] == b"ok\n", got)
    c.reset()

# A zero window held forever: the server probes, then gives up (send_timeout).
c = Connection(window=65535)
if c.established:
    c.segment("PA", b"GET /bytes/1000000 HTTP/1.1\r\nHost: h\r\n\r\n", window=0)
    reset = wait_for(lambda p: tcp_from(c.sport)(p) and p[TCP].flags & 0x04, timeout=30)
    check("a zero window held forever ends in a reset", reset is not None)

# MSS 0 and 1, and malformed options: served, or ignored, never a trap.
for mss in (0, 1):
    c = Connection(mss=mss)
    if c.established:
        c.segment("PA", b"GET /bytes/3000 HTTP/1.1\r\nHost: h\r\n\r\n")
        got = c.read_response(timeout=30)
        sizes = [len(p[TCP][Raw].load) for p in c.packets() if Raw in p[TCP]]
        check("MSS %d: the response arrives in small segments" % mss, got is not None and len(got[1]) == 3000 and max(sizes) <= 64, (got and len(got[1]), sizes[:5]))
        c.reset()
    else:
        check("MSS %d: handshake" % mss, False)
bad_options = [b"\x02\x00\x05\xb4", b"\x02\x01\x05\xb4", b"\x08\xff\x00\x00", b"\x02\x04", b"\xfe\x02\x01\x01", b"\x00" * 4, b"\x01\x01\x01\x02\x00\x05\xb4\x00"]
for index, raw in enumerate(bad_options):
    raw = raw + b"\x00" * (-len(raw) % 4)
    send(l2(IP(src=ME, dst=GUEST) / TCP(sport=30000 + index, dport=80, flags="S", seq=5, dataofs=5 + len(raw) // 4) / Raw(load=raw)))
# A data offset past the segment's end, and one below 5.
send(l2(IP(src=ME, dst=GUEST) / TCP(sport=30100, dport=80, flags="S", dataofs=15)))
send(l2(IP(src=ME, dst=GUEST) / TCP(sport=30101, dport=80, flags="S", dataofs=2)))
check("malformed TCP options and offsets leave the server serving", healthy())

# Overlapping segments carrying different data: each byte is taken from its first copy in order.
c = Connection()
if c.established:
    c.segment("PA", b"POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 20\r\n\r\n")
    base = c.seq
    c.segment("PA", b"C" * 15, seq=base + 5)   # out of order first
    c.segment("PA", b"D" * 10, seq=base)       # then the start, overlapping it
    c.seq = base + 20
    got = c.read_response()
    check("overlapping segments with different data", got is not None and got[1] == b"D" * 10 + b"C" * 10, got and got[1])
    c.reset()

# A FIN storm: in and out of the window, repeated.
c = Connection()
if c.established:
    storm = [l2(IP(src=ME, dst=GUEST) / TCP(sport=c.sport, dport=80, flags="FA", seq=(c.seq + random.randint(-5000, 5000)) % 2**32, ack=c.ack)) for _ in range(300)]
    storm += [l2(IP(src=ME, dst=GUEST) / TCP(sport=c.sport, dport=80, flags="FA", seq=c.seq, ack=c.ack))] * 100
    send(storm)
    check("a FIN storm leaves the server serving", healthy())

# IP: fragments, options, TTL 0; bad checksums.
echo = IP(src=ME, dst=GUEST, id=777) / ICMP(id=9, seq=1) / Raw(load=b"x" * 3000)
send([l2(f) for f in fragment(echo, fragsize=1000)])
send([l2(f) for f in fragment(IP(src=ME, dst=GUEST) / UDP(sport=999, dport=7) / Raw(load=b"y" * 4000), fragsize=1200)])
send(l2(IP(src=ME, dst=GUEST, options=[IPOption_RR()]) / ICMP(id=10, seq=1)))
send(l2(IP(src=ME, dst=GUEST, ttl=0) / ICMP(id=11, seq=1)))
send(l2(IP(src=ME, dst=GUEST, chksum=0x1234) / ICMP(id=12, seq=1)))
send(l2(IP(src=ME, dst=GUEST) / TCP(sport=30200, dport=80, flags="S", chksum=0x4321)))
check("fragments are dropped, not answered", wait_for(lambda p: ICMP in p and p[ICMP].id == 9, timeout=3) is None)
check("a ping with IP options is answered", wait_for(lambda p: ICMP in p and p[ICMP].id == 10, timeout=5) is not None)

# UDP: a length past the datagram, an empty one, a full-size one.
send(l2(IP(src=ME, dst=GUEST) / UDP(sport=1001, dport=7, len=900) / Raw(load=b"short")))
send(l2(IP(src=ME, dst=GUEST) / UDP(sport=1002, dport=7)))
send(l2(IP(src=ME, dst=GUEST) / UDP(sport=1003, dport=7) / Raw(load=b"z" * 1472)))
check("a full-size UDP datagram is echoed", wait_for(lambda p: UDP in p and p[UDP].dport == 1003 and len(p[UDP].payload) == 1472, timeout=5) is not None)
check("a UDP length past the datagram is not echoed", wait_for(lambda p: UDP in p and p[UDP].dport == 1001, timeout=2) is None)

# ARP from 3,000 random addresses, and an ICMP flood.
arps = [Ether(dst="ff:ff:ff:ff:ff:ff", src="02:%02x:%02x:%02x:%02x:%02x" % tuple(random.randint(0, 255) for _ in range(5))) /
        ARP(op=1, hwsrc="02:00:00:00:00:01", psrc="10.1.%d.%d" % (random.randint(0, 255), random.randint(1, 254)), pdst=GUEST) for _ in range(3000)]
send(arps)
send([l2(IP(src=ME, dst=GUEST) / ICMP(id=20, seq=n) / Raw(load=b"p" * 56)) for n in range(2000)])
time.sleep(2)
with lock:
    replies = sum(1 for p in received if ICMP in p and p[ICMP].id == 20)
check("an ICMP flood is answered (%d of 2000)" % replies, replies > 0)

check("the server answers after every attack", healthy())
sniffer.stop()
print("hostile-tcp: %d failed" % len(failures), flush=True)
sys.exit(1 if failures else 0)
