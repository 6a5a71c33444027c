"""The scenarios. Each gets its own database, a reset sandbox, fresh subscriber paths and fresh bridges, runs
steady load while it does harm, waits for the queue to empty (with a deadline) and ends with the same audit."""

import json
import random
import os
import signal
import time
import traceback

from .audit import audit, wait_for_quiet
from .load import SOURCES, Load, offered_slots
from .pgbouncer import SERVER_POOL_SIZE, PgBouncer
from .procs import Bridge
from .receiver import LatencyProxy
from .util import log

MODES = {
    # Fits the whole suite in about 4 minutes on 2 shared cores.
    "short": {"rate": 6, "seconds": 20, "kill_every": (1.5, 4.0), "outage": 10, "drain": 90,
              "pg_restarts": [("fast", 0.0), ("immediate", 1.5), ("immediate", 4.0)]},
    "long": {"rate": 6, "seconds": 75, "kill_every": (2.0, 8.0), "outage": 40, "drain": 300,
             "pg_restarts": [("fast", 0.0), ("immediate", 1.0), ("fast", 3.0), ("immediate", 5.0), ("immediate", 0.0)]},
    # `--soak MINUTES` (bbres/soak.py): its own load; only the final drain comes from here.
    "soak": {"drain": 180},
}
# How long a bridge may take to exit after SIGTERM (its shutdownGrace is 3 s) before it is killed.
SIGTERM_WAIT_S = 15
# pipeline.shutdownGrace of every bridge in the suite.
SHUTDOWN_GRACE_S = 3
# Covers the longest subscriber outage (56 s in all), so a delivery outlives it.
RETRY_SCHEDULE = ["0s", "1s", "2s", "3s", "5s", "5s", "5s", "5s", "5s", "5s", "5s", "5s", "5s", "5s"]


class Context:
    """What a scenario body works with."""

    def __init__(self, suite, name, bridges, load, proxy, pooler=None):
        self.suite = suite
        self.pooler = pooler
        self.name = name
        self.bridges = bridges
        self.load = load
        self.proxy = proxy
        self.p = suite.params
        self.rng = suite.rng
        self.sandbox = suite.sandbox
        self.cluster = suite.cluster
        self.receiver = suite.receiver

    def check_crashes(self):
        for b in self.bridges:
            b.check_death()

    def sleep(self, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.check_crashes()
            time.sleep(min(0.2, max(0.0, end - time.monotonic())))

    def load_running(self):
        return any(t.is_alive() for t in self.load.threads)


class Suite:
    def __init__(self, binary, workdir, mode, rng, cluster, sandbox, receiver):
        self.binary = binary
        self.workdir = workdir
        self.mode = mode
        self.params = MODES[mode]
        self.rng = rng
        self.cluster = cluster
        self.sandbox = sandbox
        self.receiver = receiver
        # The sandbox's default token holds the CRM read scope; `--no-crm` runs with one that does not, so
        # reconciliation decides by availability alone (the audit before issue #25).
        self.token = "sandbox-no-crm" if os.environ.get("RES_NO_CRM") == "1" else "sandbox-token"

    def config(self, name, subscriptions, overrides=None):
        path = os.path.join(self.workdir, f"{name}.json")
        with open(path, "w") as f:
            document = {
                "sources": {name: {
                    "auth": {"mode": "public", "allowedOrigins": [], "honeypotField": "website"},
                    "slug": link["slug"], "durationMinutes": link["minutes"], "timezone": link["timezone"],
                    "rateLimitPerMinute": 1000000} for name, link in SOURCES.items()},
                "subscriptions": subscriptions,
                "intake": {"rateLimitPerClientPerMinute": 1000000},
                "webhooks": {"allowDestinations": ["127.0.0.0/8"], "timeoutSeconds": 3, "lease": "5s",
                             "pollInterval": "500ms", "retrySchedule": RETRY_SCHEDULE},
                "hubspot": {"rateLimitPer10s": 800, "requestTimeoutSeconds": 4},
                "pipeline": {"workers": 4, "lease": "5s", "pollInterval": "500ms", "baseBackoff": "200ms",
                             "maxBackoff": "2s", "maxAttempts": 25, "shutdownGrace": f"{SHUTDOWN_GRACE_S}s", "reconcileDelay": "10s"},
            }
            for section, values in (overrides or {}).items():
                document[section].update(values)
            json.dump(document, f, indent=2)
        return path

    def prepare(self, name, db, hubspot_port, overrides=None, database_url=None, hubspot_rate=800):
        """A fresh database, a reset sandbox and receiver, two subscriptions; returns the bridges' environment."""
        self.cluster.create_database(db)
        self.sandbox.reset()
        self.receiver.reset()
        subs = []
        for suffix, types in (("all", ["booking.*"]), ("confirmed", ["booking.confirmed"])):
            url, secret = self.receiver.subscribe(f"/{name}/{suffix}")
            subs.append({"url": url, "eventTypes": types, "secret": secret, "description": f"resilience {suffix}"})
        overrides = dict(overrides or {})
        overrides["hubspot"] = dict(overrides.get("hubspot", {}), rateLimitPer10s=hubspot_rate)
        return {"DATABASE_URL": database_url or self.cluster.url(db),
                "HUBSPOT_BASE_URL": f"http://127.0.0.1:{hubspot_port}", "HUBSPOT_ACCESS_TOKEN": self.token,
                "BRIDGE_CONFIG": self.config(name, subs, overrides), "BRIDGE_WEBHOOK_ALLOW": "127.0.0.0/8",
                "HUBSPOT_RATE_LIMIT_PER_10S": str(hubspot_rate), "LOG_LEVEL": os.environ.get("RES_LOG_LEVEL", "info"),
                "DATABASE_POOL_SIZE": "10"}

    def run(self, spec):
        """Runs one scenario; returns (figures, problems, notes, extra)."""
        name, body, bridges, proxy, source = spec.name, spec.body, spec.bridges, spec.proxy, spec.source
        db = f"res_{name}"
        latency = LatencyProxy(self.sandbox.port, **proxy) if proxy is not None else None
        hubspot_port = latency.port if latency else self.sandbox.port
        # Behind a transaction-mode pooler the bridges poll (no LISTEN) and the migrations run once beforehand
        # straight against PostgreSQL (they hold a session lock), as README and deploy/SCALING.md tell operators.
        pooler = PgBouncer(self.workdir, self.cluster, f"{name}-pgbouncer") if spec.pooler else None
        env = self.prepare(name, db, hubspot_port, spec.overrides, pooler.url(db) if pooler else None)
        args = ["--poll-only", "--no-migrate"] if pooler else []
        procs = [Bridge(f"{name}-b{i}", self.binary, self.workdir, env, args) for i in range(bridges)]
        ctx = None
        try:
            if pooler:
                pooler.start()
                log(f"  PgBouncer (transaction mode, {pooler.port}) in front of PostgreSQL; bridges --poll-only")
                procs[0].migrate(self.cluster.url(db))
            procs[0].start()  # applies the migrations (unless a pooler is in front: done above)
            for b in procs[1:]:
                b.start(wait=False)
            for b in procs[1:]:
                if not b.wait_ready(60):
                    raise RuntimeError(f"{b.name} did not become ready (see {b.logfile})")
            slots = offered_slots(self.sandbox.port, self.rng, source)
            load = Load(name, lambda: [b.port for b in procs if b.alive()], self.params["rate"],
                        self.params["seconds"], slots, random.Random(self.rng.random()), source=source)
            ctx = Context(self, name, procs, load, latency, pooler)
            log(f"  {len(procs)} bridges on ports {[b.port for b in procs]}, database {db}, "
                f"{len(load.plan)} intents at {self.params['rate']}/s")
            extra = body(ctx) or {}
            if not load.wait(120):
                raise RuntimeError("the load generator did not finish")
            log(f"  load done: {len(load.accepted)} accepted; waiting for every intent and delivery to finish")
            waited = wait_for_quiet(self.cluster, db, self.params["drain"], ctx.check_crashes)
            extra["drain_s"] = round(waited, 1)
            figures, problems, notes = audit(self.cluster, db, self.sandbox, self.receiver, load, procs)
            # Graceful shutdown: every bridge exits 0 within its pipeline.shutdownGrace (3 s) of SIGTERM; the
            # work is done by now, so nothing should need the grace at all. Longer is a failure.
            running = [b for b in procs if b.alive()]
            sent = time.monotonic()
            for b in running:
                b.terminate()
            deadline = sent + SIGTERM_WAIT_S
            stopped = []
            for b in running:
                code, hung = b.wait_stopped(deadline)
                stopped.append((b.name, code, hung, time.monotonic() - sent))
            extra["sigterm_exit"] = [code for _, code, _, _ in stopped]
            extra["sigterm_s"] = [round(took, 1) for _, _, _, took in stopped]
            for name, code, hung, took in stopped:
                if hung:
                    problems.append(f"SHUTDOWN HANG: {name} did not exit within {SIGTERM_WAIT_S}s of SIGTERM "
                                    f"(not stopped: {hung}); killed")
                elif took > SHUTDOWN_GRACE_S:
                    problems.append(f"{name} took {took:.1f}s to exit after SIGTERM (grace {SHUTDOWN_GRACE_S}s)")
                elif code not in (0, None):
                    notes.append(f"{name} exited {code} after SIGTERM")
            stats = self.sandbox.stats()
            extra.update({"hubspot_calls": stats.get("total"), "injected_5xx": stats.get("faulted"),
                          "dropped_after_book": stats.get("dropped"), "hubspot_429": stats.get("rateLimited")})
            if latency:
                extra.update({f"proxy_{k}": v for k, v in latency.counts.items()})
            return figures, problems, notes, extra
        except Exception as e:
            traceback.print_exc()
            return {}, [f"the scenario broke: {e}"], [], {}
        finally:
            for b in procs:
                if b.alive():
                    b.stop(grace=SIGTERM_WAIT_S)
            if latency:
                latency.close()
            if pooler:
                pooler.stop(signal.SIGKILL)


# Sandbox latency in the crash scenarios, so that a crash often finds HubSpot calls in flight.
CRASH_LATENCY_MS = 250


def kill9(ctx):
    """kill -9 of a random bridge at random moments under steady load, restarted at once each time. The sandbox
    answers in 250 ms, so a kill often lands while a booking call is in flight."""
    ctx.sandbox.faults(latencyMs=CRASH_LATENCY_MS)
    ctx.load.start()
    kills = 0
    lo, hi = ctx.p["kill_every"]
    while ctx.load_running():
        ctx.sleep(ctx.rng.uniform(lo, hi))
        if not ctx.load_running():
            break
        kills += 1
        kill_and_restart(ctx, kills)
    return {"kills": kills}


def kill_and_restart(ctx, n):
    """kill -9 of a random bridge (the n-th kill), restarted within half a second."""
    victim = ctx.rng.choice(ctx.bridges)
    victim.kill9()
    log(f"  kill -9 {victim.name} (kill {n})")
    ctx.sleep(ctx.rng.uniform(0.0, 0.5))
    victim.start()


def pg_restart(ctx):
    """PostgreSQL restarted under load: fast and immediate shutdowns (the sandbox answers in 250 ms)."""
    ctx.sandbox.faults(latencyMs=CRASH_LATENCY_MS)
    ctx.load.start()
    restarts = ctx.p["pg_restarts"]
    gap = ctx.p["seconds"] / (len(restarts) + 1)
    down = []
    for mode, seconds in restarts:
        ctx.sleep(gap * ctx.rng.uniform(0.6, 1.0))
        log(f"  PostgreSQL: stop -m {mode}, down {seconds}s, start")
        down.append(round(ctx.cluster.restart(mode, seconds), 1))
    alive = sum(b.alive() for b in ctx.bridges)
    return {"pg_restarts": len(down), "pg_down_s": down, "bridges_alive_after": alive}


def hubspot_faults(ctx):
    """The sandbox answers 30% of calls with a 5xx (the status changes every few seconds, and every other time the
    5xx is an HTML page as HubSpot's edge sends it), 10% of answers come 2 s late (the latency proxy), 5% of
    successful bookings drop the connection instead of answering, and another 5% book, then answer 502 or 524
    (afterBookStatus: the booking exists, the answer says it failed)."""
    statuses = [503, 500, 502, 504]
    after_book = [524, 502]

    def faults(i):
        return dict(failRate=0.3, failStatus=statuses[i % len(statuses)], failBody="html" if i % 2 else "json",
                    dropAfterBookRate=0.05, afterBookStatus=after_book[i % len(after_book)], afterBookRate=0.05,
                    latencyMs=0)

    ctx.sandbox.faults(**faults(0))
    ctx.load.start()
    i = 0
    while ctx.load_running():
        ctx.sleep(3)
        i += 1
        ctx.sandbox.faults(**faults(i))
    return {"faults_kept_on_while_draining": True, "fault_sets": i + 1}


def subscriber_down(ctx):
    """The booking.* subscriber answers 503 for a while, then comes back; the other stays up."""
    ctx.load.start()
    ctx.sleep(2)
    outage = ctx.p["outage"]
    log(f"  subscriber /{ctx.name}/all answers 503 for {outage}s")
    ctx.receiver.take_down(f"/{ctx.name}/all", outage)
    ctx.sleep(outage)
    log(f"  subscriber /{ctx.name}/all is back")
    return {"outage_s": outage}


def three_bridges(ctx):
    """Three bridge processes on one database; one is killed (kill -9, not restarted) half-way (the sandbox answers
    in 250 ms)."""
    ctx.sandbox.faults(latencyMs=CRASH_LATENCY_MS)
    ctx.load.start()
    ctx.sleep(ctx.p["seconds"] / 2)
    victim = ctx.bridges[1]
    victim_pid = victim.pid
    victim.kill9()
    log(f"  kill -9 {victim.name} (pid {victim_pid}); not restarted")
    return {"killed_pid": victim_pid, "pids": [b.pid for b in ctx.bridges]}


def pgbouncer(ctx):
    """The bridges reach PostgreSQL through PgBouncer in transaction mode (`--poll-only`). Under load: kill -9 of
    a random bridge every 1.5 to 4 s (restarted at once), and PgBouncer stopped twice, down 1.5 s each time: once
    with a safe shutdown (SIGINT: transactions in flight finish, then every connection closes), once killed
    (SIGKILL: connections cut mid-transaction). The sandbox answers in 250 ms, so a kill often lands on a call in
    flight."""
    ctx.sandbox.faults(latencyMs=CRASH_LATENCY_MS)
    ctx.load.start()
    seconds = ctx.p["seconds"]
    t0 = time.monotonic()
    # (signal, seconds into the load, seconds down). Not SIGTERM: since PgBouncer 1.23 it waits for every client to
    # disconnect, and pooled bridges never do.
    restarts = [(signal.SIGINT, seconds * 0.3, 1.5), (signal.SIGKILL, seconds * 0.65, 1.5)]
    kills, down = 0, []
    lo, hi = ctx.p["kill_every"]
    next_kill = t0 + ctx.rng.uniform(lo, hi)
    while ctx.load_running():
        ctx.sleep(0.1)
        now = time.monotonic()
        if restarts and now - t0 >= restarts[0][1]:
            sig, _, seconds_down = restarts.pop(0)
            log(f"  PgBouncer: stop with {signal.Signals(sig).name}, down {seconds_down}s, start")
            down.append(round(ctx.pooler.restart(sig, seconds_down), 1))
        elif now >= next_kill:
            kills += 1
            kill_and_restart(ctx, kills)
            next_kill = time.monotonic() + ctx.rng.uniform(lo, hi)
    return {"kills": kills, "pgbouncer_restarts": len(down), "pgbouncer_down_s": down,
            "pgbouncer_server_pool": SERVER_POOL_SIZE}


def late_book(ctx):
    """Round-robin link: the first /book call of a fifth of the intents reaches HubSpot 6 s late, after the bridge's
    4 s request timeout (the call was sent, its answer never seen: uncertain). Principle 4: never book twice."""
    ctx.load.start()
    while ctx.load_running():
        ctx.sleep(0.5)
    return {}


class Scenario:
    def __init__(self, name, title, body, bridges=2, proxy=None, source="res", default=True, overrides=None,
                 pooler=False):
        self.name, self.title, self.body, self.bridges = name, title, body, bridges
        self.proxy, self.source, self.default, self.overrides = proxy, source, default, overrides
        self.pooler = pooler


SCENARIOS = [
    Scenario("kill9", "kill -9 of a bridge at random moments under load, restarted each time", kill9),
    Scenario("pgrestart", "PostgreSQL restarted (fast and immediate shutdown) under load", pg_restart),
    Scenario("hubfaults", "sandbox: 30% 5xx (JSON or HTML), 10% of answers 2 s late, 5% book-then-drop, "
             "5% book-then-502/524", hubspot_faults,
             proxy={"slow_share": 0.1, "slow_seconds": 2.0}),
    Scenario("subdown", "a subscriber answers 503 for a while, then comes back", subscriber_down),
    Scenario("threebridges", "three bridges on one database, one killed", three_bridges, bridges=3),
    # Late calls on a round-robin link: a /book call that reaches HubSpot after the bridge gave up waiting must not
    # lead to a second booking (the pipeline reconciles only after pipeline.reconcileDelay).
    Scenario("latebook", "round-robin link: a fifth of the first /book calls land 6 s late, after the 4 s timeout",
             late_book, proxy={"slow_share": 0.0, "hold_share": 0.2, "hold_seconds": 6.0}, source="rr",
             ),
    Scenario("leaseexpiry", "round-robin link: a fifth of the first /book calls take 4 s, longer than a 3 s lease",
             late_book, proxy={"slow_share": 0.0, "hold_share": 0.2, "hold_seconds": 4.0}, source="rr",
             overrides={"pipeline": {"lease": "3s"}, "hubspot": {"requestTimeoutSeconds": 10}}),
    Scenario("pgbouncer", "through PgBouncer (transaction mode, --poll-only): kill -9 of bridges, PgBouncer restarted",
             pgbouncer, pooler=True),
]
