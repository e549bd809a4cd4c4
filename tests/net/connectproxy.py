#!/usr/bin/env python3
"""connectproxy.py - an HTTPS proxy on 127.0.0.1, as a site's would be.

    connectproxy.py PORT LOG

Answers "CONNECT HOST:PORT" by opening that connection and relaying
bytes both ways untouched (the TLS is between the client and the
server: the proxy sees none of it).  Each request appends its request
line to LOG before anything else happens, so a test can tell whether
the proxy was used at all.  Anything but CONNECT is answered 405.
"""
import socket
import sys
import threading


def relay(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve(client, log):
    head = b''
    while b'\r\n\r\n' not in head and len(head) < 16384:
        data = client.recv(4096)
        if not data:
            client.close()
            return
        head += data
    line = head.split(b'\r\n', 1)[0].decode('latin-1')
    with open(log, 'a') as f:
        f.write(line + '\n')
    parts = line.split()
    if len(parts) != 3 or parts[0] != 'CONNECT':
        client.sendall(b'HTTP/1.1 405 Method Not Allowed\r\n'
                       b'Content-Length: 0\r\nConnection: close\r\n\r\n')
        client.close()
        return
    host, _, port = parts[1].rpartition(':')
    try:
        upstream = socket.create_connection((host.strip('[]'), int(port)), 5)
        upstream.settimeout(None)
    except (OSError, ValueError):
        client.sendall(b'HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n')
        client.close()
        return
    client.sendall(b'HTTP/1.1 200 Connection established\r\n\r\n')
    rest = head.split(b'\r\n\r\n', 1)[1]
    if rest:
        upstream.sendall(rest)
    threading.Thread(target=relay, args=(upstream, client), daemon=True).start()
    relay(client, upstream)


def main():
    port, log = int(sys.argv[1]), sys.argv[2]
    open(log, 'a').close()
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(('127.0.0.1', port))
    lsock.listen(16)
    while True:
        client, _ = lsock.accept()
        threading.Thread(target=serve, args=(client, log), daemon=True).start()


if __name__ == '__main__':
    main()
