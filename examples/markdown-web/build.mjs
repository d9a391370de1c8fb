// Generates the page's glue into ./pkg with the intertype CLI:
//   node build.mjs            (uses target/debug/intertype, or $INTERTYPE)
// then serve this directory: node serve.mjs  →  http://localhost:8080/
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

/** The markdown module: the issue-4 Rust example when built, else the 2019 wasm-bindgen module. */
export function markdownModule() {
  const target = process.env.CARGO_TARGET_DIR ?? path.join(root, 'target');
  const guest = path.join(target, 'wasm-guests/wasm32-unknown-unknown/release/markdown.wasm');
  return existsSync(guest) ? guest : path.join(root, 'tests/corpus/wasm-bindgen/markdown.wasm');
}

export function build({ bin = process.env.INTERTYPE, outDir = path.join(here, 'pkg') } = {}) {
  if (!bin) {
    const target = process.env.CARGO_TARGET_DIR ?? path.join(root, 'target');
    bin = path.join(target, 'debug', 'intertype');
  }
  const run = (input, name) =>
    execFileSync(bin, ['bindgen', 'js', input, '--out-dir', outDir, '--name', name], { stdio: 'inherit' });
  run(markdownModule(), 'markdown');
  run(path.join(here, 'dom.wat'), 'dom');
  return outDir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`glue written to ${build()}`);
}
