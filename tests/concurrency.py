"""Running the same work in several threads at once, for the race tests (PostgreSQL only:
SQLite allows one writer at a time, so there is no race to show)."""

import threading

import pytest
from django.db import connection

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="races need PostgreSQL's row locks (SQLite allows one writer at a time); set "
    "DATABASE_URL to a PostgreSQL database, as CI does",
)


def in_threads(work, count: int, *, timeout: float = 120) -> list:
    """Run `work(i)` in `count` threads released together, each on its own database connection
    (Django's are per thread), closed at the end. Returns the results or the raised exceptions."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i):
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - the test asserts there is none
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread is still waiting"
    return results
