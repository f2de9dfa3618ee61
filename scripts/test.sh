#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs the toolkit and its test tools into
# .venv, then runs pytest (ruff and mypy run inside it). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'

# cffconvert pins jsonschema<4, which the toolkit cannot share: it gets a venv of its own.
if [ ! -x .venv-tools/bin/cffconvert ]; then
    "$PYTHON" -m venv .venv-tools
    .venv-tools/bin/python -m pip install -q --disable-pip-version-check "cffconvert==2.0.0"
fi

export HF_DATASETS_OFFLINE=1 HF_HUB_OFFLINE=1 HF_HUB_DISABLE_TELEMETRY=1

exec .venv/bin/python -m pytest "$@"
