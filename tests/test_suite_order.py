"""The suite passes whatever order its tests run in: `pytest -n 2 --dist loadgroup` runs the
real-worker group (transactional tests, which flush the database) before ordinary tests."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

TRANSACTIONAL_FIRST = """
import pytest


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: "test_automation_notices" not in item.nodeid)
"""


def test_an_ordinary_test_after_a_flush_finds_the_reference_data(tmp_path):
    """A test that needs the sales groups runs right after a transactional test's flush."""
    (tmp_path / "transactional_first.py").write_text(TRANSACTIONAL_FIRST)
    import subprocess

    env = {
        **os.environ,
        "PYTHONPATH": f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "transactional_first",
            "-p",
            "no:randomly",
            "-p",
            "no:xdist",
            "-q",
            "tests/pipeline/test_automation_notices.py",
            "tests/trust/test_trash.py::test_restore_service_and_its_audit_entry",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert " passed" in result.stdout
