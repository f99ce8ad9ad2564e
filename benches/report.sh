#!/usr/bin/env bash
# Runs every benchmark of the workspace and the load test, then writes BENCHMARKS.md: each
# figure next to its baseline measured in the same run, the ratio, the target, the machine
# and the command that reproduces it.
#
#   bash benches/report.sh [--quick]
#
# --quick: shorter criterion measurements (1 s warm-up, 2 s measurement) and a shorter load
# test; the default is 1 s warm-up and 4 s measurement per benchmark, 5 s per load run.
# Installs the openssl command (for `openssl speed`) with apt-get when it is missing.
# Takes about 15 minutes on 2 cores (plus the first release build).
set -euo pipefail
cd "$(dirname "$0")/.."

warm_up=1
measure=4
load_seconds=5
if [ "${1:-}" = "--quick" ]; then
  measure=2
  load_seconds=2
elif [ -n "${1:-}" ]; then
  echo "usage: $0 [--quick]" >&2
  exit 2
fi

if ! command -v openssl >/dev/null; then
  echo "installing openssl"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null
fi

out=target/bench-report
rm -rf "$out" target/criterion target/criterion-debug
mkdir -p "$out"
criterion_args=(--warm-up-time "$warm_up" --measurement-time "$measure")

run() {
  local name=$1
  shift
  echo "== $name: $*" | tee -a "$out/commands.txt"
  "$@" 2>&1 | tee "$out/$name.log" | grep -E '^[a-z0-9_/.-]+$|time:|thrpt:|LOAD|RESULT' || true
  # `tee` hides the command's status; take it from PIPESTATUS.
  local status=${PIPESTATUS[0]}
  if [ "$status" -ne 0 ]; then
    echo "$name failed (exit $status), see $out/$name.log" >&2
    exit 1
  fi
}

# Machine and versions.
{
  echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
  echo "cores=$(nproc)"
  echo "memory=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
  echo "kernel=$(uname -sr)"
  echo "rustc=$(rustc --version)"
  echo "openssl_cli=$(openssl version)"
  echo "openssl_crate=$(awk '/^name = "openssl-src"/ {getline; gsub(/"/, "", $3); print $3}' Cargo.lock)"
  echo "commit=$(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo ' (with uncommitted changes)')"
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
} >"$out/machine.txt"

# The crypto bound with the openssl command, single core.
run openssl_speed openssl speed -seconds "$measure" rsa2048

# The codegen target for a debug build has its own criterion folder, so that the release
# run does not overwrite it.
run codegen_debug env CRITERION_HOME="$PWD/target/criterion-debug" cargo bench --profile dev -p xroad-codegen --bench codegen -- "${criterion_args[@]}"

run codegen cargo bench -p xroad-codegen --bench codegen -- "${criterion_args[@]}"
run generated_envelope cargo bench -p xroad-runtime --bench envelope_serde -- "${criterion_args[@]}"
run runtime_envelope cargo bench -p xroad-runtime --bench envelope -- "${criterion_args[@]}"
run multipart cargo bench -p xroad-runtime --bench multipart -- "${criterion_args[@]}"
run signature cargo bench -p xroad-runtime --bench signature -- "${criterion_args[@]}"
run verify cargo bench -p xroad-runtime --bench verify -- "${criterion_args[@]}"
run store cargo bench -p xroad-central-server --bench store -- "${criterion_args[@]}"
# The load test runs on SQLite and on a throw-away PostgreSQL cluster (started and stopped
# by tests/postgres.sh, which installs Debian's postgresql when it is missing).
run load bash tests/postgres.sh run cargo bench -p xroad-central-server --bench load -- --seconds "$load_seconds"

echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/machine.txt"
python3 benches/report.py \
  --criterion target/criterion \
  --criterion-debug target/criterion-debug \
  --logs "$out" \
  --output BENCHMARKS.md
echo "wrote BENCHMARKS.md"
