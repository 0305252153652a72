#!/usr/bin/env bash
# Checks, builds and verifies the OPA policy bundle in policies/.
#
#   scripts/policies.sh check    opa fmt, opa check --strict, opa test with coverage, regal lint
#   scripts/policies.sh build [dir]   writes a SIGNED dir/supergraph.tar.gz (default
#                                     policies/bundles) and, for reading, dir/supergraph/
#                                     {policy.wasm,data.json,.manifest,.signatures.json}
#   scripts/policies.sh verify        sign-check, then fails when the committed bundle differs
#                                     from a fresh build (signed with the development key)
#   scripts/policies.sh sign-check [bundle.tar.gz]
#                                     verifies a bundle's signature with opa (default: the
#                                     committed bundle, against the development public key)
#
# The bundle is committed beside its sources (the embedded default runs without the OPA
# toolchain), so a build must be a pure function of the sources: OPA is pinned in
# scripts/opa.sh, tar entries carry epoch timestamps, and the revision is a hash of the bundled
# sources and the OPA version instead of a date or a git SHA.
#
# Bundles are signed (OPA bundle signing: /.signatures.json holds one RS256 JWT, header kid
# "default", listing the SHA-256 of every file). RSA PKCS#1 v1.5 signatures are deterministic and
# OPA puts no iat/exp in the token, so signed builds stay byte-for-byte reproducible.
#
# Env: POLICY_COVERAGE_MIN (default 100) — minimum `opa test --coverage` percentage.
#      POLICY_SIGNING_KEY — `build`: path to the PEM private key (PKCS#8 or PKCS#1 RSA). Unset:
#        the committed development key in policies/keys/ (never accepted in production).
#      POLICY_VERIFICATION_KEY — `sign-check`: path to the PEM public key (default: the
#        development public key).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

opa="scripts/opa.sh"
src="${POLICY_SOURCE:-policies}" # POLICY_SOURCE: build another copy of the sources (tests publish revisions)
bundles="$src/bundles"
coverage_min="${POLICY_COVERAGE_MIN:-100}"
dev_key="$src/keys/dev-bundle-signing.key.pem"
dev_pub="$src/keys/dev-bundle-signing.pub.pem"
# OPA's default (no --signing-key-id flag exists): the JWT header carries kid "default", and the
# payload the deprecated "keyid": "default" claim. Verifiers look the public key up by this id.
key_id="default"

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

# Built output and keys live under policies/ too; never load them back as policy data.
load_ignores=(--ignore bundles --ignore keys)

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

# build_into <dir> <signing key>: <dir>/supergraph.tar.gz and
# <dir>/supergraph/{policy.wasm,data.json,.manifest,.signatures.json}.
build_into() {
  local out="$1" key="$2" args=() ep unpacked built expected f
  for ep in "${entrypoints[@]}"; do
    args+=(-e "$ep")
  done
  # opa signs only in bundle mode (-b). For a directory without a .manifest, -b loads the same
  # files as plain mode and gives the same bundle (checked with OPA v1.22.2), plus the signature.
  "$opa" build -b -t wasm "${args[@]}" "${load_ignores[@]}" --ignore '*_test.rego' \
    --signing-key "$key" --signing-alg RS256 \
    --revision "$(revision)" -o "$out/supergraph.tar.gz" "$src"

  # Entry names are absolute (/policy.wasm); tar's note about stripping the slash is noise.
  unpacked="$out/unpacked"
  mkdir -p "$unpacked" "$out/supergraph"
  if ! tar -xzf "$out/supergraph.tar.gz" -C "$unpacked" 2>"$out/tar.log"; then
    cat "$out/tar.log" >&2
    die "could not unpack $out/supergraph.tar.gz"
  fi
  for f in policy.wasm data.json .manifest .signatures.json; do
    [[ -f "$unpacked/$f" ]] || die "opa build did not write /$f into $out/supergraph.tar.gz"
    cp "$unpacked/$f" "$out/supergraph/$f"
    chmod 644 "$out/supergraph/$f"
  done

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

# signing_key: the private key for `build`. POLICY_SIGNING_KEY when set; the development key only
# when it is unset (an empty value is a mistake, not a request for the development key).
signing_key() {
  local key
  if [[ -z "${POLICY_SIGNING_KEY+set}" ]]; then
    echo "scripts/policies.sh: POLICY_SIGNING_KEY unset: signing with the DEVELOPMENT key $dev_key (production refuses it)" >&2
    key="$dev_key"
  else
    key="$POLICY_SIGNING_KEY"
    [[ -n "$key" ]] || die "POLICY_SIGNING_KEY is empty (unset it to sign with the development key)"
  fi
  # opa treats a path that does not exist as inline key material and then fails obscurely.
  [[ -f "$key" && -r "$key" ]] || die "signing key '$key' is not a readable file"
  echo "$key"
}

# sign_check <bundle.tar.gz> <public key>: opa loads the bundle with signature verification on
# (JWT signature, key id, every file's digest, no unlisted or missing file) and exits non-zero
# with its reason otherwise. The rebuilt output is thrown away.
sign_check() {
  local bundle="$1" pub="$2" out
  [[ -f "$bundle" ]] || die "$bundle is missing"
  [[ -f "$pub" && -r "$pub" ]] || die "verification key '$pub' is not a readable file"
  out="$(mktemp -d)"
  # opa prints its error ("digest mismatch", "failed to verify JWT signature", ...) on stdout.
  if ! "$opa" build -b "$bundle" --verification-key "$pub" --verification-key-id "$key_id" \
    --signing-alg RS256 -o "$out/checked.tar.gz" >"$out/log" 2>&1; then
    sed 's/^/  opa: /' "$out/log" >&2
    rm -rf "$out"
    die "signature check FAILED for $bundle with public key $pub (opa's reason above)"
  fi
  rm -rf "$out"
  echo "signature OK: $bundle (RS256, kid \"$key_id\", public key $pub)"
}

# Scratch folder for a fresh build; removed on exit.
tmp=""
make_tmp() {
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
}

cmd_build() {
  local dest="${1:-$bundles}" key
  key="$(signing_key)"
  make_tmp
  build_into "$tmp" "$key"
  # Replace the previous output whole, so a file dropped from the bundle disappears here too.
  mkdir -p "$dest"
  rm -rf "$dest/supergraph"
  mv "$tmp/supergraph" "$dest/supergraph"
  mv "$tmp/supergraph.tar.gz" "$dest/supergraph.tar.gz"
  echo "built $dest/supergraph.tar.gz (revision $(revision), signed with $key)"
  if [[ "$key" != "$dev_key" && "$dest" == "$bundles" ]]; then
    echo "scripts/policies.sh: note: $bundles/ is committed signed with the development key; do not commit this build (verify would fail)" >&2
  fi
}

cmd_sign_check() {
  sign_check "${1:-$bundles/supergraph.tar.gz}" "${POLICY_VERIFICATION_KEY:-$dev_pub}"
}

cmd_verify() {
  make_tmp
  [[ -f "$bundles/supergraph.tar.gz" ]] || die "$bundles/supergraph.tar.gz is missing: run scripts/policies.sh build and commit it"
  # The committed bundle is always signed with the development key, whatever POLICY_SIGNING_KEY
  # says: compare with a development-key build.
  sign_check "$bundles/supergraph.tar.gz" "$dev_pub"
  build_into "$tmp" "$dev_key"
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
  build) cmd_build "${2:-}" ;;
  verify) cmd_verify ;;
  sign-check) cmd_sign_check "${2:-}" ;;
  *)
    echo "usage: scripts/policies.sh check | build [dir] | verify | sign-check [bundle.tar.gz]" >&2
    exit 2
    ;;
esac
