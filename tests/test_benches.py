"""Every bench under bench/ runs in its quick mode, so that none can rot: a bench that breaks
fails the build. The figures are the full runs' business (run by hand); these only check that
each bench still measures what it says, end to end, and stops whatever it started."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCHES = sorted(path.stem for path in (ROOT / "bench").glob("*.py"))
# What each prints once it has measured (its table or summary's own words).
MEASURED = {
    "conversation": "reports saved with the right content: 3 of 3",
    "digest": "peak memory of the process",
    "failover": "takeover over 1 trials",
    "fanout": "target: sustained",
    "sandbox": "quick: 3 clicks",
    "startup": "chibo run",
}


def test_every_bench_is_listed() -> None:
    assert set(BENCHES) == set(MEASURED)


@pytest.mark.parametrize("bench", BENCHES)
def test_the_bench_runs_in_its_quick_mode(bench: str, database_url: str) -> None:
    command = [sys.executable, str(ROOT / "bench" / f"{bench}.py"), "--quick"]
    if bench == "failover":  # SQLite: a restart; PostgreSQL: a standby's takeover
        command += ["--database-url", database_url]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHIBO_")}
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    assert MEASURED[bench] in output, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
