"""The soak run (`run --soak MINUTES`): one bridge under steady mixed load for a long time, sampled every few seconds
for memory, file descriptors and database connections, with the latencies of intake and admin reads; it fails when
RSS or open file descriptors grow by more than 20 %, and ends with the usual audit."""

import os
import random
import statistics
import threading
import time
import types

from .audit import audit, wait_for_quiet
from .load import Load, offered_slots
from .procs import ADMIN_TOKEN, Bridge
from .util import log, request

# Intake rate: every valid submission is one /book call, and the sandbox (like HubSpot's Free/Starter accounts)
# allows 100 calls per 10 s; 8 a second leaves room for link information and the suggestions of invalid starts.
RATE = 8
HUBSPOT_RATE = 100
BRIDGES = 1
SAMPLE_EVERY_S = 5
ADMIN_EVERY_S = 0.5
ADMIN_PATHS = ["/v1/intents?limit=50", "/v1/deliveries?limit=50", "/metrics"]
GROWTH_LIMIT = 0.20
# Growth is measured from this minute to the last; runs shorter than STEADY_AFTER_MIN * 2 compare from the middle.
STEADY_AFTER_MIN = 5
# A round's intents must all be final before the sandbox is reset for the next round (its record is read first).
ROUND_DRAIN_S = 120
# How long the bridge caches an availability page (LinkCatalog's availabilityTTL).
AVAILABILITY_CACHE_S = 2


def p99(values):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def proc_figures(pid):
    """(RSS in KiB, open file descriptors) of a live process, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        return rss, len(os.listdir(f"/proc/{pid}/fd"))
    except (OSError, StopIteration, ValueError):
        return None


class Sampler:
    """Samples the bridges (RSS, fds), the database (connections to the soak's database) and, once a minute, the
    queue's progress, every SAMPLE_EVERY_S seconds from its own thread."""

    def __init__(self, cluster, db, bridges, t0):
        self.cluster, self.db, self.bridges, self.t0 = cluster, db, bridges, t0
        self.samples = []  # (seconds since t0, {bridge name: (rss, fds)}, db connections)
        self.progress = {}  # minute -> (booked, deliveries delivered)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self.stop.wait(SAMPLE_EVERY_S):
            at = time.monotonic() - self.t0
            procs = {b.name: proc_figures(b.pid) for b in self.bridges if b.alive()}
            try:
                conns = int(self.cluster.run_sql("postgres", f"""
                    SELECT count(*) FROM pg_stat_activity
                    WHERE datname = '{self.db}' AND pid <> pg_backend_pid()""").strip())
            except (RuntimeError, ValueError, OSError):
                conns = None
            self.samples.append((at, procs, conns))
            minute = int(at // 60) + 1
            if minute not in self.progress and at % 60 >= 60 - 2 * SAMPLE_EVERY_S:
                try:
                    row = self.cluster.rows(self.db, """
                        SELECT (SELECT count(*) FROM intents WHERE status = 'booked') AS booked,
                               (SELECT count(*) FROM deliveries WHERE status = 'delivered') AS delivered""")[0]
                    self.progress[minute] = (row["booked"], row["delivered"])
                except RuntimeError:
                    pass


class AdminReader:
    """Admin reads with the admin token, one every ADMIN_EVERY_S seconds in turn, timed."""

    def __init__(self, ports):
        self.ports = ports
        self.latencies = []  # (monotonic end, seconds, status)
        self.errors = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        i = 0
        while not self.stop.wait(ADMIN_EVERY_S):
            ports = self.ports()
            if not ports:
                continue
            path = ADMIN_PATHS[i % len(ADMIN_PATHS)]
            port = ports[i % len(ports)]
            i += 1
            t0 = time.monotonic()
            try:
                status, _, _ = request(port, "GET", path, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
                                       timeout=10)
            except Exception as e:
                self.errors.append(f"{path}: {e}")
                continue
            end = time.monotonic()
            self.latencies.append((end, end - t0, status))
            if status != 200:
                self.errors.append(f"{path}: {status}")


def minute_rows(sampler, intake, admin, t0, minutes):
    """One row per whole minute: median RSS and fds of each bridge, the most database connections seen, p99 of
    intake and admin answers, requests answered, and the queue's progress at the end of the minute."""
    rows = []
    for m in range(1, minutes + 1):
        lo, hi = (m - 1) * 60, m * 60
        samples = [s for s in sampler.samples if lo <= s[0] < hi]
        if not samples:
            continue
        per_bridge = {}
        for _, procs, _ in samples:
            for name, figures in procs.items():
                if figures:
                    per_bridge.setdefault(name, []).append(figures)
        conns = [c for _, _, c in samples if c is not None]
        in_minute = [(d, st) for end, d, st in intake if lo <= end - t0 < hi]
        admin_in = [(d, st) for end, d, st in admin if lo <= end - t0 < hi]
        rows.append({
            "minute": m,
            "rss_kib": {n: int(statistics.median(f[0] for f in v)) for n, v in per_bridge.items()},
            "fds": {n: int(statistics.median(f[1] for f in v)) for n, v in per_bridge.items()},
            "db_conns": max(conns) if conns else None,
            "intake": len(in_minute),
            "intake_p99_ms": (lambda v: v and round(v * 1000, 1))(p99([d for d, _ in in_minute])),
            "admin": len(admin_in),
            "admin_p99_ms": (lambda v: v and round(v * 1000, 1))(p99([d for d, _ in admin_in])),
            "progress": sampler.progress.get(m),
        })
    return rows


def growth(rows):
    """(problems, note): RSS or fds of a bridge up more than GROWTH_LIMIT from the steady minute to the last."""
    if len(rows) < 2:
        return [], "too few minutes to judge growth"
    last = rows[-1]
    if last["minute"] >= 2 * STEADY_AFTER_MIN:
        base_minute, how = STEADY_AFTER_MIN, f"from minute {STEADY_AFTER_MIN}"
    else:
        base_minute = max(1, last["minute"] // 2)
        how = (f"from minute {base_minute} (the middle: the run is shorter than {2 * STEADY_AFTER_MIN} minutes, so "
               f"minute {STEADY_AFTER_MIN} is no steady state)")
    base = next((r for r in rows if r["minute"] >= base_minute), rows[0])
    problems, parts = [], []
    for key, label in (("rss_kib", "RSS"), ("fds", "open fds")):
        for name, before in base[key].items():
            after = last[key].get(name)
            if after is None or not before:
                continue
            change = (after - before) / before
            parts.append(f"{name} {label} {before} -> {after} ({change:+.0%})")
            if change > GROWTH_LIMIT:
                problems.append(f"GROWTH: {name} {label} grew {change:+.0%} from minute {base['minute']} to minute "
                                f"{last['minute']} ({before} -> {after}; the limit is +{GROWTH_LIMIT:.0%})")
    return problems, f"growth {how} to minute {last['minute']}: " + "; ".join(parts)


def print_table(rows):
    print("   minute | " + " | ".join(["RSS MiB", "fds", "db conns", "intake/min", "intake p99 ms", "admin/min",
                                       "admin p99 ms", "booked", "delivered"]))
    for r in rows:
        rss = "/".join(f"{v / 1024:.1f}" for v in r["rss_kib"].values()) or "-"
        fds = "/".join(str(v) for v in r["fds"].values()) or "-"
        booked, delivered = r["progress"] or ("-", "-")
        print(f"   {r['minute']:6} | {rss:>7} | {fds:>3} | {r['db_conns']!s:>8} | {r['intake']:>10} | "
              f"{r['intake_p99_ms']!s:>13} | {r['admin']:>9} | {r['admin_p99_ms']!s:>12} | {booked!s:>6} | "
              f"{delivered!s:>9}", flush=True)


def run_soak(suite, minutes):
    """Runs the soak for `minutes`; returns (figures, problems, notes, extra) like Suite.run."""
    name, db = "soak", "res_soak"
    env = suite.prepare(name, db, suite.sandbox.port, hubspot_rate=HUBSPOT_RATE)
    bridges = [Bridge(f"{name}-b{i}", suite.binary, suite.workdir, env) for i in range(BRIDGES)]
    ports = lambda: [b.port for b in bridges if b.alive()]  # noqa: E731
    intake_latencies = []
    admin = AdminReader(ports)
    sampler = None
    loads, bookings, stats_sum = [], [], {}
    notes, problems = [], []
    try:
        bridges[0].start()
        for b in bridges[1:]:
            b.start()
        t0 = time.monotonic()
        end = t0 + minutes * 60
        sampler = Sampler(suite.cluster, db, bridges, t0)
        sampler.thread.start()
        admin.thread.start()
        log(f"  soak: {len(bridges)} bridge(s) on ports {ports()} (pids {[b.pid for b in bridges]}), database {db}, "
            f"{minutes} minutes, intake {RATE}/s, HubSpot budget {HUBSPOT_RATE} per 10 s")
        round_no = 0
        next_minute = 1
        while time.monotonic() < end - 5:
            # The sandbox offers about four weeks of slots: one round books each of them once, then (every intent
            # final, the sandbox's record kept) the sandbox is reset and the next round books them again.
            round_no += 1
            slots = offered_slots(suite.sandbox.port, suite.rng)
            seconds = min(len(slots) / RATE, end - time.monotonic())
            load = Load(f"soak-r{round_no:02d}", ports, RATE, seconds, slots, random.Random(suite.rng.random()),
                        latencies=intake_latencies)
            loads.append(load)
            log(f"  round {round_no}: {len(load.plan)} intents over {seconds:.0f}s ({len(slots)} free slots)")
            load.start()
            while any(t.is_alive() for t in load.threads):
                time.sleep(0.5)
                for b in bridges:
                    b.check_death()
                if time.monotonic() - t0 >= next_minute * 60 + 1:
                    rows = minute_rows(sampler, intake_latencies, admin.latencies, t0, next_minute)
                    if rows and rows[-1]["minute"] == next_minute:
                        r = rows[-1]
                        log(f"  minute {next_minute}: RSS {r['rss_kib']} KiB, fds {r['fds']}, db conns "
                            f"{r['db_conns']}, intake {r['intake']} (p99 {r['intake_p99_ms']} ms), admin "
                            f"{r['admin']} (p99 {r['admin_p99_ms']} ms), booked/delivered {r['progress']}")
                    next_minute += 1
            left = wait_for_quiet_intents(suite.cluster, db, ROUND_DRAIN_S)
            if left:
                problems.append(f"round {round_no}: {left} intents not final {ROUND_DRAIN_S}s after its load")
                break
            for booking in suite.sandbox.bookings():
                bookings.append(dict(booking, round=round_no))
            for key, value in suite.sandbox.stats().items():
                if isinstance(value, int):
                    stats_sum[key] = stats_sum.get(key, 0) + value
            suite.sandbox.reset()
            # The bridge keeps a link's availability for 2 s (LinkCatalog): a page read before the reset shows this
            # round's slots as taken, and the next round's first intents would fail on it.
            time.sleep(AVAILABILITY_CACHE_S + 1)
        measured = int((time.monotonic() - t0) // 60)
        admin.stop.set()
        sampler.stop.set()
        log(f"  soak load done after {time.monotonic() - t0:.0f}s; waiting for every delivery to finish")
        waited = wait_for_quiet(suite.cluster, db, suite.params["drain"], lambda: [b.check_death() for b in bridges])
        aggregate = types.SimpleNamespace(
            accepted={k: v for ld in loads for k, v in ld.accepted.items()},
            plan=[item for ld in loads for item in ld.plan],
            rejected=[r for ld in loads for r in ld.rejected],
            abandoned=[a for ld in loads for a in ld.abandoned],
            resent=sum(ld.resent for ld in loads))
        figures, audit_problems, audit_notes = audit(suite.cluster, db, suite.sandbox, suite.receiver, aggregate,
                                                     bridges, bookings=bookings)
        problems += audit_problems
        notes += audit_notes
        rows = minute_rows(sampler, intake_latencies, admin.latencies, t0, measured)
        print_table(rows)
        growth_problems, growth_note = growth(rows)
        problems += growth_problems
        notes.append(growth_note)
        if admin.errors:
            problems.append(f"{len(admin.errors)} admin reads failed, e.g. {admin.errors[:3]}")
        intake_errors = [st for _, _, st in intake_latencies if st >= 500]
        if intake_errors:
            notes.append(f"{len(intake_errors)} intake answers were 5xx (sent again)")
        all_intake = [d for _, d, _ in intake_latencies]
        all_admin = [d for _, d, _ in admin.latencies]
        extra = {"minutes": measured, "rounds": round_no, "drain_s": round(waited, 1),
                 "intake_requests": len(all_intake),
                 "intake_p99_ms": round((p99(all_intake) or 0) * 1000, 1),
                 "admin_reads": len(all_admin), "admin_p99_ms": round((p99(all_admin) or 0) * 1000, 1),
                 "hubspot_calls": stats_sum.get("total"), "hubspot_429": stats_sum.get("rateLimited")}
        for b in bridges:
            b.terminate()
        deadline = time.monotonic() + 15
        stopped = [(b.name,) + b.wait_stopped(deadline) for b in bridges]
        extra["sigterm_exit"] = [code for _, code, _ in stopped]
        for bname, code, hung in stopped:
            if hung:
                notes.append(f"SHUTDOWN HANG: {bname} did not exit within 15s of SIGTERM (not stopped: {hung}); killed")
            elif code not in (0, None):
                notes.append(f"{bname} exited {code} after SIGTERM")
        return figures, problems, notes, extra
    finally:
        admin.stop.set()
        if sampler:
            sampler.stop.set()
        for b in bridges:
            if b.alive():
                b.stop(grace=15)


def wait_for_quiet_intents(cluster, db, timeout):
    """Waits until no intent has work left; returns how many still have after `timeout` seconds (0 when none)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            left = int(cluster.run_sql(db, "SELECT count(*) FROM intents WHERE status IN ('received', 'retrying')"))
        except (RuntimeError, ValueError):
            left = -1
        if left == 0 or time.monotonic() >= deadline:
            return left
        time.sleep(0.5)
