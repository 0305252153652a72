#!/usr/bin/env bash
# Runs the pinned OPA CLI, building it from its Go module on first use.
#
# OPA ships no npm package or Debian package, so it is built with the machine's Go toolchain
# (`go install` of a pinned tag). The binary lives in a cache outside the repo, keyed by version,
# so bumping OPA_VERSION never reuses a stale binary. The version is pinned because committed
# policy bundles are compared byte-for-byte with rebuilt ones: wasm output is reproducible from
# OPA v1.18 on, but may still change between OPA versions.
#
# Usage: scripts/opa.sh <opa args>        e.g. scripts/opa.sh test policies
#        scripts/opa.sh --print-path      prints the binary's path (installing it if missing)
#        scripts/opa.sh --regal <args>    runs regal if it can be installed (exit 127 if not)
#
# Env: SUPERGRAPH_CACHE (default $HOME/.cache/supergraph), GO (default: go on PATH, else
# /usr/local/go/bin/go).
set -euo pipefail

OPA_VERSION="v1.22.2"
# Regal is OPA's linter. Its Go module is not served by the module proxy this project can reach
# (403 for github.com/open-policy-agent/regal and github.com/styrainc/regal), so installing it is
# best effort: `scripts/policies.sh check` lints only when this succeeds.
REGAL_MODULE="github.com/open-policy-agent/regal"
REGAL_VERSION="v0.38.1"

cache_root="${SUPERGRAPH_CACHE:-$HOME/.cache/supergraph}"
opa_dir="$cache_root/opa-$OPA_VERSION"
opa_bin="$opa_dir/opa"

# shellcheck source=lib/go-tool.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/go-tool.sh"

ensure_opa() {
  if [[ ! -x "$opa_bin" ]]; then
    go_install "$opa_dir" opa "github.com/open-policy-agent/opa@$OPA_VERSION"
  fi
}

case "${1:-}" in
  --print-path)
    ensure_opa
    echo "$opa_bin"
    ;;
  --regal)
    shift
    regal_dir="$cache_root/regal-$REGAL_VERSION"
    if [[ ! -x "$regal_dir/regal" ]]; then
      # Remember a failed attempt so every check does not retry a build that cannot succeed.
      if [[ -e "$regal_dir.unavailable" ]]; then
        exit 127
      fi
      if ! go_install "$regal_dir" regal "$REGAL_MODULE@$REGAL_VERSION" 2>/dev/null; then
        mkdir -p "$cache_root" && touch "$regal_dir.unavailable"
        exit 127
      fi
    fi
    exec "$regal_dir/regal" "$@"
    ;;
  *)
    ensure_opa
    exec "$opa_bin" "$@"
    ;;
esac
