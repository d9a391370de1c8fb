// Runs the `intertype` CLI as a user would, to generate glue into a
// temporary directory.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = path.resolve(fileURLToPath(new URL('../../../', import.meta.url)));

/** The CLI: $INTERTYPE, else target/debug/intertype (or $CARGO_TARGET_DIR's). */
export function intertypeBin() {
  if (process.env.INTERTYPE) return process.env.INTERTYPE;
  const target = process.env.CARGO_TARGET_DIR ?? path.join(ROOT, 'target');
  const bin = path.join(target, 'debug', 'intertype');
  if (!existsSync(bin)) {
    throw new Error(`${bin} does not exist: build it with \`cargo build -p intertype-cli\` or set INTERTYPE`);
  }
  return bin;
}

/**
 * An example guest of issue 4 (`examples/<name>`), as `cargo test -p
 * intertype-guest-tests` builds it: <target>/wasm-guests/wasm32-unknown-unknown/release/<name>.wasm.
 */
export function guestModule(name) {
  const target = process.env.CARGO_TARGET_DIR ?? path.join(ROOT, 'target');
  const file = path.join(target, 'wasm-guests', 'wasm32-unknown-unknown', 'release', `${name}.wasm`);
  if (!existsSync(file)) {
    throw new Error(`${file} does not exist: build the example guests with \`cargo test -p intertype-guest-tests\``);
  }
  return file;
}

let counter = 0;

/**
 * `intertype bindgen js MODULE --out-dir DIR --interface-json`; returns the
 * generated module's namespace, its interface and the output directory.
 */
export async function bindgen(modulePath, { name } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'intertype-js-'));
  const base = name ?? `m${counter++}`;
  execFileSync(intertypeBin(), ['bindgen', 'js', modulePath, '--out-dir', dir, '--name', base, '--interface-json'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const glue = await import(pathToFileURL(path.join(dir, `${base}.js`)).href);
  const iface = JSON.parse((await import('node:fs')).readFileSync(path.join(dir, `${base}.interface.json`), 'utf8'));
  return { glue, iface, dir, base };
}
