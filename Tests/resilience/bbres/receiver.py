"""In-process HTTP servers on 127.0.0.1: the webhook receiver, and a latency proxy in front of the sandbox."""

import base64
import hashlib
import hmac
import http.client
import json
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .util import free_port


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # a caller that hung up (timeout, kill -9) is part of the test, not an error


class _Quiet(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)


def _start(handler):
    server = _Server(("127.0.0.1", free_port()), handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
    return server


class Receiver:
    """Records the webhook-id of every delivery per subscriber path and checks its Standard Webhooks signature.
    A path can be made to answer 503 for a while."""

    def __init__(self):
        self.lock = threading.Lock()
        self.secrets = {}  # path -> HMAC key bytes
        self.records = []  # (path, webhook-id, event type, signature ok)
        self.down_until = {}  # path -> monotonic deadline
        self.refused = {}  # path -> 503s answered
        receiver = self

        class Handler(_Quiet):
            def do_POST(self):
                body = self._body()
                path = self.path
                with receiver.lock:
                    key = receiver.secrets.get(path)
                    down = receiver.down_until.get(path, 0) > time.monotonic()
                    if down:
                        receiver.refused[path] = receiver.refused.get(path, 0) + 1
                if key is None:
                    return self._answer(404)
                if down:
                    return self._answer(503, b"down for maintenance", [("Content-Type", "text/plain")])
                wid = self.headers.get("webhook-id", "")
                ok = receiver.verify(key, wid, self.headers.get("webhook-timestamp", ""), body,
                                     self.headers.get("webhook-signature", ""))
                try:
                    etype = json.loads(body).get("type", "?")
                except ValueError:
                    etype = "?"
                with receiver.lock:
                    receiver.records.append((path, wid, etype, ok))
                self._answer(204)

        self.server = _start(Handler)
        self.port = self.server.server_address[1]

    @staticmethod
    def verify(key, wid, ts, body, header):
        expected = base64.b64encode(hmac.new(key, f"{wid}.{ts}.".encode() + body, hashlib.sha256).digest()).decode()
        return any(part.split(",", 1)[-1] == expected for part in header.split() if part.startswith("v1,"))

    def subscribe(self, path):
        """A new subscriber path with a fresh secret; returns (url, whsec secret)."""
        raw = random.randbytes(24)
        with self.lock:
            self.secrets[path] = raw
        return f"http://127.0.0.1:{self.port}{path}", "whsec_" + base64.b64encode(raw).decode()

    def take_down(self, path, seconds):
        with self.lock:
            self.down_until[path] = time.monotonic() + seconds

    def snapshot(self):
        with self.lock:
            return list(self.records), dict(self.refused)

    def reset(self):
        with self.lock:
            self.secrets.clear()
            self.records.clear()
            self.down_until.clear()
            self.refused.clear()

    def close(self):
        self.server.shutdown()


class LatencyProxy:
    """Forwards HubSpot calls to the sandbox; `slow_share` of the answers arrive `slow_seconds` late (after the sandbox
    processed the call). When the sandbox drops a connection without answering (drop-after-book), the proxy drops
    the bridge's connection too, without answering."""

    def __init__(self, upstream_port, slow_share=0.1, slow_seconds=2.0, hold_share=0.0, hold_seconds=0.0):
        self.upstream = upstream_port
        self.slow_share = slow_share
        self.slow_seconds = slow_seconds
        # The first /book call (POST) of `hold_share` of the e-mail addresses is held `hold_seconds` before it is
        # passed on, whether or not the caller still waits: a call HubSpot processes late, after the bridge gave up.
        self.hold_share = hold_share
        self.hold_seconds = hold_seconds
        self.seen = set()
        self.lock = threading.Lock()
        self.counts = {"requests": 0, "slowed": 0, "dropped": 0, "held": 0}
        proxy = self
        hop = {"connection", "keep-alive", "transfer-encoding", "content-length", "proxy-connection"}

        class Handler(_Quiet):
            def _forward(self):
                body = self._body()
                headers = {k: v for k, v in self.headers.items() if k.lower() not in hop | {"host"}}
                proxy._count("requests")
                if self.command == "POST" and proxy.hold_seconds > 0 and proxy._first_call(body):
                    proxy._count("held")
                    time.sleep(proxy.hold_seconds)
                conn = http.client.HTTPConnection("127.0.0.1", proxy.upstream, timeout=60)
                try:
                    conn.request(self.command, self.path, body=body or None, headers=headers)
                    resp = conn.getresponse()
                    payload = resp.read()
                    answer = [(k, v) for k, v in resp.getheaders() if k.lower() not in hop]
                except (OSError, http.client.HTTPException):
                    proxy._count("dropped")
                    self.close_connection = True
                    try:
                        self.connection.shutdown(2)
                    except OSError:
                        pass
                    return
                finally:
                    conn.close()
                if random.random() < proxy.slow_share:
                    proxy._count("slowed")
                    time.sleep(proxy.slow_seconds)
                self._answer(resp.status, payload, answer)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _forward

        self.server = _start(Handler)
        self.port = self.server.server_address[1]

    def _first_call(self, body):
        try:
            email = str(json.loads(body).get("email", "")).lower()
        except ValueError:
            return False
        with self.lock:
            first = email not in self.seen
            self.seen.add(email)
        return first and random.random() < self.hold_share

    def _count(self, key):
        with self.lock:
            self.counts[key] += 1

    def close(self):
        self.server.shutdown()
