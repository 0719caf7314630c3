#!/usr/bin/env bash
# Three app processes on one PostgreSQL and one Redis (see README, "Deployment at scale").
set -euo pipefail
export DATABASE_URL=${DATABASE_URL:-postgresql+asyncpg://contacts@127.0.0.1:5432/contacts}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
export STORAGE_SECRET=${STORAGE_SECRET:?set the same STORAGE_SECRET for every process}
export DEMO_DATA=${DEMO_DATA:-false}
# nginx on this host forwards the browser's address; believe X-Forwarded-For from it only.
export FORWARDED_ALLOW_IPS=${FORWARDED_ALLOW_IPS:-127.0.0.1}
for port in 8081 8082 8083; do
    PORT=$port .venv/bin/python main.py &
done
wait
