# Sourced by scripts/opa.sh and scripts/helm.sh: builds a pinned Go tool from the module proxy into
# the cache outside the repository (${SUPERGRAPH_CACHE:-$HOME/.cache/supergraph}).
# Env: GO (default: go on PATH, else /usr/local/go/bin/go).

find_go() {
  if [[ -n "${GO:-}" ]]; then
    echo "$GO"
  elif command -v go >/dev/null 2>&1; then
    command -v go
  elif [[ -x /usr/local/go/bin/go ]]; then
    echo /usr/local/go/bin/go
  else
    echo "$(basename "$0"): Go toolchain not found (set GO=/path/to/go); the tool is built from source" >&2
    exit 1
  fi
}

# go_install <dir> <binary> <module@version>: installs into a temp dir, then renames it into
# place, so an interrupted build never leaves a half-written binary that looks installed, and two
# concurrent first runs do not trip over each other.
go_install() {
  local dest="$1" bin="$2" pkg="$3" go tmp t0=$SECONDS
  go="$(find_go)"
  mkdir -p "$(dirname "$dest")"
  tmp="$(mktemp -d "$(dirname "$dest")/.install.XXXXXX")"
  chmod 755 "$tmp"
  echo "$(basename "$0"): building $pkg (first use; takes a minute or two)" >&2
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
  echo "$(basename "$0"): installed $pkg in $dest in $((SECONDS - t0)) s" >&2
}
