#!/usr/bin/env python3
"""A webhook receiver that checks every delivery with the reference Standard Webhooks library.

Install the library first: pip install standardwebhooks

    python3 verify_receiver.py --port-file /tmp/port --secret old=whsec_... --secret new=whsec_...

Listens on 127.0.0.1 (a free port, written to --port-file), answers 204 to every POST, and verifies each one with
every named secret separately using standardwebhooks.Webhook.verify. GET /results returns a JSON list with, per
delivery: path, webhook-id, webhook-timestamp, the names of the secrets that verified it, and the signature count.
With --expect N it exits after N deliveries and prints a summary line "N passed, M failed" (failed = verified by no
secret), exiting 1 when any failed.
"""

import argparse
import json
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook, WebhookVerificationError


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--secret", action="append", default=[], help="NAME=whsec_...")
    parser.add_argument("--expect", type=int, default=0, help="exit after this many deliveries")
    args = parser.parse_args()
    # A parent may have left SIGTERM ignored (service runners do); stopping must still work.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)

    secrets = {}
    for item in args.secret:
        name, _, value = item.partition("=")
        secrets[name] = Webhook(value)

    results = []
    lock = threading.Lock()
    done = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_):
            pass

        def do_POST(self):
            length = int(self.headers.get("content-length", "0"))
            body = self.rfile.read(length)
            headers = {k: v for k, v in self.headers.items()}
            verified = []
            errors = {}
            for name, webhook in secrets.items():
                try:
                    payload = webhook.verify(body, headers)
                    verified.append(name)
                except WebhookVerificationError as error:
                    errors[name] = str(error)
                    payload = None
            record = {
                "path": self.path,
                "id": self.headers.get("webhook-id"),
                "timestamp": self.headers.get("webhook-timestamp"),
                "signatures": len((self.headers.get("webhook-signature") or "").split()),
                "verifiedWith": verified,
                "errors": errors,
                "type": json.loads(body).get("type") if body else None,
            }
            with lock:
                results.append(record)
                if args.expect and len(results) >= args.expect:
                    done.set()
            self.send_response(204)
            self.end_headers()

        def do_GET(self):
            with lock:
                data = json.dumps(results).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(args.port_file + ".tmp", args.port_file)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        if args.expect:
            done.wait()
        else:
            thread.join()
    except KeyboardInterrupt:
        pass
    server.shutdown()
    if args.expect:
        failed = sum(1 for r in results if not r["verifiedWith"])
        print(f"{len(results) - failed} passed, {failed} failed")
        return 1 if failed else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
