#!/usr/bin/env bash
# Builds the npm package into wasm/js/pkg: wasm-pack for the web, nodejs and
# bundler targets (opt-level z, lto), wasm-opt -Oz from npm's binaryen, the JS
# entry points and TypeScript types from lib/, one package.json.
# Needs wasm-pack 0.15.1 and wasm-bindgen-cli 0.2.130 on PATH (scripts/test
# installs them) and `npm ci` in tests/js (for wasm-opt).
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)
export PATH="$root/tests/js/node_modules/.bin:$HOME/.cargo/bin:$PATH"

# The Wasm faces are small and self-contained: the same settings as the
# workspace's `wasm` profile, applied to the release profile wasm-pack uses.
export CARGO_PROFILE_RELEASE_OPT_LEVEL=z CARGO_PROFILE_RELEASE_LTO=true \
  CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 CARGO_PROFILE_RELEASE_PANIC=abort \
  CARGO_PROFILE_RELEASE_STRIP=debuginfo

rm -rf pkg
mkdir -p pkg
for target in web nodejs bundler; do
  dir=${target/nodejs/node}
  wasm-pack --quiet build --release --no-pack --target "$target" --out-dir "pkg/$dir" --out-name ordex_js . -- --locked
  wasm-opt -Oz --enable-bulk-memory --enable-bulk-memory-opt --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types \
    "pkg/$dir/ordex_js_bg.wasm" -o "pkg/$dir/ordex_js_bg.wasm"
  rm -f "pkg/$dir/.gitignore"
done
echo '{ "type": "commonjs" }' > pkg/node/package.json
echo '{ "type": "module" }' > pkg/web/package.json
echo '{ "type": "module" }' > pkg/bundler/package.json
cp lib/*.js lib/*.mjs lib/*.d.ts README.md pkg/
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -1)
cat > pkg/package.json <<JSON
{
  "name": "ordex",
  "version": "$version",
  "description": "Order-exception rules engine: the same Rhai rules and byte-identical decisions in browsers, Node, edge workers and Wasm hosts.",
  "license": "Apache-2.0",
  "type": "module",
  "types": "./index.d.ts",
  "exports": {
    ".": {
      "types": "./index.d.ts",
      "node": "./node.mjs",
      "workerd": "./web.js",
      "worker": "./web.js",
      "browser": "./web.js",
      "default": "./web.js"
    },
    "./web": { "types": "./index.d.ts", "default": "./web.js" },
    "./bundler": { "types": "./index.d.ts", "default": "./bundler.js" },
    "./node": { "types": "./index.d.ts", "default": "./node.mjs" },
    "./ordex_js_bg.wasm": "./web/ordex_js_bg.wasm"
  },
  "files": ["*.js", "*.mjs", "*.d.ts", "web/", "node/", "bundler/", "README.md"],
  "sideEffects": ["./bundler.js", "./bundler/*"],
  "engines": { "node": ">=20" }
}
JSON
ls -l pkg/*/ordex_js_bg.wasm
