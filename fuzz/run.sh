#!/usr/bin/env bash
# Runs every fuzz target for a bounded time and reports executions and crashes.
#
#   fuzz/run.sh [seconds-per-target [target...]]      (default: 60 s, every target)
#
# Installs cargo-fuzz if it is missing. Exits non-zero if any target crashed, leaked, timed
# out or failed to build; crash inputs are in fuzz/artifacts/<target>/, logs in fuzz/logs/.
# Not part of CI: the main test suite stays fast.
set -euo pipefail
cd "$(dirname "$0")"

seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 [seconds-per-target [target...]]" >&2
  exit 2
fi
shift $(( $# > 0 ? 1 : 0 ))

# cargo-fuzz passes unstable flags to rustc (-Zsanitizer=address, -Cpasses=sancov-module and
# friends), which only a nightly compiler accepts. The machines have only the stable
# toolchain; RUSTC_BOOTSTRAP=1 makes that compiler accept the unstable flags.
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

targets=(multipart_parse envelope_parse identifier_parse verify_request)
# Committed seeds; the envelope seeds are the Annex A fixtures of the main test suite. The
# verify_request seeds are written by `cargo run --bin gen_verify_seeds` (see README.md).
declare -A seeds=(
  [multipart_parse]=seeds/multipart_parse
  [envelope_parse]=../tests/fixtures/annex-a
  [identifier_parse]=seeds/identifier_parse
  [verify_request]=seeds/verify_request
)
if [ $# -gt 0 ]; then
  for target in "$@"; do
    if [ -z "${seeds[$target]+set}" ]; then
      echo "unknown target $target; targets: ${targets[*]}" >&2
      exit 2
    fi
  done
  targets=("$@")
fi

# Target by target: `cargo fuzz build` without one would also build gen_verify_seeds, which
# is no fuzz target.
for target in "${targets[@]}"; do
  cargo fuzz build "$target"
done

mkdir -p logs
failed=()
summary=()
for target in "${targets[@]}"; do
  # New inputs go to the first directory (corpus/, not committed); seeds are only read.
  mkdir -p "corpus/$target"
  log="logs/$target.log"
  echo "== $target: ${seconds}s"
  status=0
  cargo fuzz run "$target" "corpus/$target" "${seeds[$target]}" -- \
    -max_total_time="$seconds" \
    -timeout=10 \
    -dict="dict/$target.dict" \
    -print_final_stats=1 \
    >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1 || true)
  if [ "$status" -ne 0 ]; then
    failed+=("$target")
    summary+=("$target: FAILED (exit $status), see $log and artifacts/$target/")
    tail -n 40 "$log"
  else
    summary+=("$target: ok, ${runs:-?} runs, ${speed:-?} exec/s, ${cov:-cov: ?}")
  fi
done

echo
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "crashed: ${failed[*]}" >&2
  exit 1
fi
