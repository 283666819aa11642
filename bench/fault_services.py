"""The throwaway services the fault scenarios (bench/faults.py) break and watch: a Redis server,
a PostgreSQL cluster, an SMTP server, a Celery worker; and the sweep and the deliveries' rows
they are checked by."""

import asyncio
import glob
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import psycopg
from aiosmtpd.controller import Controller

from bench.common import OUT, PYTHON, ROOT, manage

REDIS_PORT, PG_PORT = 6390, 5440


def wait_port(port: int, up: bool = True, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if (probe.connect_ex(("127.0.0.1", port)) == 0) == up:
                return
        time.sleep(0.1)
    raise RuntimeError(f"port {port} did not go {'up' if up else 'down'}")


class Redis:
    def __init__(self, port: int = REDIS_PORT) -> None:
        self.port, self.process = port, None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        wait_port(self.port)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None
            wait_port(self.port, up=False)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


class Cluster:
    """A throwaway PostgreSQL cluster, owned by the postgres OS user (initdb refuses root)."""

    def __init__(self, port: int = PG_PORT) -> None:
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="gw-faults-pg-"))
        shutil.chown(self.dir, "postgres", "postgres")
        self.data = self.dir / "data"
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
        self.bin = Path(bins[-1])

    def _run(self, *args: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", str(self.bin / args[0]), *args[1:]],
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        if not self.data.exists():
            self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres")
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-w", "-l",
                  str(self.dir / "log"), "start")  # fmt: skip

    def restart(self) -> None:
        # -l: the new server must not inherit our pipe, or run() waits for it forever.
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-l",
                  str(self.dir / "log"), "restart")  # fmt: skip

    def destroy(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    @property
    def server(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}"


class Mailbox:
    """A fake SMTP server; slow at RCPT (like greylisting), fast once the message is sent.

    With `hold_at=n` the session that delivered the n-th accepted message gets no answer to its
    QUIT until `released` is set: its worker has the "250 accepted" and is stuck before it can
    record the send, and `holding` tells the script to kill it there."""

    def __init__(self, delay: float = 0.0, hold_at: int = 0) -> None:
        self.delay, self.received, self.hold_at, self.held = delay, [], hold_at, None
        self.holding, self.released = threading.Event(), threading.Event()
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.delay:
            await asyncio.sleep(self.delay)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(envelope.content.decode(errors="replace"))
        if len(self.received) == self.hold_at:
            self.held = session
        return "250 Message accepted"

    async def handle_QUIT(self, server, session, envelope):
        if session is self.held:
            self.holding.set()
            while not self.released.is_set():
                await asyncio.sleep(0.05)
        return "221 Bye"

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def worker(env: dict) -> subprocess.Popen:
    log = (OUT / "faults-worker.log").open("a")
    return subprocess.Popen(
        [PYTHON, "-m", "celery", "-A", "config", "worker", "-P", "threads", "-c", "4",
         "--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "info"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip


def sweep(env: dict) -> str:
    run = subprocess.run(
        [PYTHON, "manage.py", "send_reminders"], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=180,
    )  # fmt: skip
    if run.returncode != 0:
        raise RuntimeError(run.stderr)
    return run.stdout + run.stderr


def deliveries(database_url: str) -> Counter:
    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT status, count(*) FROM notifications_delivery WHERE channel = 'email'"
            " GROUP BY status"
        ).fetchall()
    return Counter(dict(rows))


def age_deliveries(database_url: str) -> None:
    """Stand in for the minutes the sweep waits before it queues a delivery again."""
    with psycopg.connect(database_url) as connection:
        connection.execute(
            "UPDATE notifications_delivery SET created_at = created_at - interval '3 minutes',"
            " claimed_at = claimed_at - interval '11 minutes'"
        )


def age_claims(database_url: str) -> None:
    """Stand in for the claim timeout only: a delivery's creation time is part of its
    Message-ID, so it is left alone once messages may have gone out."""
    with psycopg.connect(database_url) as connection:
        connection.execute(
            "UPDATE notifications_delivery SET claimed_at = claimed_at - interval '11 minutes'"
        )


def wait_until(condition, seconds: float = 120) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


def demo_town(env: dict) -> None:
    """The demo town: overdue hazards, reviews and patrols for the sweep to remind people of.
    Every demo user gets an address, so every reminder is also an email."""
    demo = {**env, "DJANGO_DEBUG": "true", "DJANGO_SECRET_KEY": env["DJANGO_SECRET_KEY"]}
    manage(demo, "seed_demo", "--premises", "60", "-v", "0")
    manage(
        env,
        "shell",
        "-c",
        "from accounts.models import User\n"
        "for u in User.objects.all(): u.email = f'{u.username}@example.cn'; u.save()",
    )
