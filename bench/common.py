"""Shared helpers for the benchmarks: a production-like gunicorn on a scratch database."""

import os
import platform
import re
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from functools import lru_cache
from io import BytesIO
from pathlib import Path

import psycopg
import requests
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
RESULTS = ROOT / "bench" / "RESULTS.md"
PYTHON = sys.executable
PASSWORD = "gridwatch-demo"  # noqa: S105 -- the generated county's users, bench databases only


def bench_env(database_url: str) -> dict:
    """Production settings (DEBUG off) against the given database, on plain HTTP."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "bench-" + "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
    }


def manage(env: dict, *args: str) -> str:
    return _run(env, "manage.py", *args)


def generate_county(env: dict, *args: str) -> str:
    """`python -m bench.generate_county ARGS` against the database `env` names; its output."""
    return _run(env, "-m", "bench.generate_county", *args)


def _run(env: dict, *args: str) -> str:
    result = subprocess.run(
        [PYTHON, *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return result.stdout


def start_gunicorn(env: dict, port: int, workers: int = 1) -> subprocess.Popen:
    """gunicorn on 127.0.0.1:port; refuses a port already taken (a stale server would be timed)."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise RuntimeError(f"port {port} is taken: stop the server on it first")
    OUT.mkdir(parents=True, exist_ok=True)
    log = OUT / f"gunicorn-{port}.log"
    process = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "config.wsgi",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            "--timeout=120",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        # A file, not a pipe: nobody reads a pipe during the run, and a full one blocks gunicorn.
        stderr=log.open("w"),
    )
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError(log.read_text())
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return process
        except requests.RequestException:  # refused, or a worker still importing: wait
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"gunicorn on port {port} did not answer in time")


def worker_pids(master: subprocess.Popen) -> list[int]:
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the process's resident-memory high-water mark since it started."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def login(base: str, username: str, password: str) -> requests.Session:
    """Sign in through the login form. Cookies are marked Secure (DEBUG off) and the benchmark
    talks plain HTTP to 127.0.0.1, so they are sent as a header by hand."""
    session = requests.Session()

    def send_cookies() -> None:
        session.headers["Cookie"] = "; ".join(f"{c.name}={c.value}" for c in session.cookies)

    session.get(f"{base}/accounts/login/")
    send_cookies()
    token = session.cookies.get("csrftoken")
    session.headers.update({"Referer": f"{base}/accounts/login/", "X-CSRFToken": token})
    response = session.post(
        f"{base}/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        allow_redirects=False,
    )
    assert response.status_code == 302, f"login failed: HTTP {response.status_code}"
    send_cookies()
    session.headers.update({"Referer": f"{base}/", "X-CSRFToken": session.cookies["csrftoken"]})
    return session


def phone_photo(target_bytes: int = 4 * 1024 * 1024, seed_color: int = 0) -> bytes:
    """A 12-megapixel JPEG of at least target_bytes, noisy like a real photo (hard to compress)."""
    base = Image.linear_gradient("L").resize((4000, 3000))
    noise = Image.effect_noise((4000, 3000), 30 + seed_color)
    image = Image.merge("RGB", (base, noise, Image.blend(base, noise, 0.5)))
    data = b""
    for quality in range(50, 100, 5):  # the lowest quality that reaches the target size
        buffer = BytesIO()
        image.save(buffer, "JPEG", quality=quality)
        data = buffer.getvalue()
        if len(data) >= target_bytes:
            break
    return data


def time_sql(dsn: str, statements: list[str], runs: int, *, prepared: bool = False) -> list[float]:
    """Seconds to run all the statements, once per run, over one connection (autocommit).

    As the page sends them by default: Django binds values into the text client-side and never
    prepares, so PostgreSQL plans every statement every time. `prepared`: psycopg's automatic
    prepared statements, which plan a statement once it has run five times on the connection;
    a page never gets that, but it is what its SQL would cost planned once."""
    totals = []
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.prepare_threshold = 5 if prepared else None
        for run in range(runs + 1):
            started = time.perf_counter()
            for sql in statements:
                with conn.cursor() as cursor:
                    cursor.execute(sql.encode())
                    if cursor.description is not None:
                        cursor.fetchall()
            if run:  # the first run warms the connection
                totals.append(time.perf_counter() - started)
    return totals


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def load_average() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def cpu_jiffies() -> tuple[int, int]:
    """(busy, stolen) clock ticks of every core since boot (/proc/stat): busy is user, nice,
    system, irq and softirq; stolen is what the host gave a neighbour while we waited."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(
        int, Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    )
    return user + nice + system + irq + softirq, steal


def cpu_use(before: tuple[int, int], after: tuple[int, int], requests: int) -> dict:
    """The machine's busy milliseconds a request between two readings, and the share of the
    ticks in use or stolen that the host stole."""
    tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
    busy, stolen = after[0] - before[0], after[1] - before[1]
    return {
        "cpu_ms": busy * tick_ms / max(requests, 1),
        "steal_pct": 100 * stolen / max(busy + stolen, 1),
    }


def _stat(pid: int) -> list[str] | None:
    """/proc/PID/stat's fields from the state on (the 3rd), None when the process is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return None


def process_ticks(pids) -> dict[int, int]:
    """User and system clock ticks of each process that is still there."""
    ticks = {}
    for pid in pids:
        if fields := _stat(pid):
            ticks[pid] = int(fields[11]) + int(fields[12])  # utime, stime
    return ticks


def parent_pid(pid: int) -> int:
    return int(_stat(pid)[1])


def reaped_ticks(pid: int) -> int:
    """User and system clock ticks of the process's children that ended (and it waited for)."""
    fields = _stat(pid)
    return int(fields[13]) + int(fields[14])  # cutime, cstime


@lru_cache(maxsize=1)
def python_speed() -> float:
    """measure_python_speed() once per process, for a section's heading."""
    return measure_python_speed()


def measure_python_speed() -> float:
    """Seconds for ten million additions in a Python loop, best of three. Machines given the
    same name ("2 cores, AMD EPYC") differ, and one machine's speed changes by the hour (0.35 to
    0.64 s on 2026-11-29): this says how fast it ran plain code when a figure was taken."""
    best = float("inf")
    for _ in range(3):
        started, total = time.perf_counter(), 0
        for number in range(10_000_000):
            total += number
        best = min(best, time.perf_counter() - started)
    return best


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return (
        f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()} "
        f"(10 million additions in a Python loop: {python_speed():.2f} s)"
    )


def write_section(title: str, body: str) -> None:
    """Replace (or append) the `## title` section of bench/RESULTS.md, leaving the others."""
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = f"## {title}\n\n_Measured {stamp} on {machine()}._\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(section + "\n", text)
    else:
        text = text.rstrip() + "\n\n" + section
    RESULTS.write_text(text)
