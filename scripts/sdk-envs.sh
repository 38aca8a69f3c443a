#!/usr/bin/env bash
# Builds one environment per pinned client (Langfuse SDK versions, OpenTelemetry
# instrumentations) under .sdk-envs/ from the lockfiles committed in tests/sdk/envs/; an
# environment whose lockfile (and this script) is unchanged
# is left alone.
set -euo pipefail
SELF="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$SELF")/.."

ENVS=.sdk-envs
UV=.venv/bin/uv
mkdir -p "$ENVS"

# Bump when the way an environment is built changes: every environment is then rebuilt.
# (Adding an environment to the lists below rebuilds none of the others.)
RECIPE=2

lock_hash() {  # of the files' contents only, so a clone elsewhere gets the same stamp
  { cat "$@"; echo "recipe $RECIPE"; } | sha256sum | cut -d' ' -f1
}

up_to_date() {  # up_to_date DIR HASH
  [ -f "$1/.stamp" ] && [ "$(cat "$1/.stamp")" = "$2" ]
}

python_env() {  # python_env NAME (tests/sdk/envs/NAME/requirements.lock)
  local lock="tests/sdk/envs/$1/requirements.lock" dir="$ENVS/$1" hash
  hash=$(lock_hash "$lock")
  up_to_date "$dir" "$hash" && return 0
  echo "sdk-envs: building $dir"
  rm -rf "$dir"
  python3 -m venv "$dir"
  "$UV" pip sync -q --compile-bytecode --python "$dir/bin/python" "$lock"
  echo "$hash" > "$dir/.stamp"
}

node_env() {  # node_env NAME (tests/sdk/envs/NAME/package.json + package-lock.json)
  local src="tests/sdk/envs/$1" dir="$ENVS/$1" hash
  hash=$(lock_hash "$src/package.json" "$src/package-lock.json")
  up_to_date "$dir" "$hash" && return 0
  echo "sdk-envs: building $dir"
  rm -rf "$dir"
  mkdir -p "$dir"
  cp "$src/package.json" "$src/package-lock.json" "$dir/"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$hash" > "$dir/.stamp"
}

command -v npm >/dev/null 2>&1 || {
  echo "sdk-envs: npm is missing; install Node.js 20 (apt-get install nodejs npm)" >&2
  exit 1
}

for name in py-3.15.0 py-4.18.0 py-5.0.4 pydantic-ai otel-openai-v2; do
  python_env "$name"
done
for name in js-v4 js-v5; do
  node_env "$name"
done
