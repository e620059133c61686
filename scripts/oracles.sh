#!/usr/bin/env bash
# Makes the virtualenv of the official SDKs the tests call (tests/oracles/requirements.txt) and
# prints its python. Idempotent and safe to run from several test processes at once.
#   scripts/oracles.sh            prints the path of target/oracles-venv/bin/python
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/target/oracles-venv"
requirements="$root/tests/oracles/requirements.txt"
stamp="$venv/.installed"
mkdir -p "$root/target"
exec 9>"$root/target/oracles-venv.lock"
flock 9
if [[ ! -f "$stamp" ]] || ! cmp -s "$requirements" "$stamp"; then
    if ! command -v python3 >/dev/null || ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
        # A new machine may lack Python, and Debian splits venv out of python3.
        export DEBIAN_FRONTEND=noninteractive
        apt-get update >&2
        apt-get install -y --no-install-recommends python3 python3-venv >&2
    fi
    rm -rf "$venv"
    python3 -m venv "$venv" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" >&2
    cp "$requirements" "$stamp"
fi
echo "$venv/bin/python"
