"""The README's quick start works as written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import Server

README = Path(__file__).resolve().parents[1] / "README.md"


def quick_start() -> str:
    text = README.read_text()
    section = text[text.index("## Quick start"):]
    start = section.index("```python\n") + len("```python\n")
    return section[start:section.index("```", start)]


def test_the_quick_start_runs_as_written(server: Server) -> None:
    code = quick_start()
    assert len(code.strip().splitlines()) <= 5
    env = dict(os.environ, PAYDESK_SECRET_KEY=server.secret_key, PAYDESK_BASE_URL=server.origin)
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines, "it printed nothing"
    # Newest first: the customer it just made, then every other one, page after page.
    assert lines[0].startswith("cus_") and lines[0].endswith(" jenny@example.com")
    assert len(lines) == len(set(lines))
