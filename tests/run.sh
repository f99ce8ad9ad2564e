#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what the external-tool tests need
# (xmllint from libxml2-utils, the openssl command), then runs every test of the workspace,
# including the downstream crate and the `xroad-codegen --check` of the checked-in bindings.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v xmllint >/dev/null || missing+=(libxml2-utils)
command -v openssl >/dev/null || missing+=(openssl)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

cargo test --workspace --all-targets
# The command line of the generator is behind its `cli` feature.
cargo test -p xroad-codegen --features cli --test cli
cargo test --workspace --doc
