#!/usr/bin/env bash
# Installs what the test suite needs beyond the Python packages: the pinned Langfuse
# SDK environments, Chromium for the browser tests, and PostgreSQL's server binaries.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {
  if [ "$(id -u)" != "0" ]; then
    echo "test-deps: $* missing and not root; install it with apt-get" >&2
    return 1
  fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || apt_install chromium
command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_install postgresql

if [ -x scripts/sdk-envs.sh ]; then
  bash scripts/sdk-envs.sh
fi
