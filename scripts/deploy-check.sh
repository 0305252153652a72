#!/usr/bin/env bash
# Checks the deployment artefacts without a cluster or a Docker engine:
#   1. `helm lint --strict` of helm/supergraph with the production and the development values;
#   2. `helm template` with each, rendered into a temporary folder (kept with --keep);
#   3. the rendered manifests and docker-compose.yml checked by deploy/src/check.ts (probes, limits,
#      security context, HPA, PDB, NetworkPolicy, supergraph mount; healthchecks, pinned images,
#      relative paths, depends_on conditions, the observability profile).
# Exits non-zero on the first failing step. Helm comes from scripts/helm.sh (pinned, built once).
#
# Usage: scripts/deploy-check.sh [--keep]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

keep=false
[[ "${1:-}" == "--keep" ]] && keep=true

chart=helm/supergraph
out="$(mktemp -d "${TMPDIR:-/tmp}/supergraph-deploy-check.XXXXXX")"
if [[ "$keep" == false ]]; then
  trap 'rm -rf "$out"' EXIT
fi

helm() { bash scripts/helm.sh "$@"; }

# The files a release passes with --set-file. Any PEM renders: a real production install passes the
# production signing key (the development key is refused at start-up with NODE_ENV=production).
files=(--set-file supergraph=supergraph.graphql --set-file policy.publicKey=policies/keys/dev-bundle-signing.pub.pem)

for env in production development; do
  values="$chart/values-$env.yaml"
  echo "=== helm lint ($env)"
  helm lint --strict "$chart" -f "$values" "${files[@]}"
  echo "=== helm template ($env) → $out/$env.yaml"
  helm template supergraph "$chart" --namespace supergraph -f "$values" "${files[@]}" >"$out/$env.yaml"
done

echo "=== rendered manifests and docker-compose.yml"
npx --no-install tsx deploy/src/check.ts --compose docker-compose.yml \
  --manifests "$out/production.yaml" "$out/development.yaml"

if [[ "$keep" == true ]]; then
  echo "rendered manifests kept in $out"
fi
echo "deploy-check: ok"
