#!/usr/bin/env bash
# Checks, builds and verifies the OPA policy bundle in policies/.
#
#   scripts/policies.sh check    opa fmt, opa check --strict, opa test with coverage, regal lint
#   scripts/policies.sh build    writes policies/bundles/supergraph.tar.gz and, for reading,
#                                policies/bundles/supergraph/{policy.wasm,data.json,.manifest}
#   scripts/policies.sh verify   fails when the committed bundle differs from a fresh build
#
# The bundle is committed beside its sources (the embedded default runs without the OPA
# toolchain), so a build must be a pure function of the sources: OPA is pinned in
# scripts/opa.sh, tar entries carry epoch timestamps, and the revision is a hash of the bundled
# sources and the OPA version instead of a date or a git SHA.
#
# Env: POLICY_COVERAGE_MIN (default 100) — minimum `opa test --coverage` percentage.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

opa="scripts/opa.sh"
src="policies"
bundles="$src/bundles"
coverage_min="${POLICY_COVERAGE_MIN:-100}"

# One wasm entrypoint per decision. Each decision rule also carries `entrypoint: true` in its
# METADATA; the build fails when this list and the annotations disagree.
entrypoints=(
  supergraph/billing/invoice/decision
  supergraph/content/post/delete
  supergraph/content/post/edit
  supergraph/content/post/read
  supergraph/moderation/queue/decision
  supergraph/partner/scope/decision
  supergraph/users/profile/decision
)

# Built output lives under policies/ too; never load it back as policy data.
load_ignores=(--ignore bundles)

die() {
  echo "scripts/policies.sh: $*" >&2
  exit 1
}

# revision: sha256 over the OPA version and every bundled source file (path and content),
# cut to 16 hex digits. Test files are not bundled, so they do not change it.
revision() {
  local opa_version
  opa_version="$("$opa" version | sed -n 's/^Version: //p')"
  {
    echo "opa $opa_version"
    find "$src" -path "$bundles" -prune -o -type f \
      \( -name '*.rego' -o -name '*.json' -o -name '*.yaml' -o -name '*.yml' \) \
      ! -name '*_test.rego' -print0 |
      LC_ALL=C sort -z | xargs -0 sha256sum
  } | sha256sum | cut -c1-16
}

# build_into <dir>: <dir>/supergraph.tar.gz and <dir>/supergraph/{policy.wasm,data.json,.manifest}.
build_into() {
  local out="$1" args=() ep unpacked built expected
  for ep in "${entrypoints[@]}"; do
    args+=(-e "$ep")
  done
  "$opa" build -t wasm "${args[@]}" "${load_ignores[@]}" --ignore '*_test.rego' \
    --revision "$(revision)" -o "$out/supergraph.tar.gz" "$src"

  # Entry names are absolute (/policy.wasm); tar's note about stripping the slash is noise.
  unpacked="$out/unpacked"
  mkdir -p "$unpacked" "$out/supergraph"
  if ! tar -xzf "$out/supergraph.tar.gz" -C "$unpacked" 2>"$out/tar.log"; then
    cat "$out/tar.log" >&2
    die "could not unpack $out/supergraph.tar.gz"
  fi
  cp "$unpacked/policy.wasm" "$unpacked/data.json" "$unpacked/.manifest" "$out/supergraph/"
  chmod 644 "$out/supergraph/policy.wasm" "$out/supergraph/data.json" "$out/supergraph/.manifest"

  built="$("$opa" eval --stdin-input -f raw \
    'concat("\n", sort([w.entrypoint | some w in input.wasm]))' <"$out/supergraph/.manifest")"
  expected="$(printf '%s\n' "${entrypoints[@]}" | LC_ALL=C sort)"
  if [[ "$built" != "$expected" ]]; then
    die "entrypoints in scripts/policies.sh and 'entrypoint: true' annotations disagree:
--- scripts/policies.sh
$expected
--- built bundle
$built"
  fi
}

cmd_check() {
  echo "== opa fmt"
  "$opa" fmt --fail -l "$src" || die "unformatted Rego above: run scripts/opa.sh fmt -w policies"
  echo "== opa check --strict"
  "$opa" check --strict "${load_ignores[@]}" "$src"
  echo "== opa test"
  "$opa" test "${load_ignores[@]}" "$src"
  local report coverage
  report="$(mktemp)"
  # --threshold makes opa exit non-zero below the minimum; print the figures either way.
  if "$opa" test --coverage --threshold "$coverage_min" "${load_ignores[@]}" "$src" >"$report"; then
    coverage="$("$opa" eval --stdin-input -f raw 'input.coverage' <"$report")"
    echo "coverage: ${coverage}% (minimum ${coverage_min}%)"
    rm -f "$report"
  else
    "$opa" eval --stdin-input -f pretty \
      '{f: c.not_covered | some f, c in input.files; c.not_covered}' <"$report" >&2 || cat "$report" >&2
    rm -f "$report"
    die "coverage below ${coverage_min}% (uncovered lines above)"
  fi
  echo "== regal lint"
  local rc=0
  "$opa" --regal lint "$src" || rc=$?
  case "$rc" in
    0) ;;
    127) echo "regal: not installable here (module not served by the Go proxy); skipped" ;;
    *) die "regal lint failed" ;;
  esac
}

# Scratch folder for a fresh build; removed on exit.
tmp=""
make_tmp() {
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
}

cmd_build() {
  make_tmp
  build_into "$tmp"
  # Replace the previous output whole, so a file dropped from the bundle disappears here too.
  mkdir -p "$bundles"
  rm -rf "$bundles/supergraph"
  mv "$tmp/supergraph" "$bundles/supergraph"
  mv "$tmp/supergraph.tar.gz" "$bundles/supergraph.tar.gz"
  echo "built $bundles/supergraph.tar.gz (revision $(revision))"
}

cmd_verify() {
  make_tmp
  [[ -f "$bundles/supergraph.tar.gz" ]] || die "$bundles/supergraph.tar.gz is missing: run scripts/policies.sh build and commit it"
  build_into "$tmp"
  if ! cmp -s "$tmp/supergraph.tar.gz" "$bundles/supergraph.tar.gz" ||
    ! diff -r "$tmp/supergraph" "$bundles/supergraph" >/dev/null; then
    diff -rq "$tmp/supergraph" "$bundles/supergraph" >&2 || true
    cmp "$tmp/supergraph.tar.gz" "$bundles/supergraph.tar.gz" >&2 || true
    die "the committed policy bundle in $bundles/ does not match its sources (or the pinned OPA version).
Run scripts/policies.sh build and commit policies/bundles/."
  fi
  echo "policy bundle is up to date (revision $(revision))"
}

case "${1:-}" in
  check) cmd_check ;;
  build) cmd_build ;;
  verify) cmd_verify ;;
  *)
    echo "usage: scripts/policies.sh check|build|verify" >&2
    exit 2
    ;;
esac
