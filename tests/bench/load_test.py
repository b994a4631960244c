"""Load test: 50 simulated reps for 60 s against gunicorn (2 workers) on PostgreSQL, loopback only.

    .venv/bin/python -m tests.bench.load_test [--users 50] [--seconds 60]

Creates the database `jalon_load` (dropped first), 50 rep accounts with their prospects,
opportunities and tasks, serves the app with gunicorn on 127.0.0.1, runs the locust scenario of
`tests/bench/locustfile.py` headless, and prints requests, errors and percentiles of the steady
state: statistics restart once every simulated rep has logged in (50 password hashes at once are
the ramp-up, not the daily load), and the run lasts the warm-up plus the measured seconds.
Needs PostgreSQL on 127.0.0.1:5432 (trust auth) and `pip install -e '.[bench]'`.
"""

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DB_NAME = "jalon_load"
PORT = 8765
P95_BUDGET_MS = 120
WARM_UP_SECONDS = 20  # the reps log in; statistics restart once they all have
ENV = {
    **os.environ,
    "DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}",
    "DEBUG": "0",
    "SECRET_KEY": "load-test-key-" + "x" * 40,
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "SECURE_HSTS_SECONDS": "0",
    "AXES_ENABLED": "0",
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "LOG_LEVEL": "WARNING",
}
ENV.pop("CELERY_BROKER_URL", None)


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=ENV, check=True)


def prepare(static_root: str) -> dict:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
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
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**ENV, "STATIC_ROOT": static_root},
    )
    csv_prefix = Path(tempfile.mkdtemp(prefix="jalon-load-")) / "load"
    try:
        wait_for(f"http://127.0.0.1:{PORT}/accounts/login/")
        subprocess.run(
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
                f"http://127.0.0.1:{PORT}",
                "--csv",
                str(csv_prefix),
                "--only-summary",
                "--stop-timeout",
                "5",
            ],
            cwd=ROOT,
            env={**ENV, "JALON_LOAD_IDS": json.dumps(ids)},
            check=False,
            timeout=options.seconds + 120,
        )
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
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average at the end {load} (the load test itself uses both cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
