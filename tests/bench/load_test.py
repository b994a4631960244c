"""Load test: 50 simulated reps for 60 s against gunicorn (2 workers) on PostgreSQL, loopback only.

    .venv/bin/python -m tests.bench.load_test [--users 50] [--seconds 60]

Creates the database of BENCH_DATABASE_URL (default `jalon_load`, dropped first), 50 rep
accounts with their prospects, opportunities and tasks, serves the app with gunicorn on
127.0.0.1, runs the locust scenario of `tests/bench/locustfile.py` headless, and prints requests,
errors and percentiles of the steady state: statistics restart once every simulated rep has
logged in (50 password hashes at once are the ramp-up, not the daily load), and the run lasts
the warm-up plus the measured seconds. Served as in production (docker-compose.yml): sessions
and caches in Redis (CACHE_URL, default redis://127.0.0.1:6379/14, emptied first), behind one
trusted proxy (each rep sends its own address in X-Forwarded-For; a refused login fails the
run). Besides wall-clock percentiles, which depend on whatever else the machine runs, it prints
the CPU time the gunicorn workers and their PostgreSQL backends spent per request during the
measured window, which does not.
Needs PostgreSQL on 127.0.0.1:5432 (trust auth) and `pip install -e '.[bench]'`.
"""

import argparse
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/jalon_load")
DB_NAME = DB_URL.rsplit("/", 1)[1]
ADMIN_URL = DB_URL.rsplit("/", 1)[0] + "/postgres"
P95_BUDGET_MS = 120
WARM_UP_SECONDS = 20  # the reps log in; statistics restart once they all have
ENV = {
    **os.environ,
    "DATABASE_URL": DB_URL,
    "CACHE_URL": os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/14"),
    "DEBUG": "0",
    "SECRET_KEY": "load-test-key-" + "x" * 40,
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "SECURE_HSTS_SECONDS": "0",
    "AXES_ENABLED": "0",
    # Behind one HTTPS proxy, as in production: each simulated rep sends its own address.
    "TRUSTED_PROXY_COUNT": "1",
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "LOG_LEVEL": "WARNING",
}
ENV.pop("CELERY_BROKER_URL", None)


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=ENV, check=True)


def prepare(static_root: str) -> dict:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    if ENV["CACHE_URL"]:  # nothing cached about a database that is no more
        import redis

        redis.Redis.from_url(ENV["CACHE_URL"]).flushdb()
    manage("migrate", "-v0")
    manage("seed_demo")
    env = {**ENV, "STATIC_ROOT": static_root}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    out = subprocess.run(
        [sys.executable, "-m", "tests.bench._load_data"],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise SystemExit(f"load data failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_ticks(pid: int) -> int | None:
    """User plus system CPU time of a process, in clock ticks (None once it has ended)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])


def children(pid: int) -> list[int]:
    try:
        tasks = Path(f"/proc/{pid}/task").iterdir()
        return [int(c) for t in tasks for c in (t / "children").read_text().split()]
    except OSError:
        return []


class CpuMeter(threading.Thread):
    """CPU time spent by the gunicorn workers, their PostgreSQL backends and locust from the
    moment `mark` appears (locust restarts its statistics) until `stop()`, sampled each second."""

    def __init__(self, server: int, mark: Path):
        super().__init__(daemon=True)
        self.server, self.mark = server, mark
        self.locust: int | None = None
        self.stopping = threading.Event()
        self.start_ticks: dict[tuple[str, int], int] = {}
        self.last_ticks: dict[tuple[str, int], int] = {}
        self.started_at = self.stopped_at = 0.0

    def backends(self) -> list[int]:
        import psycopg

        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            return [
                pid
                for (pid,) in conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> "
                    "pg_backend_pid()",
                    [DB_NAME],
                )
            ]

    def sample(self) -> dict[tuple[str, int], int]:
        pids = [("app", pid) for pid in children(self.server)]
        pids += [("db", pid) for pid in self.backends()]
        if self.locust:
            pids += [("locust", pid) for pid in [self.locust, *children(self.locust)]]
        ticks = {key: cpu_ticks(key[1]) for key in pids}
        return {key: value for key, value in ticks.items() if value is not None}

    def run(self) -> None:
        while not self.mark.exists() and not self.stopping.wait(0.2):
            pass
        self.started_at = time.monotonic()
        self.start_ticks = self.sample()
        while not self.stopping.wait(1):
            for key, value in self.sample().items():
                self.start_ticks.setdefault(key, 0)  # started after the mark: all of it counts
                self.last_ticks[key] = value
        self.stopped_at = time.monotonic()

    def stop(self) -> None:
        for key, value in self.sample().items():
            self.start_ticks.setdefault(key, 0)
            self.last_ticks[key] = value
        self.stopping.set()
        self.join(timeout=5)

    def seconds(self, kind: str) -> float:
        ticks = sum(
            value - self.start_ticks[key]
            for key, value in self.last_ticks.items()
            if key[0] == kind
        )
        return ticks / os.sysconf("SC_CLK_TCK")


def wait_for(url: str, seconds: int = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - loopback only
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    options = parser.parse_args()

    static_root = tempfile.mkdtemp(prefix="jalon-static-")
    ids = prepare(static_root)
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**ENV, "STATIC_ROOT": static_root},
    )
    csv_prefix = Path(tempfile.mkdtemp(prefix="jalon-load-")) / "load"
    mark = csv_prefix.with_name("measuring")
    meter = CpuMeter(server.pid, mark)
    try:
        wait_for(f"http://127.0.0.1:{port}/accounts/login/")
        meter.start()
        locust = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("locust")),
                "-f",
                str(ROOT / "tests" / "bench" / "locustfile.py"),
                "--headless",
                "-u",
                str(options.users),
                "-r",
                str(max(1, options.users // 5)),
                "-t",
                f"{options.seconds + WARM_UP_SECONDS}s",
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                str(csv_prefix),
                "--only-summary",
                "--stop-timeout",
                "5",
            ],
            cwd=ROOT,
            env={**ENV, "JALON_LOAD_IDS": json.dumps(ids), "JALON_LOAD_MARK": str(mark)},
        )
        meter.locust = locust.pid
        locust.wait(timeout=options.seconds + 120)
        meter.stop()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    with open(f"{csv_prefix}_stats.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    print(
        f"\n{'endpoint':<22}{'requests':>10}{'failures':>10}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
    )
    for row in rows:
        print(
            f"{row['Name']:<22}{row['Request Count']:>10}{row['Failure Count']:>10}"
            f"{row['50%']:>9}{row['95%']:>9}{row['99%']:>9}"
        )
    total = next(r for r in rows if r["Name"] == "Aggregated")
    failures = int(total["Failure Count"])
    p95 = float(total["95%"])
    print(
        f"\n{options.users} reps for {options.seconds} s on gunicorn (2 workers) + PostgreSQL: "
        f"{total['Request Count']} requests, {failures} errors, p95 {p95:.0f} ms "
        f"(budget of issue 20: 0 errors, p95 < {P95_BUDGET_MS} ms) -> "
        f"{'OK' if failures == 0 and p95 < P95_BUDGET_MS else 'MISSED'}"
    )
    requests = int(total["Request Count"]) or 1
    window = (meter.stopped_at - meter.started_at) or 1
    if not mark.exists():
        print("CPU not measured: not every rep logged in (see the errors above)")
    print(
        f"{float(total['Requests/s']):.1f} requests/s; CPU per request: "
        f"{1000 * meter.seconds('app') / requests:.1f} ms gunicorn, "
        f"{1000 * meter.seconds('db') / requests:.1f} ms PostgreSQL, "
        f"{1000 * meter.seconds('locust') / requests:.1f} ms locust "
        f"(cores busy: app {meter.seconds('app') / window:.2f}, "
        f"db {meter.seconds('db') / window:.2f}, locust {meter.seconds('locust') / window:.2f})"
    )
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average at the end {load} (the load test itself uses both cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
