#!/usr/bin/env bash
# Runs the pinned Helm CLI, building it from its Go module on first use.
#
# Helm is not on npm or in Debian's packages, and its release downloads are not reachable from this
# project's machines; the Go module proxy is. So it is built with the machine's Go toolchain
# (`go install` of a pinned tag) into a cache outside the repo, keyed by version, so bumping
# HELM_VERSION never reuses a stale binary. Helm 4 reads its own version (and the default
# Kubernetes version for `helm template`) from the Go build info, which `go install` records.
#
# Usage: scripts/helm.sh <helm args>       e.g. scripts/helm.sh lint helm/supergraph
#        scripts/helm.sh --print-path     prints the binary's path (installing it if missing)
#
# Env: SUPERGRAPH_CACHE (default $HOME/.cache/supergraph), GO (default: go on PATH, else
# /usr/local/go/bin/go).
set -euo pipefail

HELM_VERSION="v4.3.1"
HELM_MODULE="helm.sh/helm/v4/cmd/helm"

cache_root="${SUPERGRAPH_CACHE:-$HOME/.cache/supergraph}"
helm_dir="$cache_root/helm-$HELM_VERSION"
helm_bin="$helm_dir/helm"

find_go() {
  if [[ -n "${GO:-}" ]]; then
    echo "$GO"
  elif command -v go >/dev/null 2>&1; then
    command -v go
  elif [[ -x /usr/local/go/bin/go ]]; then
    echo /usr/local/go/bin/go
  else
    echo "scripts/helm.sh: Go toolchain not found (set GO=/path/to/go); Helm is built from source" >&2
    exit 1
  fi
}

# Installs into a temp dir, then renames it into place, so an interrupted build never leaves a
# half-written binary that looks installed, and two concurrent first runs do not trip over each other.
ensure_helm() {
  [[ -x "$helm_bin" ]] && return 0
  local go tmp t0
  go="$(find_go)"
  mkdir -p "$cache_root"
  tmp="$(mktemp -d "$cache_root/.helm-install.XXXXXX")"
  chmod 755 "$tmp"
  t0=$SECONDS
  echo "scripts/helm.sh: building $HELM_MODULE@$HELM_VERSION (first use; takes a few minutes)" >&2
  # CGO off: a static binary that does not depend on the host's libc.
  if ! CGO_ENABLED=0 GOFLAGS=-buildvcs=false GOBIN="$tmp" "$go" install "$HELM_MODULE@$HELM_VERSION" >&2; then
    rm -rf "$tmp"
    echo "scripts/helm.sh: building Helm failed" >&2
    exit 1
  fi
  if [[ -e "$helm_dir" && ! -x "$helm_bin" ]]; then
    rm -rf "$helm_dir"
  fi
  # mv -T refuses to replace a directory another run has just installed; keep that one.
  mv -T "$tmp" "$helm_dir" 2>/dev/null || rm -rf "$tmp"
  echo "scripts/helm.sh: installed Helm $HELM_VERSION in $helm_dir in $((SECONDS - t0)) s" >&2
}

case "${1:-}" in
  --print-path)
    ensure_helm
    echo "$helm_bin"
    ;;
  *)
    ensure_helm
    exec "$helm_bin" "$@"
    ;;
esac
