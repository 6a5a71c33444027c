"""Steady intake load: distinct offered slots, paced submissions, retries with the same Idempotency-Key."""

import json
import queue
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

from .util import log, request

# The intake sources of the suite's configuration: the personal link with 15-minute meetings (many distinct slots),
# and the round-robin link (three reps, so a slot can be booked more than once: a double booking is not refused).
SOURCES = {
    "res": {"slug": "jane-doe/intro-30", "timezone": "Europe/London", "minutes": 15},
    "rr": {"slug": "sales/discovery", "timezone": "America/New_York", "minutes": 30},
}


def offered_slots(sandbox_port, rng, source="res"):
    """Distinct, non-overlapping starts the sandbox offers for the source's link and duration, at least a day ahead
    (so minimum notice and the month boundary never move them while the suite runs), shuffled."""
    link = SOURCES[source]
    duration_ms = link["minutes"] * 60_000
    starts = set()
    for offset in range(3):
        path = (f"/scheduler/2026-03/meetings/meeting-links/book/availability-page/{quote(link['slug'], safe='')}"
                f"?timezone={quote(link['timezone'], safe='')}&monthOffset={offset}")
        status, _, body = request(sandbox_port, "GET", path, headers={"Authorization": "Bearer sandbox-token"})
        if status != 200:
            raise RuntimeError(f"sandbox availability answered {status}: {body[:200]!r}")
        by_duration = json.loads(body)["linkAvailability"]["linkAvailabilityByDuration"]
        for slot in by_duration.get(str(duration_ms), {}).get("availabilities", []):
            starts.add(slot["startMillisUtc"])
    now_ms = time.time() * 1000
    usable = sorted(s for s in starts if s > now_ms + 86_400_000)
    kept = []
    for start in usable:
        if not kept or start - kept[-1] >= duration_ms:
            kept.append(start)
    usable = kept
    rng.shuffle(usable)
    return usable


def saturday_start():
    """A start the link never offers (Saturday 10:00 UTC, next week): the intent must fail with a reason."""
    day = datetime.now(timezone.utc) + timedelta(days=7)
    day += timedelta(days=(5 - day.weekday()) % 7)
    return int(day.replace(hour=10, minute=0, second=0, microsecond=0).timestamp() * 1000)


def iso(ms):
    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Load:
    """Submits intents at `rate` per second for `seconds` through whichever bridges `ports()` names, from a few
    threads. A submission that gets no answer, a 429 or a 5xx is sent again (same Idempotency-Key, another bridge)
    until it is accepted or `give_up` seconds pass. One in 25 asks for a slot the link does not offer, one in 50 fills
    the honeypot."""

    def __init__(self, prefix, ports, rate, seconds, slots, rng, give_up=45.0, threads=6, source="res",
                 latencies=None):
        self.prefix = prefix
        self.latencies = latencies  # when a list: (monotonic end, seconds, status) of every answered request
        self.source = source
        self.minutes = SOURCES[source]["minutes"]
        self.ports = ports
        self.rate = rate
        self.seconds = seconds
        self.rng = rng
        self.give_up = give_up
        self.lock = threading.Lock()
        self.accepted = {}  # idempotency key -> {id, email, startMillis, kind}
        self.rejected = []  # (key, status, body)
        self.abandoned = []  # keys never accepted
        self.resent = 0
        self.queue = queue.Queue()
        total = min(int(rate * seconds), len(slots))
        if total < int(rate * seconds):
            log(f"warning: only {len(slots)} free slots; sending {total} intents")
        saturday = saturday_start()
        self.plan = []
        for i in range(total):
            kind = "invalid" if i % 25 == 7 else "spam" if i % 50 == 13 else "valid"
            self.plan.append({
                "key": str(uuid.uuid4()), "email": f"{prefix}-{i:05d}@resilience.bookingbridge.dev",
                "startMillis": saturday if kind == "invalid" else slots[i], "kind": kind, "n": i})
        self.threads = [threading.Thread(target=self._worker, daemon=True) for _ in range(threads)]
        self.pacer = threading.Thread(target=self._pace, daemon=True)
        self.done = threading.Event()

    def start(self):
        for t in self.threads:
            t.start()
        self.pacer.start()

    def _pace(self):
        t0 = time.monotonic()
        for item in self.plan:
            due = t0 + item["n"] / self.rate
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self.queue.put(item)
        for _ in self.threads:
            self.queue.put(None)

    def _worker(self):
        while True:
            item = self.queue.get()
            if item is None:
                return
            self._submit(item)

    def _submit(self, item):
        body = {"email": item["email"], "firstName": "Res", "lastName": f"Intent {item['n']}",
                "startTime": iso(item["startMillis"]), "durationMinutes": self.minutes}
        if item["kind"] == "spam":
            body["website"] = "http://spam.invalid"
        headers = {"Idempotency-Key": item["key"], "Content-Type": "application/json", "Accept": "application/json"}
        deadline = time.monotonic() + self.give_up
        tries = 0
        while time.monotonic() < deadline:
            ports = self.ports()
            if not ports:
                time.sleep(0.2)
                continue
            port = self.rng.choice(ports)
            tries += 1
            if tries > 1:
                with self.lock:
                    self.resent += 1
            t0 = time.monotonic()
            try:
                status, _, payload = request(port, "POST", f"/v1/intake/{self.source}", body=json.dumps(body).encode(),
                                             headers=headers, timeout=10)
                if self.latencies is not None:
                    end = time.monotonic()
                    self.latencies.append((end, end - t0, status))
            except Exception:
                time.sleep(0.2)
                continue
            if status in (200, 202):
                answer = json.loads(payload)
                with self.lock:
                    self.accepted[item["key"]] = dict(item, id=answer["id"].lower())
                return
            if status == 429 or status >= 500:
                time.sleep(0.3)
                continue
            with self.lock:
                self.rejected.append((item["key"], status, payload[:300]))
            return
        with self.lock:
            self.abandoned.append(item["key"])

    def wait(self, timeout):
        """Waits for every submission to be accepted or abandoned."""
        deadline = time.monotonic() + timeout
        for t in self.threads:
            t.join(max(0.1, deadline - time.monotonic()))
        return not any(t.is_alive() for t in self.threads)
