#!/usr/bin/env python3
"""Holds N idle keep-alive connections to a clawmit server (bench/server.sh).

Usage: idle_conns.py HOST PORT N HOLD_SECONDS

Opens N connections, sends one keep-alive `GET /api/health` on each and reads
its answer, prints "open N" once all are answered, then keeps them open and
silent for HOLD_SECONDS (stay under the server's 30 s idle timeout). Before
exiting it prints "still-open K": how many the server had not closed.
"""
import select
import socket
import sys
import time

REQUEST = b"GET /api/health HTTP/1.1\r\nHost: bench\r\nConnection: keep-alive\r\n\r\n"


def read_response(sock):
    """Reads one HTTP response with a Content-Length; returns its status."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("closed before the answer")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("closed in the body")
        body += chunk
    return int(head.split(b" ")[1])


def main():
    host, port, count, hold = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    socks = []
    for _ in range(count):
        s = socket.create_connection((host, port))
        s.sendall(REQUEST)
        status = read_response(s)
        if status != 200:
            sys.exit(f"GET /api/health answered {status}")
        socks.append(s)
    print(f"open {len(socks)}", flush=True)
    time.sleep(hold)
    # A socket the server closed is readable (EOF); an open idle one is not.
    poll = select.poll()
    for s in socks:
        poll.register(s, select.POLLIN)
    readable = {fd for fd, _ in poll.poll(0)}
    closed = sum(1 for s in socks if s.fileno() in readable and s.recv(1, socket.MSG_PEEK) == b"")
    print(f"still-open {len(socks) - closed}", flush=True)
    for s in socks:
        s.close()


if __name__ == "__main__":
    main()
