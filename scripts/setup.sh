#!/usr/bin/env bash
# Set up kgraph in a virtual environment (.venv) with its test extras. Safe to run again.
#
#   scripts/setup.sh            # then: . .venv/bin/activate
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
py=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$py" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"
# Debian packages the readers call: Tesseract and its Vietnamese data, to read scanned PDFs (OCR).
if ! command -v tesseract >/dev/null 2>&1 || ! tesseract --list-langs 2>/dev/null | grep -x vie >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Tesseract OCR with Vietnamese data (apt-get install tesseract-ocr tesseract-ocr-vie)"
    { DEBIAN_FRONTEND=noninteractive apt-get update -qq \
        && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr tesseract-ocr-vie >/dev/null; } \
      || echo "setup.sh: apt-get could not install tesseract-ocr tesseract-ocr-vie: scanned PDFs will be refused" >&2
  else
    echo "setup.sh: Tesseract with Vietnamese data is missing and this script installs it only as root with apt-get;" \
         "scanned PDFs will be refused until you run: sudo apt-get install tesseract-ocr tesseract-ocr-vie" >&2
  fi
fi
# Debian packages the page tests drive: headless Chromium and its WebDriver (same source package, same version).
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Chromium for the page tests (apt-get install chromium chromium-driver)"
    { DEBIAN_FRONTEND=noninteractive apt-get update -qq \
        && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; } \
      || echo "setup.sh: apt-get could not install chromium chromium-driver: the page tests will skip (and fail in CI)" >&2
  else
    echo "setup.sh: Chromium is missing and this script installs it only as root with apt-get; the page tests" \
         "skip until you run: sudo apt-get install chromium chromium-driver" >&2
  fi
fi
echo "kgraph is installed in $root/.venv (activate with: . .venv/bin/activate)"
