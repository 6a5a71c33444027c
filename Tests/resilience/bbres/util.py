"""Small helpers: free ports, logging with elapsed time, JSON over HTTP with timeouts."""

import http.client
import json
import socket
import sys
import time

STARTED = time.monotonic()


def log(message):
    print(f"[{time.monotonic() - STARTED:6.1f}s] {message}", flush=True)
    sys.stdout.flush()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port, timeout=0.3):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout):
            return True
    except OSError:
        return False


def request(port, method, path, body=None, headers=None, timeout=10.0):
    """One HTTP exchange with 127.0.0.1:port. Returns (status, headers dict, body bytes); raises OSError and
    http.client.HTTPException on transport failures."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = None
        hdrs = dict(headers or {})
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        conn.request(method, path, body=data, headers=hdrs)
        resp = conn.getresponse()
        payload = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, payload
    finally:
        conn.close()


def get_json(port, path, headers=None, timeout=10.0):
    status, _, payload = request(port, "GET", path, headers=headers, timeout=timeout)
    if status != 200:
        raise RuntimeError(f"GET {path} answered {status}: {payload[:300]!r}")
    return json.loads(payload)


def post_json(port, path, body, headers=None, timeout=10.0):
    status, _, payload = request(port, "POST", path, body=body, headers=headers, timeout=timeout)
    if status >= 300:
        raise RuntimeError(f"POST {path} answered {status}: {payload[:300]!r}")
    return json.loads(payload) if payload else None


def wait_until(predicate, timeout, interval=0.2):
    """Calls predicate until it returns a truthy value or `timeout` seconds pass; returns the last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)
