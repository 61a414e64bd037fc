#!/usr/bin/env bash
# Prepare this machine for `make run` and `make test`: system packages, then a venv.
# Idempotent and quick when nothing changed (a stamp remembers the installed requirements).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3.11}"
VENV="${VENV:-.venv}"
EMULATOR="${CHECKROUND_EMULATOR_BIN:-/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud_firestore_emulator}"

# System packages: pango for WeasyPrint, poppler-utils for the PDF checks (pdftotext,
# pdftoppm), a JRE for the Firestore emulator. Fonts ship in templates/fonts.
need=()
for pkg in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils chromium; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing system packages: ${need[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if [ ! -x "$EMULATOR" ]; then
  echo "setup: the Firestore emulator is missing at $EMULATOR" >&2
  echo "       install the Google Cloud SDK component (gcloud components install cloud-firestore-emulator)" >&2
  echo "       or set CHECKROUND_EMULATOR_BIN to its path." >&2
  exit 1
fi

command -v "$PYTHON" >/dev/null 2>&1 || { echo "setup: $PYTHON not found (Python 3.11 is required)" >&2; exit 1; }
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"

stamp="$VENV/.requirements.sha256"
sum=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
  echo "setup: installing Python packages into $VENV"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r requirements-dev.txt
  echo "$sum" > "$stamp"
fi
# checkov (the Terraform policy gate of `make check`) in a venv of its own inside $VENV: it pins
# packaging<24 and brings bc-python-hcl2, whose `hcl2` module would shadow python-hcl2.
checkov_venv="$VENV/checkov"
checkov_stamp="$checkov_venv/.requirements.sha256"
checkov_sum=$(sha256sum requirements-checkov.txt | cut -d' ' -f1)
if [ ! -f "$checkov_stamp" ] || [ "$(cat "$checkov_stamp")" != "$checkov_sum" ]; then
  echo "setup: installing checkov into $checkov_venv"
  [ -x "$checkov_venv/bin/python" ] || "$PYTHON" -m venv "$checkov_venv"
  "$checkov_venv/bin/python" -m pip install -q --disable-pip-version-check -r requirements-checkov.txt
  echo "$checkov_sum" > "$checkov_stamp"
fi

# The offline `terraform fmt -check` (infra/tools: hclwrite compiled to WebAssembly), from the
# npm registry, only when missing. Without node the gate says so and skips (see the Makefile).
if command -v npm >/dev/null 2>&1 && [ ! -f infra/tools/node_modules/@cdktf/hcl-tools/package.json ]; then
  echo "setup: installing the HCL formatter into infra/tools/node_modules"
  (cd infra/tools && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
[ -x "$VENV/bin/checkround" ] || { "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps -e .; rm -rf functions/checkround.egg-info; }  # the checkround CLI (editable); egg-info would be litter in the functions bundle
