#!/usr/bin/env bash
# Debian packages the project needs: Redis for Celery, Chromium and its language packs for
# the browser tests, CJK fonts so Chinese renders in screenshots, tesseract (Chinese and
# English data) and poppler's pdftoppm to OCR scanned PDFs and images, PostgreSQL for the test
# command's second database (scripts/postgres.sh). Installs only what is missing.
set -euo pipefail
missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
[ -x /usr/bin/chromium ] || missing+=(chromium)
dpkg -s chromium-l10n >/dev/null 2>&1 || missing+=(chromium-l10n)  # its widgets in Chinese for zh pages
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
command -v tesseract >/dev/null || missing+=(tesseract-ocr)
dpkg -s tesseract-ocr-eng >/dev/null 2>&1 || missing+=(tesseract-ocr-eng)
dpkg -s tesseract-ocr-chi-sim >/dev/null 2>&1 || missing+=(tesseract-ocr-chi-sim)
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
command -v python3 >/dev/null || missing+=(python3 python3-venv)
command -v curl >/dev/null || missing+=(curl)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
