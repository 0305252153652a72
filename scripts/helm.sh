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

# shellcheck source=lib/go-tool.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/go-tool.sh"

ensure_helm() {
  [[ -x "$helm_bin" ]] && return 0
  if ! go_install "$helm_dir" helm "$HELM_MODULE@$HELM_VERSION"; then
    echo "scripts/helm.sh: building Helm failed" >&2
    exit 1
  fi
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
