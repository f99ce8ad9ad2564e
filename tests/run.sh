#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what the external-tool tests need
# (xmllint from libxml2-utils, the openssl command, pip for the Python prometheus_client parsers),
# then runs every test of the workspace,
# including the downstream crate and the `xroad-codegen --check` of the checked-in bindings.
# The tests of the PostgreSQL store get a throw-away cluster (tests/postgres.sh, which installs
# postgresql when it is missing), named by XROAD_TEST_POSTGRES_URL and stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v xmllint >/dev/null || missing+=(libxml2-utils)
command -v openssl >/dev/null || missing+=(openssl)
# The metrics test installs the Python prometheus_client package with pip.
python3 -m pip --version >/dev/null 2>&1 || missing+=(python3-pip)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

pg_env=$(bash tests/postgres.sh start)
eval "$pg_env"
trap 'bash tests/postgres.sh stop "$XROAD_TEST_POSTGRES_DIR"' EXIT

cargo test --workspace --all-targets
# The command line of the generator is behind its `cli` feature.
cargo test -p xroad-codegen --features cli --test cli
cargo test --workspace --doc
