"""PgBouncer in transaction mode on a free loopback port in front of the suite's PostgreSQL, stoppable and
restartable on the same port. Debian's `pgbouncer` package, installed with apt-get when missing (as root)."""

import os
import shutil
import signal
import subprocess
import time

from .util import free_port, log, port_open, wait_until

# Server connections per (database, user): fewer than the bridges' pools together (2 x DATABASE_POOL_SIZE 10), so
# client transactions really share server connections, as they do behind a pooler in production.
SERVER_POOL_SIZE = 8


def pgbouncer_binary():
    """The pgbouncer executable, installed from Debian's package first when it is missing and the runner is root."""
    found = shutil.which("pgbouncer") or ("/usr/sbin/pgbouncer" if os.access("/usr/sbin/pgbouncer", os.X_OK) else None)
    if found:
        return found
    if os.geteuid() != 0:
        raise RuntimeError("pgbouncer not found: apt-get install -y pgbouncer")
    log("installing pgbouncer (apt-get)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for args in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "pgbouncer"]):
        out = subprocess.run(args, capture_output=True, text=True, env=env, timeout=600)
        if out.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed: {out.stderr[-800:]}")
    found = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not os.access(found, os.X_OK):
        raise RuntimeError("pgbouncer is still missing after apt-get install")
    return found


class PgBouncer:
    """One pgbouncer process (foreground, its log in the suite's folder). As root it runs as the `postgres` user,
    like the suite's PostgreSQL (PgBouncer refuses to run as root); setpriv changes the user and execs, so the pid is
    pgbouncer's own and it gets SIGKILL when the runner dies."""

    def __init__(self, workdir, cluster, name="pgbouncer"):
        self.binary = pgbouncer_binary()
        self.dir = os.path.join(workdir, name)
        self.logfile = os.path.join(workdir, f"{name}.log")
        self.ini = os.path.join(self.dir, "pgbouncer.ini")
        self.port = free_port()
        self.cluster = cluster
        self.proc = None
        self.starts = 0
        root = os.geteuid() == 0
        self.as_user = (["setpriv", "--reuid", "postgres", "--regid", "postgres", "--init-groups",
                         "--pdeathsig", "KILL", "--"] if root else
                        (["setpriv", "--pdeathsig", "KILL", "--"] if shutil.which("setpriv") else []))
        os.makedirs(self.dir)
        os.chmod(self.dir, 0o755)
        # The cluster trusts loopback connections, so PgBouncer does too; the user list only names the user.
        with open(os.path.join(self.dir, "userlist.txt"), "w") as f:
            f.write('"postgres" ""\n')
        with open(self.ini, "w") as f:
            f.write(f"""[databases]
* = host=127.0.0.1 port={cluster.port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {self.port}
unix_socket_dir =
auth_type = trust
auth_file = {self.dir}/userlist.txt
pool_mode = transaction
max_client_conn = 500
default_pool_size = {SERVER_POOL_SIZE}
server_login_retry = 1
server_connect_timeout = 5
query_wait_timeout = 30
ignore_startup_parameters = extra_float_digits
log_connections = 0
log_disconnections = 0
""")
        if root:
            for path in (self.dir, self.ini, os.path.join(self.dir, "userlist.txt")):
                shutil.chown(path, "postgres", "postgres")

    def url(self, db):
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}?sslmode=disable"

    def start(self, timeout=20):
        with open(self.logfile, "ab") as out:
            out.write(f"\n===== start #{self.starts + 1} at {time.strftime('%H:%M:%S')} =====\n".encode())
            out.flush()
            self.proc = subprocess.Popen(self.as_user + [self.binary, self.ini], stdout=out, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, cwd=self.dir, start_new_session=True)
        self.starts += 1
        if not wait_until(lambda: self.proc.poll() is not None or port_open(self.port), timeout, 0.05) \
                or self.proc.poll() is not None:
            raise RuntimeError(f"pgbouncer did not start (see {self.logfile})")

    def stop(self, sig=signal.SIGINT, wait=10):
        """SIGINT is a safe shutdown (transactions in flight finish, then every connection closes), SIGKILL a crash.
        Waits `wait` seconds for the exit, then kills."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(sig)
        try:
            self.proc.wait(wait)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)

    def restart(self, sig, down_seconds):
        """Stops with `sig`, stays down `down_seconds`, starts again on the same port. Returns seconds down."""
        t0 = time.monotonic()
        self.stop(sig)
        time.sleep(down_seconds)
        self.start()
        return time.monotonic() - t0
