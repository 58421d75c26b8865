#!/usr/bin/env bash
# Install Debian's PostgreSQL server binaries (initdb, pg_ctl) for the storage tests.
# Idempotent and quiet: does nothing when initdb and pg_ctl are already available
# (on PATH or under /usr/lib/postgresql/<version>/bin). Runs as root in CI, without stdin.
set -euo pipefail

have_pg() {
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    return 0
  fi
  local d
  for d in /usr/lib/postgresql/*/bin; do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
      return 0
    fi
  done
  return 1
}

if have_pg; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-postgres: apt-get not found; install PostgreSQL (initdb, pg_ctl) yourself" >&2
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo -n"
  else
    echo "install-postgres: not root and no sudo; the PostgreSQL tests will be skipped" >&2
    exit 0
  fi
fi

export DEBIAN_FRONTEND=noninteractive
# The package's post-install script creates a default cluster; we do not need it.
$SUDO apt-get update -qq </dev/null >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends postgresql </dev/null >/dev/null

if have_pg; then
  echo "install-postgres: PostgreSQL installed"
else
  echo "install-postgres: installation finished but initdb/pg_ctl were not found" >&2
fi
