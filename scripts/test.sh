#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs the toolkit, its test tools and Ray into
# .venv, then runs pytest (ruff and mypy run inside it). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test,ray]'

# cffconvert pins jsonschema<4, which the toolkit cannot share: it gets a venv of its own.
if [ ! -x .venv-tools/bin/cffconvert ]; then
    "$PYTHON" -m venv .venv-tools
    .venv-tools/bin/python -m pip install -q --disable-pip-version-check "cffconvert==2.0.0"
fi

export HF_DATASETS_OFFLINE=1 HF_HUB_OFFLINE=1 HF_HUB_DISABLE_TELEMETRY=1

# The data gate: the shipped corpus (and its annotations) must pass the JSON Schemas and the
# GX suites before any test runs, so a bad annotation can never land (report: build/validate/corpus/quality/).
.venv/bin/newscorpus validate

# The real Label Studio for the tests marked `labelstudio`, in its own venv (it pins pyarrow<25):
# a fresh data dir, 127.0.0.1 on a free port, a random token handed to pytest only through
# LABEL_STUDIO_URL / LABEL_STUDIO_API_KEY, stopped when pytest ends (also when tests fail).
# Inside it, a real Ray head node for the tests marked `ray` (127.0.0.1, 2 CPUs, free ports,
# private temp dir), its address handed over as NEWSCORPUS_TEST_RAY_ADDRESS (not RAY_ADDRESS,
# which would send every build to Ray), stopped when pytest ends.
.venv/bin/python scripts/labelstudio.py install --python "$PYTHON"
exec .venv/bin/python scripts/labelstudio.py run -- \
    .venv/bin/python scripts/raycluster.py run --ray-bin .venv/bin/ray -- \
    .venv/bin/python -m pytest "$@"
