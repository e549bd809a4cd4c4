#!/usr/bin/env python3
"""faultserver.py - a static file server on 127.0.0.1 that misbehaves on cue.

    faultserver.py PORT ROOT RULES.json LOG

Serves ROOT over HTTP/1.1 (GET, with "Range: bytes=N-" answered 206).
RULES.json is a list of rules; a request whose path contains a rule's
"match" gets the rule's fault while the rule has tries left ("times",
default 1; -1 for always), then is served normally:

    drop       send "after" bytes of the body, then close the connection
    long       claim "extra" more bytes in Content-Length than are sent
    short      claim and send "less" bytes fewer than the file has
    status     answer with HTTP "code" (403, 404, 429, 500, ...)
    loop       redirect to the same path, for ever
    wrongbyte  flip the byte at "offset" of the body
    stall      send "after" bytes, then send nothing for "secs" seconds
    together   hold the answer until "n" requests with this rule have
               come (so that many were open at once), at most "secs"
               (default 10), then answer 504: transfers that overlap

Each request appends "PATH START STATUS BYTES" to LOG (START: the range
start, BYTES: body bytes sent), so tests can count what was sent twice.
"""
import http.server
import json
import os
import sys
import threading
import time

PORT, ROOT, RULES, LOG = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
with open(RULES) as fp:
    rules = json.load(fp)
lock = threading.Lock()
together = threading.Condition()
arrived = {}


def take_rule(path):
    with lock:
        for r in rules:
            if r["match"] in path and r.get("times", 1) != 0:
                if r.get("times", 1) > 0:
                    r["times"] = r.get("times", 1) - 1
                return dict(r)
    return None


def log(path, start, status, sent):
    with lock, open(LOG, "a") as fp:
        fp.write("%s %d %d %d\n" % (path, start, status, sent))


def all_together(rule):
    """True once rule["n"] requests of this rule have come."""
    key = rule["match"]
    with together:
        arrived[key] = arrived.get(key, 0) + 1
        together.notify_all()
        return together.wait_for(lambda: arrived[key] >= rule["n"],
                                 rule.get("secs", 10))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        path = self.path.split("?")[0]
        rule = take_rule(path)
        mode = rule["mode"] if rule else None
        if mode == "together" and not all_together(rule):
            mode, rule = "status", {"code": 504}
        if mode == "status":
            code = rule["code"]
            body = b"fault\n"
            self.send_response(code)
            if code == 429:
                self.send_header("Retry-After", "0")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            log(path, 0, code, 0)
            return
        if mode == "loop":
            self.send_response(302)
            self.send_header("Location", self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()
            log(path, 0, 302, 0)
            return
        local = os.path.join(ROOT, path.lstrip("/"))
        if ".." in path.split("/") or not os.path.isfile(local):
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            log(path, 0, 404, 0)
            return
        with open(local, "rb") as fp:
            data = fp.read()
        start = 0
        rng = self.headers.get("Range")
        if rng and rng.startswith("bytes=") and rng.endswith("-"):
            start = int(rng[6:-1])
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", "bytes */%d" % len(data))
                self.send_header("Content-Length", "0")
                self.end_headers()
                log(path, start, 416, 0)
                return
        body = bytearray(data[start:])
        status = 206 if start else 200
        claimed = len(body)
        if mode == "wrongbyte":
            off = rule.get("offset", 0) - start
            if 0 <= off < len(body):
                body[off] ^= 0xFF
        if mode == "long":
            claimed += rule.get("extra", 100)
        if mode == "short":
            body = body[:max(0, len(body) - rule.get("less", 100))]
            claimed = len(body)
        self.send_response(status)
        self.send_header("Content-Length", str(claimed))
        if start:
            self.send_header("Content-Range", "bytes %d-%d/%d" %
                             (start, len(data) - 1, len(data)))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        sent = 0
        try:
            if mode in ("drop", "stall"):
                n = min(rule.get("after", 1000), len(body))
                self.wfile.write(body[:n])
                self.wfile.flush()
                sent = n
                if mode == "stall":
                    # Logged now: the client gives up long before this
                    # request ends.
                    log(path, start, status, sent)
                    sent = -1
                    time.sleep(rule.get("secs", 30))
                self.close_connection = True
                return
            self.wfile.write(body)
            sent = len(body)
            if mode == "long":
                self.close_connection = True
        except OSError:
            pass
        finally:
            if sent >= 0:
                log(path, start, status, sent)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


Server(("127.0.0.1", PORT), Handler).serve_forever()
