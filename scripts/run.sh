#!/usr/bin/env bash
# Set up and run Jalon on the embedded default: SQLite, Celery tasks in-process.
# Creates .venv, installs, migrates, seeds the demo data and serves http://127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
PORT=${PORT:-8000}
export DEBUG=${DEBUG:-1}

if [ ! -x .venv/bin/python ]; then
  echo "Creating the virtual environment in .venv"
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .

.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py seed_demo
echo
echo "Jalon runs at http://127.0.0.1:${PORT}/"
echo "  log in as alice / jalon-demo (sales rep), bruno / jalon-demo (sales rep)"
echo "  or manager / jalon-demo (sales manager, admin at /admin/)"
echo
exec .venv/bin/python manage.py runserver "127.0.0.1:${PORT}"
