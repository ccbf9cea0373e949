#!/usr/bin/env python3
"""The reference server for tcp-differential.py: httpd's routes on Linux's TCP.

usage: reference-httpd.py ADDRESS PORT

Serves what Apps/httpd serves, byte for byte in its bodies: `/` (the same page), `/health`
("ok\\n"), `/bytes/<n>` (n bytes of the alphabet, streamed in 16 KiB pieces), `POST /echo`
(the request's body). HTTP/1.1 keep-alive unless the client says `Connection: close`; a
client that half-closes before its request is complete gets no answer and a FIN. One thread
per connection, plain blocking sockets: what a small Linux server does, so that what the
client observes is Linux's TCP at work.
"""
import socket
import sys
import threading

PAGE = (b"<!doctype html>\n<html><head><title>SwiftyHermit</title></head>\n"
        b"<body><h1>Hello from SwiftyHermit</h1><p>Served by a unikernel written in Swift.</p></body></html>\n")
ALPHABET = b"abcdefghijklmnopqrstuvwxyz"
CHUNK = 16384


def generated(offset, count):
    start = offset % 26
    repeated = ALPHABET * (count // 26 + 2)
    return repeated[start:start + count]


def respond(conn, status, body, close, content_type="text/plain"):
    reason = {200: "OK", 404: "Not Found", 405: "Method Not Allowed"}[status]
    head = "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: %s\r\n\r\n" % (
        status, reason, content_type, len(body) if isinstance(body, bytes) else body, "close" if close else "keep-alive")
    conn.sendall(head.encode())
    if isinstance(body, bytes):
        conn.sendall(body)
    else:
        offset = 0
        while offset < body:
            piece = min(CHUNK, body - offset)
            conn.sendall(generated(offset, piece))
            offset += piece


def serve(conn):
    buffered = b""
    try:
        while True:
            while b"\r\n\r\n" not in buffered:
                data = conn.recv(65536)
                if not data:
                    return  # end of stream, complete or not: close (a FIN)
                buffered += data
            head, buffered = buffered.split(b"\r\n\r\n", 1)
            lines = head.decode("latin-1").split("\r\n")
            method, path, version = lines[0].split(" ", 2)
            fields = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                fields[name.strip().lower()] = value.strip()
            length = int(fields.get("content-length", "0"))
            while len(buffered) < length:
                data = conn.recv(65536)
                if not data:
                    return
                buffered += data
            body, buffered = buffered[:length], buffered[length:]
            close = fields.get("connection", "").lower() == "close" or version == "HTTP/1.0"
            if path == "/echo" and method == "POST":
                respond(conn, 200, body, close, "application/octet-stream")
            elif path in ("/", "/index.html"):
                respond(conn, 200, PAGE, close, "text/html")
            elif path == "/health":
                respond(conn, 200, b"ok\n", close)
            elif path.startswith("/bytes/") and path[7:].isdigit():
                respond(conn, 200, int(path[7:]), close, "application/octet-stream")
            else:
                respond(conn, 404, b"not found\n", close)
            if close:
                return
    except (ConnectionError, OSError, ValueError):
        return
    finally:
        conn.close()


def main():
    address, port = sys.argv[1], int(sys.argv[2])
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((address, port))
    listener.listen(512)
    print("reference-httpd: listening on %s:%d" % (address, port), flush=True)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
