"""The audit every scenario ends with: no loss, no double booking, every event at every matching subscriber, no
stuck row. Reads the bridge's tables with psql, the sandbox's own record of bookings and the receiver's log."""

import time
from collections import Counter, defaultdict
from urllib.parse import urlparse

from .util import log

FINAL = {"booked", "offline", "failed", "needs_review", "spam"}
EVENT_OF = {"booked": "booking.confirmed", "offline": "booking.offline", "failed": "booking.failed",
            "needs_review": "booking.needs_review"}
STUCK_GRACE_S = 10


def matches(pattern, etype):
    """The subscription rule of WebhookEventType.matches: exact, "*", or "prefix.*"."""
    return pattern == "*" or pattern == etype or (pattern.endswith(".*") and etype.startswith(pattern[:-1]))


def wait_for_quiet(cluster, db, timeout, check_crashes):
    """Waits until no intent and no delivery has work left, or `timeout` seconds pass. Returns the seconds waited."""
    t0 = time.monotonic()
    last_report = 0.0
    while True:
        check_crashes()
        try:
            row = cluster.rows(db, """
                SELECT (SELECT count(*) FROM intents WHERE status IN ('received', 'retrying')) AS intents,
                       (SELECT count(*) FROM deliveries WHERE status IN ('pending', 'retrying')) AS deliveries""")[0]
        except RuntimeError as e:
            row = {"intents": -1, "deliveries": -1, "error": str(e)}
        waited = time.monotonic() - t0
        if row["intents"] == 0 and row["deliveries"] == 0:
            return waited
        if waited >= timeout:
            log(f"gave up waiting after {waited:.0f}s: {row}")
            return waited
        if waited - last_report >= 5:
            last_report = waited
            log(f"  waiting for the queue to empty: {row['intents']} intents, {row['deliveries']} deliveries left")
        time.sleep(0.5)


def audit(cluster, db, sandbox, receiver, load, bridges, bookings=None):
    """Returns (figures, problems, notes): counts to print, what fails the scenario, what is only worth reading.
    `bookings` replaces the sandbox's record when a run reset the sandbox on the way (the soak): each then carries
    the `round` it was made in, and a slot counts twice only within one round."""
    problems, notes, groups = [], [], {}

    def grouped(kind, example):
        groups.setdefault(kind, []).append(example)
    intents = cluster.rows(db, """
        SELECT id::text, status, email, attempts, uncertain, locked_by, last_error,
               COALESCE(locked_until < now() - interval '%d seconds', true)
                 AND next_attempt_at < now() - interval '%d seconds' AS stuck
        FROM intents""" % (STUCK_GRACE_S, STUCK_GRACE_S))
    by_id = {r["id"]: r for r in intents}
    by_email = {r["email"]: r for r in intents}
    booking_rows = {r["intent_id"] for r in cluster.rows(db, "SELECT intent_id::text FROM bookings")}
    events = cluster.rows(db, "SELECT id, type, intent_id::text FROM events")
    subs = cluster.rows(db, "SELECT id::text, url, event_types, enabled FROM subscriptions")
    deliveries = cluster.rows(db, "SELECT event_id, subscription_id::text, status, attempts FROM deliveries")
    stuck_deliveries = cluster.rows(db, """
        SELECT d.id FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
        WHERE d.status IN ('pending', 'retrying') AND s.enabled
          AND COALESCE(d.locked_until < now() - interval '%d seconds', true)
          AND d.next_attempt_at < now() - interval '%d seconds'""" % (STUCK_GRACE_S, STUCK_GRACE_S))
    attempt_counts = {(r["stage"], r["outcome"]): r["n"] for r in cluster.rows(
        db, "SELECT stage, outcome, count(*) AS n FROM attempts GROUP BY 1, 2")}
    bookings = sandbox.bookings() if bookings is None else bookings
    records, refused = receiver.snapshot()
    planned = {item["email"]: item for item in load.plan}

    # 1. Every accepted intent is in the database and final; so is every other intent (a 202 lost in transit).
    accepted = load.accepted
    missing = [a for a in accepted.values() if a["id"] not in by_id]
    if missing:
        problems.append(f"LOSS: {len(missing)} accepted intents are not in the database, e.g. {missing[0]['id']}")
    not_final = [r for r in intents if r["status"] not in FINAL]
    if not_final:
        problems.append(f"{len(not_final)} intents have no final status, e.g. {not_final[0]['id']} "
                        f"({not_final[0]['status']}, attempts {not_final[0]['attempts']})")
    stuck = [r for r in intents if r["status"] in ("received", "retrying") and r["stuck"]]
    if stuck:
        problems.append(f"STUCK: {len(stuck)} intents due for over {STUCK_GRACE_S}s with an expired or no lease, "
                        f"e.g. {stuck[0]['id']}")
    if stuck_deliveries:
        problems.append(f"STUCK: {len(stuck_deliveries)} deliveries due for over {STUCK_GRACE_S}s with an expired "
                        f"or no lease")
    unacknowledged = len(intents) - len([a for a in accepted.values() if a["id"] in by_id])

    # 2. The sandbox's record: no slot booked twice, no intent booked twice, every booking explained.
    per_slot = Counter((b.get("round"), b["slug"], b["startMillis"]) for b in bookings)
    per_email = Counter(b["email"].lower() for b in bookings)
    double_slots = {k: n for k, n in per_slot.items() if n > 1}
    double_emails = {k: n for k, n in per_email.items() if n > 1}
    duplicates = max(sum(n - 1 for n in double_slots.values()), sum(n - 1 for n in double_emails.values()))
    if double_slots:
        problems.append(f"DOUBLE BOOKING: {len(double_slots)} slots booked more than once: "
                        f"{list(double_slots.items())[:3]}")
    if double_emails:
        problems.append(f"DOUBLE BOOKING: {len(double_emails)} intents booked more than once: "
                        f"{list(double_emails.items())[:3]}")
    sandbox_by_email = defaultdict(list)
    for b in bookings:
        sandbox_by_email[b["email"].lower()].append(b)
    review_with, review_without = 0, 0
    for b in bookings:
        intent = by_email.get(b["email"].lower())
        if intent is None:
            grouped("sandbox bookings that match no intent", f"{b['email']} at {b['startMillis']}")
        elif intent["status"] not in ("booked", "offline", "needs_review"):
            grouped("LOSS: booked in the sandbox but the intent says otherwise",
                    f"{intent['id']} is {intent['status']}: {(intent['last_error'] or {}).get('message', '')[:160]}")
    for r in intents:
        made = sandbox_by_email.get(r["email"], [])
        plan = planned.get(r["email"])
        if r["status"] in ("booked", "offline"):
            if len(made) != 1:
                grouped(f"DOUBLE BOOKING or LOSS: {r['status']} intents without exactly one sandbox booking",
                        f"{r['id']} has {len(made)}")
            elif plan and made[0]["startMillis"] != plan["startMillis"]:
                grouped("intents booked at another time than asked",
                        f"{r['id']} at {made[0]['startMillis']}, asked {plan['startMillis']}")
            if r["id"] not in booking_rows:
                grouped("booked intents without a bookings row", r["id"])
        elif r["status"] == "needs_review":
            if made:
                review_with += 1
            else:
                review_without += 1
        # What each kind of submission must end as.
        kind = plan["kind"] if plan else None
        if kind == "spam" and r["status"] != "spam":
            grouped("honeypot intents not ended spam", f"{r['id']} is {r['status']}")
        elif kind == "invalid" and r["status"] in FINAL and (
                r["status"] != "failed" or (r["last_error"] or {}).get("subCategory") != "MEETING_START_TIME_NOT_VALID"):
            grouped("intents for a slot the link does not offer not failed with MEETING_START_TIME_NOT_VALID",
                    f"{r['id']} is {r['status']} ({(r['last_error'] or {}).get('subCategory')})")
        elif kind == "valid" and r["status"] in ("failed", "spam"):
            grouped("intents for an offered, free slot that ended failed",
                    f"{r['id']}: {(r['last_error'] or {}).get('message', '')[:200]}")
    if review_without:
        notes.append(f"{review_without} needs_review intents have no sandbox booking (false alarms for an operator)")

    # 3. Events: one per finished intent, of the right type; each reached every matching subscriber.
    events_by_intent = defaultdict(list)
    for e in events:
        events_by_intent[e["intent_id"]].append(e)
    for r in intents:
        want = EVENT_OF.get(r["status"])
        got = events_by_intent.get(r["id"], [])
        if want and not any(e["type"] == want for e in got):
            grouped("LOSS: finished intents without their event", f"{r['id']} is {r['status']}, no {want}")
        if len(got) > 1:
            grouped("intents with more than one event", f"{r['id']}: {[e['type'] for e in got]}")
    path_of = {s["id"]: urlparse(s["url"]).path for s in subs}
    seen = Counter((path, wid) for path, wid, _, _ in records)
    bad_signatures = sum(1 for *_, ok in records if not ok)
    if bad_signatures:
        problems.append(f"{bad_signatures} deliveries carried no valid signature")
    expected = [(path_of[s["id"]], e["id"]) for e in events for s in subs if any(
        matches(p, e["type"]) for p in s["event_types"])]
    undelivered = [pair for pair in expected if seen[pair] == 0]
    if undelivered:
        problems.append(f"LOSS: {len(undelivered)} (event, subscriber) pairs never reached the subscriber, e.g. "
                        f"{undelivered[0]}")
    db_pairs = {(path_of[d["subscription_id"]], d["event_id"]) for d in deliveries}
    if set(expected) - db_pairs:
        problems.append(f"{len(set(expected) - db_pairs)} (event, subscriber) pairs have no outbox row")
    failed_deliveries = [d for d in deliveries if d["status"] == "failed"]
    if failed_deliveries:
        problems.append(f"{len(failed_deliveries)} deliveries ended failed (retries exhausted)")
    unexpected = [pair for pair in seen if pair not in set(expected)]
    if unexpected:
        notes.append(f"{len(unexpected)} webhook-ids arrived that match no expected (event, subscriber) pair")

    for kind, examples in groups.items():
        more = f" and {len(examples) - 3} more" if len(examples) > 3 else ""
        problems.append(f"{kind}: {len(examples)}, e.g. {'; '.join(examples[:3])}{more}")

    statuses = Counter(r["status"] for r in intents)
    figures = {
        "accepted": len(accepted),
        "unacknowledged": unacknowledged,
        "abandoned": len(load.abandoned),
        "booked": statuses["booked"],
        "offline": statuses["offline"],
        "failed": statuses["failed"],
        "needs_review": statuses["needs_review"],
        "needs_review_with_booking": review_with,
        "spam": statuses["spam"],
        "not_final": len(not_final),
        "sandbox_bookings": len(bookings),
        "duplicates": duplicates,
        "events": len(events),
        "deliveries": len(expected) - len(undelivered),
        "redeliveries": sum(n - 1 for n in seen.values() if n > 1),
        "refused_503": sum(refused.values()),
        "reconciles": sum(n for (stage, _), n in attempt_counts.items() if stage == "reconcile"),
        "uncertain_calls": sum(n for (_, outcome), n in attempt_counts.items() if outcome == "uncertain"),
        "stuck": len(stuck) + len(stuck_deliveries),
        "intake_resends": load.resent,
    }
    if load.rejected:
        problems.append(f"intake refused {len(load.rejected)} valid submissions, e.g. {load.rejected[0]}")
    if load.abandoned:
        notes.append(f"{len(load.abandoned)} submissions were never accepted within the client's patience")
    crashes = [(b.name, pid, code) for b in bridges for pid, code in b.deaths]
    if crashes:
        problems.append(f"CRASH: bridge processes exited by themselves: {crashes}")
    owners = Counter((r["locked_by"] or "-").split("/")[1] if "/" in (r["locked_by"] or "") else "-"
                     for r in intents if r["status"] in FINAL and r["status"] != "spam")
    figures["finished_by_pid"] = dict(owners)
    return figures, problems, notes
