#!/usr/bin/env bash
# Installs what the UI (end-to-end) tests need: Debian's chromium and ripgrep, the tools that
# code-server's native modules compile with, and code-server itself from the npm registry into a
# cache directory outside the repository (so it survives between runs on one machine and is never
# part of the extension's node_modules). Idempotent: when everything is already there it only
# checks and returns within a second or so.
#
# Why each step (see shared/reference/notes/anchors-dap.md §11.2):
#   - code-server 4.100.3 is the last release whose postinstall accepts Node 20;
#   - npm_config_unsafe_perm=true: as root its postinstall otherwise stops with "--unsafe-perm";
#   - npm_config_yes=true: node-pty's postinstall runs `npx node-gyp`, which cancels with yes=false;
#   - @vscode/ripgrep@1.15.11 downloads `rg` from GitHub unless a tarball with that name is in its
#     cache directory under $TMPDIR: we build one from Debian's /usr/bin/rg.
#
# Output: human-readable progress on stderr; on success the last lines on stdout are
#   VMM_E2E_CODE_SERVER=<path of the code-server launcher>
#   VMM_E2E_CHROMIUM=<path of the chromium binary>
# Exit codes:
#   0  ready
#   3  cannot install here and CI is not set: a line `VMM_E2E_SKIP=<why>` on stdout says why
#      (test/e2e/run.mjs reports "e2e skipped: <why>")
#   1  cannot install and CI=true (or an unexpected error): the explanation is on stderr
#
# Environment:
#   VMM_E2E_HOME      cache directory (default ${XDG_CACHE_HOME:-$HOME/.cache}/vmm-lab-e2e)
#   VMM_E2E_CHROMIUM  chromium binary to use (default: chromium or chromium-browser on PATH)
#   VMM_E2E_NO_APT=1  never run apt-get (report what is missing instead)
set -uo pipefail

CODE_SERVER_VERSION=4.100.3
CODE_SERVER_NODE_MAJOR=20
RIPGREP_PKG_VERSION=1.15.11
RIPGREP_TARBALL=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
APT_PACKAGES=(chromium ripgrep build-essential python3 pkg-config libkrb5-dev)

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
E2E_HOME="${VMM_E2E_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/vmm-lab-e2e}"
CS_DIR="$E2E_HOME/code-server-$CODE_SERVER_VERSION"
CS_BIN="$CS_DIR/node_modules/.bin/code-server"
CS_STAMP="$CS_DIR/.installed"

log() { printf '[e2e setup] %s\n' "$*" >&2; }

# Cannot go on. Under CI this is a failure; on a developer's machine it is a visible skip.
cannot() {
  local why="$1"
  if [[ "${CI:-}" == "true" || "${CI:-}" == "1" ]]; then
    log "FAILED (CI=true, so this is an error, not a skip): $why"
    exit 1
  fi
  log "cannot prepare the UI tests: $why"
  log "the e2e tests will be reported as SKIPPED; fix the above (or set CI=true to make this fail)"
  printf 'VMM_E2E_SKIP=%s\n' "$why"
  exit 3
}

have() { command -v "$1" >/dev/null 2>&1; }

find_chromium() {
  if [[ -n "${VMM_E2E_CHROMIUM:-}" ]]; then
    [[ -x "$VMM_E2E_CHROMIUM" ]] && { echo "$VMM_E2E_CHROMIUM"; return 0; }
    return 1
  fi
  local c
  for c in chromium chromium-browser; do
    if have "$c"; then command -v "$c"; return 0; fi
  done
  return 1
}

code_server_ok() {
  [[ -f "$CS_STAMP" && -x "$CS_BIN" ]]
}

# ---------------------------------------------------------------------------------------------
# 0. Basic preconditions
# ---------------------------------------------------------------------------------------------
if [[ "$(uname -s)" != "Linux" ]]; then
  cannot "the e2e harness runs on Linux only (found $(uname -s))"
fi
if [[ ! -d "$REPO/node_modules/playwright-core" ]]; then
  cannot "playwright-core is not installed in $REPO/node_modules (run 'npm ci' first)"
fi

mkdir -p "$E2E_HOME" || cannot "cannot create the cache directory $E2E_HOME"
# One setup at a time per cache directory (two sessions on one machine may share it).
exec 9>"$E2E_HOME/.lock"
if have flock; then flock 9; fi

# ---------------------------------------------------------------------------------------------
# 1. System packages (only what is still missing; nothing at all when everything is there)
# ---------------------------------------------------------------------------------------------
missing=()
find_chromium >/dev/null || missing+=(chromium)
if ! code_server_ok; then
  # Needed only to install code-server (compiling its native modules, the ripgrep tarball).
  have rg || missing+=(ripgrep)
  { have g++ && have make; } || missing+=(build-essential)
  have python3 || missing+=(python3)
  have pkg-config || missing+=(pkg-config)
  have krb5-config || missing+=(libkrb5-dev)
fi

if ((${#missing[@]})); then
  log "missing: ${missing[*]}"
  if [[ "${VMM_E2E_NO_APT:-}" == "1" ]]; then
    cannot "missing ${missing[*]} and VMM_E2E_NO_APT=1 forbids apt-get"
  fi
  have apt-get || cannot "missing ${missing[*]} and there is no apt-get here: install them by hand (or set VMM_E2E_CHROMIUM)"
  SUDO=()
  if [[ "$(id -u)" != 0 ]]; then
    if have sudo && sudo -n true 2>/dev/null; then SUDO=(sudo -n); else
      cannot "missing ${missing[*]}; installing them needs root (apt-get install ${APT_PACKAGES[*]})"
    fi
  fi
  t0=$SECONDS
  apt_log="$E2E_HOME/apt.log"
  log "apt-get update (log: $apt_log)"
  if ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update >"$apt_log" 2>&1; then
    tail -n 20 "$apt_log" >&2
    cannot "apt-get update failed (is Debian's package mirror reachable?)"
  fi
  log "apt-get install ${APT_PACKAGES[*]}"
  if ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${APT_PACKAGES[@]}" >>"$apt_log" 2>&1; then
    tail -n 20 "$apt_log" >&2
    cannot "apt-get install ${APT_PACKAGES[*]} failed"
  fi
  log "system packages installed in $((SECONDS - t0)) s"
fi

CHROMIUM="$(find_chromium)" || cannot "no chromium binary found after installing (set VMM_E2E_CHROMIUM)"

# ---------------------------------------------------------------------------------------------
# 2. code-server from the npm registry, into the cache directory
# ---------------------------------------------------------------------------------------------
if ! code_server_ok; then
  node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)" || cannot "node is not on PATH"
  if [[ "$node_major" != "$CODE_SERVER_NODE_MAJOR" ]]; then
    cannot "code-server $CODE_SERVER_VERSION needs Node $CODE_SERVER_NODE_MAJOR, this is Node $(node --version)"
  fi
  have rg || cannot "ripgrep (rg) is needed to install code-server offline"

  t0=$SECONDS
  log "installing code-server@$CODE_SERVER_VERSION into $CS_DIR (first time: a few minutes, native modules compile)"
  # Installed in place; the stamp file written at the end is what marks it complete, so an
  # interrupted install is simply redone next time.
  rm -rf "$CS_DIR"
  rg_bin="$(readlink -f "$(command -v rg)")"
  rg_cache="$CS_DIR/tmp/vscode-ripgrep-cache-$RIPGREP_PKG_VERSION"
  mkdir -p "$rg_cache" || cannot "cannot create $rg_cache"
  # Workaround 3: a tarball with Debian's rg at its root, under the name @vscode/ripgrep looks for.
  mkdir -p "$CS_DIR/tmp/rg-root" && cp "$rg_bin" "$CS_DIR/tmp/rg-root/rg" &&
    tar -czf "$rg_cache/$RIPGREP_TARBALL" -C "$CS_DIR/tmp/rg-root" rg ||
    cannot "could not build the ripgrep cache tarball from $rg_bin"
  printf '{ "name": "vmm-lab-e2e-tools", "private": true }\n' >"$CS_DIR/package.json"

  # Workarounds 1 and 2, plus a TMPDIR that holds the ripgrep tarball.
  if ! (cd "$CS_DIR" &&
        TMPDIR="$CS_DIR/tmp" \
        npm_config_unsafe_perm=true \
        npm_config_yes=true \
        npm_config_fund=false \
        npm_config_audit=false \
        npm_config_update_notifier=false \
        npm install --no-save --no-package-lock --loglevel=warn "code-server@$CODE_SERVER_VERSION" >"$CS_DIR/install.log" 2>&1); then
    tail -n 40 "$CS_DIR/install.log" >&2
    cannot "npm install code-server@$CODE_SERVER_VERSION failed (log above; full log in $CS_DIR/install.log)"
  fi

  # The install only counts if code-server starts and its native modules and rg are in place.
  # (XDG_* keep code-server from writing a config file and logs into the user's home.)
  if ! XDG_CONFIG_HOME="$CS_DIR/tmp/config" XDG_DATA_HOME="$CS_DIR/tmp/data" \
       "$CS_BIN" --version >"$CS_DIR/version.txt" 2>"$CS_DIR/version.err"; then
    cat "$CS_DIR/version.err" >&2
    cannot "code-server was installed but does not start (see $CS_DIR/install.log)"
  fi
  vsc="$CS_DIR/node_modules/code-server/lib/vscode/node_modules"
  for f in node-pty/build/Release/pty.node @vscode/spdlog/build/Release/spdlog.node @vscode/ripgrep/bin/rg; do
    [[ -e "$vsc/$f" ]] || cannot "code-server's $f is missing after the install (see $CS_DIR/install.log)"
  done
  rm -rf "$CS_DIR/tmp" "$CS_DIR/version.err"
  grep -m1 -E '^[0-9]+\.[0-9]+\.[0-9]+ ' "$CS_DIR/version.txt" >"$CS_STAMP" || cannot "code-server --version printed no version"
  log "code-server $(cat "$CS_STAMP") installed in $((SECONDS - t0)) s"
else
  log "code-server $(cat "$CS_STAMP") already installed in $CS_DIR"
fi

printf 'VMM_E2E_CODE_SERVER=%s\n' "$CS_BIN"
printf 'VMM_E2E_CHROMIUM=%s\n' "$CHROMIUM"
exit 0
