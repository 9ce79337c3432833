#!/usr/bin/env bash
# Upgrade a running Tongxin installation with no downtime, after the new code is in place
# (git pull / unpacked release in APP_DIR). Run as the tongxin user (or root) on ONE web node:
#
#   sudo -u tongxin deploy/upgrade.sh
#
# 1. install the pinned requirements, 2. check the configuration, 3. collect static files (the old
# hashed files stay, so pages still being served by old workers keep their CSS), 4. migrate — which is
# safe while the old code runs because every migration follows the rule in the README ("Migrations that
# run before the new code"), 5. reload gunicorn gracefully (new workers on the new code, old ones finish
# their requests) and restart the Celery worker and beat (warm shutdown). Other web nodes: steps 1 and 5
# only (TONGXIN_SKIP_MIGRATE=1 deploy/upgrade.sh).
set -euo pipefail

APP_DIR=${APP_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
ENV_FILE=${TONGXIN_ENV_FILE:-/etc/tongxin/tongxin.env}
PYTHON=${TONGXIN_PYTHON:-$APP_DIR/.venv/bin/python}
PIP=${TONGXIN_PIP:-$APP_DIR/.venv/bin/pip}
# How to reload the web node and restart the workers; the tests point these at their own processes.
RELOAD_WEB=${TONGXIN_RELOAD_WEB:-systemctl reload tongxin-web}
RESTART_WORKERS=${TONGXIN_RESTART_WORKERS:-systemctl try-restart tongxin-worker tongxin-beat}

cd "$APP_DIR"
if [ -f "$ENV_FILE" ]; then
  set -a
  # shellcheck disable=SC1090
  . "$ENV_FILE"
  set +a
fi
export DJANGO_DEBUG=${DJANGO_DEBUG:-0}

step() { printf '== %s\n' "$*"; }

if [ "${TONGXIN_SKIP_INSTALL:-0}" != 1 ]; then
  step "requirements"
  "$PIP" install --quiet -r requirements.txt
fi

step "check"
"$PYTHON" manage.py check --deploy --fail-level ERROR

step "static files"
"$PYTHON" manage.py collectstatic --noinput -v 0

if [ "${TONGXIN_SKIP_MIGRATE:-0}" != 1 ]; then
  step "migrations"
  "$PYTHON" manage.py migrate --noinput
  "$PYTHON" manage.py createcachetable
fi

step "reload web"
$RELOAD_WEB
step "restart worker and beat"
$RESTART_WORKERS
step "done"
