#!/usr/bin/env bash
# Prepare this machine: `scripts/setup.sh run` for `make run` and `make demo` (system packages,
# a venv with the runtime, the local stack and the CLI); `scripts/setup.sh test` (the default)
# for `make test`, which adds the test and gate tools: the test-only system packages, the
# Python test tools, checkov's venv and the npm HCL formatter. A first `make run` waits on none
# of those. Idempotent and quick when nothing changed (stamps remember what was installed).
set -euo pipefail
cd "$(dirname "$0")/.."

MODE="${1:-test}"
case "$MODE" in run | test) ;; *) echo "usage: $0 [run|test]" >&2; exit 2 ;; esac

PYTHON="${PYTHON:-python3.11}"
VENV="${VENV:-.venv}"
EMULATOR="${CHECKROUND_EMULATOR_BIN:-/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud_firestore_emulator}"

# System packages: pango for WeasyPrint, a JRE for the Firestore emulator; for the tests,
# poppler-utils for the PDF checks (pdftotext, pdftoppm) and chromium for the browser tests.
# Fonts ship in templates/fonts.
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)
[ "$MODE" = run ] || packages+=(poppler-utils chromium)
need=()
for pkg in "${packages[@]}"; do
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

# Python packages: requirements-run.txt (the runtime, the local stack, the CLI) for run;
# requirements-dev.txt (that and the test tools) for test. One stamp per file set.
install() {  # install <requirements file> <stamp name> <files whose content the stamp sums>
  local file=$1 stamp="$VENV/.$2.sha256" sum
  shift 2
  sum=$(cat "$@" | sha256sum | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
    echo "setup: installing $file into $VENV"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$file"
    echo "$sum" > "$stamp"
  fi
}
install requirements-run.txt requirements-run requirements.txt requirements-run.txt
# The admin CLI as .venv/bin/checkround (editable, its dependencies are in requirements-run.txt);
# egg-info would be litter in the functions bundle.
if [ ! -x "$VENV/bin/checkround" ]; then
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps -e .
  rm -rf functions/checkround.egg-info
fi
if [ "$MODE" = run ]; then exit 0; fi

install requirements-dev.txt requirements-test requirements.txt requirements-run.txt requirements-dev.txt
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
# axe-core for the web form's accessibility test (tests/e2e/test_accessibility.py), the same way.
if command -v npm >/dev/null 2>&1 && [ ! -f tests/e2e/axe/node_modules/axe-core/axe.min.js ]; then
  echo "setup: installing axe-core into tests/e2e/axe/node_modules"
  (cd tests/e2e/axe && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
