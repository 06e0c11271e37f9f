# Installs, idempotently, what building and testing Expedite needs on a fresh machine.
# Sourced by scripts/run and scripts/test; each `ensure_*` returns at once when its tool is there.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_DIR="$ROOT/.tools"
VENV="$ROOT/.venv"
CARGO_LEPTOS_VERSION="0.3.10"
BINARYEN_VERSION="132"
export PATH="$HOME/.cargo/bin:$TOOLS_DIR/node_modules/.bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# The wasm-bindgen version the lock file pins; the CLI must match it exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

ensure_wasm_target() {
  rustup target list --installed | grep -qx wasm32-unknown-unknown && return
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
}

ensure_cargo_leptos() {
  if cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then return; fi
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (once; about 15 minutes on 2 cores)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
}

ensure_wasm_bindgen() {
  local want
  want="$(wasm_bindgen_version)"
  if wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $want"; then return; fi
  say "installing wasm-bindgen-cli $want (must equal Cargo.lock's wasm-bindgen)"
  # `--locked` fails for this crate: one of its locked dependencies is no longer published.
  cargo install wasm-bindgen-cli --version "$want" --force
}

ensure_wasm_opt() {
  if wasm-opt --version 2>/dev/null | grep -q "version $BINARYEN_VERSION"; then return; fi
  say "installing wasm-opt (binaryen $BINARYEN_VERSION) into .tools/"
  mkdir -p "$TOOLS_DIR"
  npm install --prefix "$TOOLS_DIR" --no-audit --no-fund --silent "binaryen@$BINARYEN_VERSION"
}

ensure_build_tools() {
  ensure_wasm_target
  ensure_cargo_leptos
  ensure_wasm_bindgen
  ensure_wasm_opt
}

ensure_chromium() {
  [ -x /usr/bin/chromium ] && return
  say "installing Chromium from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
}

ensure_e2e_packages() {
  local stamp="$ROOT/end2end/node_modules/.package-lock.json"
  if [ -f "$stamp" ] && [ "$stamp" -nt "$ROOT/end2end/package-lock.json" ]; then return; fi
  say "installing the end-to-end test packages"
  (cd "$ROOT/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent)
}

ensure_venv() {
  local requirements="$ROOT/scripts/requirements.txt"
  local stamp="$VENV/.requirements"
  if [ -f "$stamp" ] && cmp -s "$stamp" "$requirements"; then return; fi
  say "installing Python test tools into .venv/"
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$stamp"
}

# Where cargo puts build outputs (honours CARGO_TARGET_DIR).
target_dir() {
  echo "${CARGO_TARGET_DIR:-$ROOT/target}"
}
