#!/usr/bin/env bash
# End-to-end check of the Supergraph realm on a real Keycloak (scripts/keycloak.sh):
# tokens for a person (password grant) and partners (client credentials), their claims, and
# disabling a user through the admin REST API with the supergraph-admin service account.
# Uses its own state dir and port, so it does not touch an instance started by hand. Exits non-zero
# on any failure and ends with "keycloak-smoke: N passed, M failed".
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KC="$ROOT/scripts/keycloak.sh"
STATE="$(mktemp -d "${TMPDIR:-/tmp}/keycloak-smoke.XXXXXX")"
export KEYCLOAK_STATE_DIR="$STATE"

USER_PASSWORD="${SUPERGRAPH_USER_PASSWORD:-user-password}"
ACME_SECRET="${PARTNER_ACME_SECRET:-acme-dev-secret}"
ADMIN_CLIENT_SECRET="${SUPERGRAPH_ADMIN_CLIENT_SECRET:-admin-client-dev-secret}"
# Proves that ${VAR:default} placeholders in the realm file are resolved from the environment.
export PARTNER_GLOBEX_SECRET="${PARTNER_GLOBEX_SECRET:-smoke-globex-secret}"

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   - $*"; }
fail() { failed=$((failed + 1)); echo "FAIL - $*"; }
check() { # check "description" command...
  local desc="$1"; shift
  if "$@"; then ok "$desc"; else fail "$desc"; fi
}

cleanup() {
  local rc=$?
  "$KC" stop >/dev/null 2>&1 || echo "warning: keycloak stop failed" >&2
  if [ "$rc" -ne 0 ] && [ -f "$STATE/keycloak.log" ]; then
    echo "--- last lines of the Keycloak log ---" >&2
    tail -30 "$STATE/keycloak.log" >&2
  fi
  rm -rf "$STATE"
}
trap cleanup EXIT

"$KC" start | tee "$STATE/start.out"
KEYCLOAK_URL="$(sed -n 's/^KEYCLOAK_URL=//p' "$STATE/start.out")"
ISSUER="$(sed -n 's/^OIDC_ISSUER=//p' "$STATE/start.out")"
if [ -z "$KEYCLOAK_URL" ] || [ -z "$ISSUER" ]; then echo "start printed no KEYCLOAK_URL/OIDC_ISSUER" >&2; exit 1; fi
TOKEN_URL="$ISSUER/protocol/openid-connect/token"
ADMIN_API="$KEYCLOAK_URL/admin/realms/supergraph"

# token_request OUTFILE curl-args...  -> HTTP status on stdout, body in OUTFILE
token_request() { local out="$1"; shift; curl -sS -o "$out" -w '%{http_code}' "$@" "$TOKEN_URL"; }

# claims FILE: decoded access-token payload (JSON) of a token response
claims() {
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    if (!r.access_token) { console.error(JSON.stringify(r)); process.exit(1); }
    const p = r.access_token.split(".")[1];
    console.log(JSON.stringify(JSON.parse(Buffer.from(p, "base64url").toString("utf8")), null, 2));
  ' "$1"
}

# assert_claims NAME CLAIMS_FILE JS_EXPRESSION  (c = payload, issuer = expected issuer)
assert_claims() {
  local name="$1" file="$2" expr="$3"
  if ISSUER="$ISSUER" node -e '
      const c = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      const issuer = process.env.ISSUER;
      const aud = [].concat(c.aud ?? []);
      const roles = c.realm_access?.roles ?? [];
      const scopes = (c.scope ?? "").split(" ");
      process.exit(eval(process.argv[2]) ? 0 : 1);
    ' "$file" "$expr"; then ok "$name"; else fail "$name  [$expr]"; fi
}

common_checks() { # common_checks LABEL CLAIMS_FILE AZP
  assert_claims "$1: iss ends with /realms/supergraph" "$2" 'c.iss === issuer && c.iss.endsWith("/realms/supergraph")'
  assert_claims "$1: aud includes supergraph-api" "$2" 'aud.includes("supergraph-api")'
  assert_claims "$1: exp - iat == 300" "$2" 'c.exp - c.iat === 300'
  assert_claims "$1: azp is $3" "$2" "c.azp === '$3'"
  assert_claims "$1: has sub and preferred_username" "$2" 'typeof c.sub === "string" && typeof c.preferred_username === "string"'
}

echo "# alice: password grant via supergraph-web"
code="$(token_request "$STATE/alice.json" -d grant_type=password -d client_id=supergraph-web \
  -d username=alice --data-urlencode "password=$USER_PASSWORD" -d scope=openid)"
check "alice: password grant answers 200 (got $code)" [ "$code" = 200 ]
if claims "$STATE/alice.json" >"$STATE/alice.claims"; then
  cat "$STATE/alice.claims"
  common_checks alice "$STATE/alice.claims" supergraph-web
  assert_claims "alice: realm role user" "$STATE/alice.claims" 'roles.includes("user")'
  assert_claims "alice: no privileged roles" "$STATE/alice.claims" '!roles.some(r => ["admin","moderator","billing-admin","partner"].includes(r))'
  assert_claims "alice: preferred_username and email" "$STATE/alice.claims" 'c.preferred_username === "alice" && c.email === "alice@supergraph.example"'
else fail "alice: no access token"; fi

echo "# partner-acme: client credentials"
code="$(token_request "$STATE/acme.json" -u "partner-acme:$ACME_SECRET" -d grant_type=client_credentials)"
check "partner-acme: client credentials answer 200 (got $code)" [ "$code" = 200 ]
if claims "$STATE/acme.json" >"$STATE/acme.claims"; then
  cat "$STATE/acme.claims"
  common_checks partner-acme "$STATE/acme.claims" partner-acme
  assert_claims "partner-acme: realm role partner" "$STATE/acme.claims" 'roles.includes("partner")'
  assert_claims "partner-acme: scopes partner:orders and partner:read" "$STATE/acme.claims" 'scopes.includes("partner:orders") && scopes.includes("partner:read")'
else fail "partner-acme: no access token"; fi

echo "# partner-globex: client credentials, secret taken from \$PARTNER_GLOBEX_SECRET"
code="$(token_request "$STATE/globex.json" -u "partner-globex:$PARTNER_GLOBEX_SECRET" -d grant_type=client_credentials)"
check "partner-globex: env-provided secret accepted (got $code)" [ "$code" = 200 ]
if claims "$STATE/globex.json" >"$STATE/globex.claims"; then
  assert_claims "partner-globex: partner:read without partner:orders" "$STATE/globex.claims" 'scopes.includes("partner:read") && !scopes.includes("partner:orders") && roles.includes("partner")'
else fail "partner-globex: no access token"; fi
code="$(token_request "$STATE/web-cc.json" -d grant_type=client_credentials -d client_id=supergraph-web)"
check "supergraph-web (public) cannot use client credentials (got $code)" [ "$code" != 200 ]

echo "# supergraph-admin: disable alice through the admin REST API"
code="$(token_request "$STATE/admin.json" -u "supergraph-admin:$ADMIN_CLIENT_SECRET" -d grant_type=client_credentials)"
check "supergraph-admin: client credentials answer 200 (got $code)" [ "$code" = 200 ]
ADMIN_TOKEN="$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).access_token ?? "")' "$STATE/admin.json")"
ALICE_ID="$(curl -sS -H "Authorization: Bearer $ADMIN_TOKEN" "$ADMIN_API/users?username=alice&exact=true" |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{console.log(JSON.parse(s)[0]?.id ?? "")}catch{console.log("")}})')"
check "admin API finds alice (id=$ALICE_ID)" [ -n "$ALICE_ID" ]
code="$(curl -sS -o /dev/null -w '%{http_code}' -X PUT -H "Authorization: Bearer $ADMIN_TOKEN" \
  -H 'Content-Type: application/json' -d '{"enabled":false}' "$ADMIN_API/users/$ALICE_ID")"
check "PUT users/{id} enabled=false answers 204 (got $code)" [ "$code" = 204 ]
code="$(token_request "$STATE/alice2.json" -d grant_type=password -d client_id=supergraph-web \
  -d username=alice --data-urlencode "password=$USER_PASSWORD")"
check "disabled alice cannot log in (got $code: $(head -c 120 "$STATE/alice2.json"))" [ "$code" = 400 ]
code="$(token_request "$STATE/bob.json" -d grant_type=password -d client_id=supergraph-web \
  -d username=bob --data-urlencode "password=$USER_PASSWORD")"
check "bob still logs in (got $code)" [ "$code" = 200 ]

echo "keycloak-smoke: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
