"""A throwaway PostgreSQL cluster on a free loopback port, with restarts, and psql queries as JSON."""

import glob
import json
import os
import shutil
import subprocess
import time

from .util import free_port, log


def _bindir():
    try:
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, timeout=10)
        if out.returncode == 0 and os.path.exists(os.path.join(out.stdout.strip(), "initdb")):
            return out.stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        pass
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise RuntimeError("PostgreSQL not found (no pg_config, no /usr/lib/postgresql/*/bin): apt-get install -y postgresql")
    return os.path.dirname(found[-1])


class Cluster:
    """initdb + pg_ctl in a temporary folder; as root the server runs as the `postgres` user (started from /tmp)."""

    def __init__(self, workdir):
        self.bindir = _bindir()
        self.dir = os.path.join(workdir, "pg")
        self.data = os.path.join(self.dir, "data")
        self.logfile = os.path.join(self.dir, "postgres.log")
        self.port = free_port()
        self.as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.psql = shutil.which("psql") or os.path.join(self.bindir, "psql")
        self.started = False

    def _pg(self, args, timeout=60, check=True):
        out = subprocess.run(self.as_pg + args, cwd="/tmp", capture_output=True, text=True, timeout=timeout)
        if check and out.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed ({out.returncode}): {out.stdout[-800:]} {out.stderr[-800:]}")
        return out

    def init(self):
        os.makedirs(self.dir)
        os.chmod(self.dir, 0o755)
        if self.as_pg:
            shutil.chown(self.dir, "postgres", "postgres")
        self._pg([f"{self.bindir}/initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--locale=C", "--no-sync"], timeout=120)
        self.start()

    def start(self):
        # fsync=off: the faults here are process crashes (kill -9, immediate shutdown), not machine crashes, so the
        # OS keeps what was written; synchronous_commit stays on, so an acknowledged commit is in the WAL.
        opts = (f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.dir} "
                "-c max_connections=300 -c fsync=off -c shared_buffers=64MB -c log_min_messages=warning")
        self._pg([f"{self.bindir}/pg_ctl", "-D", self.data, "-l", self.logfile, "-w", "-t", "60", "-o", opts, "start"],
                 timeout=90)
        self.started = True

    def stop(self, mode="fast"):
        self._pg([f"{self.bindir}/pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "60", "stop"], timeout=90,
                 check=False)
        self.started = False

    def restart(self, mode, down_seconds=0.0):
        """Stops with `mode` (fast or immediate), stays down `down_seconds`, starts again. Returns seconds down."""
        t0 = time.monotonic()
        self.stop(mode)
        time.sleep(down_seconds)
        self.start()
        return time.monotonic() - t0

    def destroy(self):
        if os.path.isdir(self.data):
            try:
                self.stop("immediate")
            except Exception as e:  # cleanup must go on
                log(f"warning: could not stop PostgreSQL: {e}")
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, db):
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}?sslmode=disable"

    def run_sql(self, db, sql, timeout=30):
        out = subprocess.run([self.psql, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
                              str(self.port), "-U", "postgres", "-d", db, "-c", sql],
                             capture_output=True, text=True, timeout=timeout)
        if out.returncode != 0:
            raise RuntimeError(f"psql: {out.stderr.strip()[-500:]}")
        return out.stdout

    def rows(self, db, sql, timeout=30):
        """Runs a SELECT and returns its rows as dicts."""
        text = self.run_sql(db, f"SELECT coalesce(json_agg(t), '[]'::json) FROM ({sql}) AS t", timeout)
        return json.loads(text)

    def create_database(self, db):
        self.run_sql("postgres", f"CREATE DATABASE {db}")
