"""Child processes: the HubSpot sandbox and bridge processes (`bookingbridge serve`), each killable by its pid."""

import os
import shutil
import signal
import subprocess
import time

from .util import free_port, get_json, log, port_open, post_json, request, wait_until

ADMIN_TOKEN = "resilience-admin-token"
# A child dies with the runner even if the runner itself is killed (util-linux setpriv keeps the pid: it execs).
_PDEATH = ["setpriv", "--pdeathsig", "KILL", "--"] if shutil.which("setpriv") else []


def _clean_env():
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("BRIDGE_", "HUBSPOT_", "DATABASE_", "LOG_"))}
    return env


class Sandbox:
    """`bookingbridge sandbox` with its control API."""

    def __init__(self, binary, workdir, rate_limit):
        self.binary = binary
        self.port = free_port()
        self.logfile = os.path.join(workdir, "sandbox.log")
        self.rate_limit = rate_limit
        self.proc = None

    def start(self):
        out = open(self.logfile, "ab")
        self.proc = subprocess.Popen(
            _PDEATH + [self.binary, "sandbox", "--port", str(self.port), "--rate-limit", str(self.rate_limit)],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=_clean_env(), start_new_session=True)
        out.close()
        if not wait_until(lambda: port_open(self.port) or self.proc.poll() is not None, 30) or self.proc.poll() is not None:
            raise RuntimeError(f"the sandbox did not start (see {self.logfile})")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def faults(self, **faults):
        return post_json(self.port, "/__sandbox/faults", faults)

    def reset(self):
        post_json(self.port, "/__sandbox/reset", {})

    def bookings(self):
        return get_json(self.port, "/__sandbox/bookings")

    def stats(self):
        return get_json(self.port, "/__sandbox/stats")


class Bridge:
    """One `bookingbridge serve` process on its own port; restartable after kill -9 on the same port."""

    def __init__(self, name, binary, workdir, env, args=()):
        self.name = name
        self.binary = binary
        self.args = list(args)  # after `serve`, e.g. --poll-only --no-migrate behind a pooler
        self.port = free_port()
        self.logfile = os.path.join(workdir, f"{name}.log")
        self.env = dict(_clean_env(), **env, BRIDGE_PORT=str(self.port), BRIDGE_ADMIN_TOKEN=ADMIN_TOKEN)
        self.proc = None
        self.starts = 0
        self.kills = 0
        self.deaths = []  # (pid, exit code) of exits the suite did not cause

    def start(self, wait=True, timeout=60):
        with open(self.logfile, "ab") as out:
            out.write(f"\n===== start #{self.starts + 1} at {time.strftime('%H:%M:%S')} =====\n".encode())
            out.flush()
            self.proc = subprocess.Popen(_PDEATH + [self.binary, "serve"] + self.args, stdout=out,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=self.env,
                                         start_new_session=True)
        self.starts += 1
        if wait and not self.wait_ready(timeout):
            raise RuntimeError(f"{self.name} did not become ready within {timeout}s (see {self.logfile})")

    def wait_ready(self, timeout):
        def ready():
            if self.proc.poll() is not None:
                return "exited"
            try:
                return request(self.port, "GET", "/readyz", timeout=2)[0] == 200
            except OSError:
                return False
            except Exception:
                return False
        return wait_until(ready, timeout, 0.1) is True

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def check_death(self):
        """Records an exit the suite did not cause (a crash); returns True when the process is gone."""
        if self.proc is not None and self.proc.poll() is not None:
            if not getattr(self.proc, "expected_exit", False):
                self.deaths.append((self.proc.pid, self.proc.returncode))
                self.proc.expected_exit = True
                log(f"!! {self.name} (pid {self.proc.pid}) exited by itself with code {self.proc.returncode}")
            return True
        return False

    def kill9(self):
        if not self.alive():
            return
        self.proc.expected_exit = True
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)
        self.kills += 1

    def terminate(self):
        """Sends SIGTERM (graceful shutdown); `wait_stopped` collects the result."""
        self.check_death()
        if self.alive():
            self.proc.expected_exit = True
            self.proc.send_signal(signal.SIGTERM)

    def wait_stopped(self, deadline):
        """Waits until `deadline` (monotonic) for the exit after `terminate`, then kills. Returns (exit code, None)
        or (-9, what had not stopped according to the log)."""
        if self.proc is None:
            return None, None
        try:
            self.proc.wait(max(0.1, deadline - time.monotonic()))
            return self.proc.returncode, None
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
            return -9, self._not_stopped()

    def stop(self, grace=10):
        """SIGTERM, then SIGKILL after `grace` seconds. Returns the exit code."""
        self.terminate()
        code, _ = self.wait_stopped(time.monotonic() + grace)
        return code

    def _not_stopped(self):
        with open(self.logfile, errors="replace") as f:
            text = f.read().rsplit("===== start #", 1)[-1]
        parts = [name for name, line in (("booking pipeline", "booking pipeline stopped"),
                                         ("webhook dispatcher", "webhook dispatcher stopped")) if line not in text]
        if "grace period over" in text:
            parts.append("(pipeline grace period had ended)")
        return ", ".join(parts) or "?"

    def migrate(self, database_url, timeout=60):
        """`bookingbridge migrate` against `database_url` (PostgreSQL directly: the runner holds a session lock)."""
        with open(self.logfile, "ab") as out:
            out.write(f"\n===== migrate at {time.strftime('%H:%M:%S')} =====\n".encode())
            out.flush()
            code = subprocess.run(_PDEATH + [self.binary, "migrate"], stdout=out, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, env=dict(self.env, DATABASE_URL=database_url),
                                  timeout=timeout).returncode
        if code != 0:
            raise RuntimeError(f"bookingbridge migrate exited {code} (see {self.logfile})")

    def admin(self, path):
        return get_json(self.port, path, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
