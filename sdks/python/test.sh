#!/usr/bin/env bash
# The Python library's tests against a real `paydesk serve` (started by tests/conftest.py).
# Installs what they need into sdks/python/.venv (from PyPI, only when missing), installs
# the library itself from this folder, and runs pytest. Exits non-zero on any failure.
#   PAYDESK_BIN=/path/to/paydesk sdks/python/test.sh [pytest args]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 9))' 2>/dev/null; then
  echo "sdk-python: needs Python 3.9 or later" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  if ! "$python" -m venv .venv 2>/dev/null; then
    echo "sdk-python: installing python3-venv"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
    rm -rf .venv && "$python" -m venv .venv
  fi
fi
venv="$here/.venv/bin/python"
if ! "$venv" -c 'import pytest, httpx, setuptools, wheel' 2>/dev/null; then
  echo "sdk-python: installing pytest, httpx and the build tools"
  "$venv" -m pip install --quiet "pytest>=7" "httpx>=0.23,<1" "setuptools>=61" wheel
fi
# The library as a user gets it: built and installed from this folder (not an editable
# path), so a missing file in the package fails here.
"$venv" -m pip install --quiet --no-deps --no-build-isolation --force-reinstall "$here"

exec "$venv" -m pytest -p no:cacheprovider tests "$@"
