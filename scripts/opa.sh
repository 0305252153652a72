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

find_go() {
  if [[ -n "${GO:-}" ]]; then
    echo "$GO"
  elif command -v go >/dev/null 2>&1; then
    command -v go
  elif [[ -x /usr/local/go/bin/go ]]; then
    echo /usr/local/go/bin/go
  else
    echo "scripts/opa.sh: Go toolchain not found (set GO=/path/to/go); OPA is built from source" >&2
    exit 1
  fi
}

# go_install <dir> <binary> <module@version>: installs into a temp dir, then renames it into
# place, so an interrupted build never leaves a half-written binary that looks installed, and two
# concurrent first runs do not trip over each other.
go_install() {
  local dest="$1" bin="$2" pkg="$3" go tmp
  go="$(find_go)"
  mkdir -p "$(dirname "$dest")"
  tmp="$(mktemp -d "$(dirname "$dest")/.install.XXXXXX")"
  chmod 755 "$tmp"
  echo "scripts/opa.sh: building $pkg (first use; takes a minute or two)" >&2
  # CGO off: a static binary that does not depend on the host's libc.
  if ! CGO_ENABLED=0 GOFLAGS=-buildvcs=false GOBIN="$tmp" "$go" install "$pkg" >&2; then
    rm -rf "$tmp"
    return 1
  fi
  if [[ -e "$dest" && ! -x "$dest/$bin" ]]; then
    rm -rf "$dest"
  fi
  # mv -T refuses to replace a directory another run has just installed; keep that one.
  mv -T "$tmp" "$dest" 2>/dev/null || rm -rf "$tmp"
}

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
