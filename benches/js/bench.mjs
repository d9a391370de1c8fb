// greet(string) -> string called from JS, side by side in one run:
//   intertype  — glue generated now by `intertype bindgen js` for the
//                #[intertype::export] guest (artifacts/greet-intertype.wasm)
//   wasm-bindgen — the same Rust function through wasm-bindgen 0.2.130
//   jco        — the component-model greet through `jco transpile` (1.35.0)
// at 5 bytes and 64 KiB. Prints ns per call and the ratios.
//
//   cargo build -p intertype-cli && node benches/js/bench.mjs
//
// Artifacts are checked in; benches/js/build.sh rebuilds them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const art = (p) => path.join(here, 'artifacts', p);

async function ours() {
  const bin = process.env.INTERTYPE ?? path.join(process.env.CARGO_TARGET_DIR ?? path.join(root, 'target'), 'debug', 'intertype');
  const dir = mkdtempSync(path.join(tmpdir(), 'intertype-bench-'));
  execFileSync(bin, ['bindgen', 'js', art('greet-intertype.wasm'), '--out-dir', dir, '--name', 'greet']);
  const { instantiate } = await import(pathToFileURL(path.join(dir, 'greet.js')).href);
  const m = await instantiate({}, readFileSync(path.join(dir, 'greet.wasm')));
  return m.greet;
}

async function wasmBindgen() {
  const glue = await import(pathToFileURL(art('wasm-bindgen/greet_wasm_bindgen.js')).href);
  glue.initSync({ module: readFileSync(art('wasm-bindgen/greet_wasm_bindgen_bg.wasm')) });
  return glue.greet;
}

async function jco() {
  const glue = await import(pathToFileURL(art('jco/greet.js')).href);
  return glue.greet;
}

/** Calls per round so that one round of `f` takes about `ms` milliseconds. */
function calibrate(f, arg, ms) {
  let n = 1;
  for (;;) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) f(arg);
    if (Number(process.hrtime.bigint() - t) > ms * 1e6) return n;
    n *= 2;
  }
}

/**
 * Median ns per call of each implementation. Rounds alternate between the
 * implementations, so a change in machine load hits all of them alike.
 */
function measure(fns, arg, { rounds = 15, ms = 60 } = {}) {
  const entries = Object.entries(fns).map(([name, f]) => [name, f, calibrate(f, arg, ms)]);
  const per = Object.fromEntries(entries.map(([name]) => [name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, f, n] of entries) {
      const t = process.hrtime.bigint();
      for (let i = 0; i < n; i++) f(arg);
      per[name].push(Number(process.hrtime.bigint() - t) / n);
    }
  }
  return Object.fromEntries(Object.entries(per).map(([name, xs]) => [name, xs.sort((a, b) => a - b)[rounds >> 1]]));
}

function warm(f, arg, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) for (let i = 0; i < 100; i++) f(arg);
}

const impls = { intertype: await ours(), 'wasm-bindgen': await wasmBindgen(), jco: await jco() };
const inputs = { '5 B': 'World', '64 KiB': 'x'.repeat(65536) };

for (const [name, f] of Object.entries(impls)) {
  const out = f('Lin');
  if (!out.startsWith('Hello, Lin')) throw new Error(`${name}: greet('Lin') returned ${JSON.stringify(out)}`);
  const big = f(inputs['64 KiB']);
  if (big.length < 65536 + 7) throw new Error(`${name}: 64 KiB result is ${big.length} chars`);
}

const fmt = (ns) => (ns >= 1e4 ? `${(ns / 1000).toFixed(1)} µs` : `${ns.toFixed(0)} ns`);
const results = {};
console.log(`node ${process.version}, ${process.platform}/${process.arch}`);
for (const [label, arg] of Object.entries(inputs)) {
  for (const [name, f] of Object.entries(impls)) warm(f, arg, name === 'jco' ? 1000 : 300);
  results[label] = measure(impls, arg);
}
console.log('\ngreet(string) -> string, ns per call (median of 15 interleaved rounds)\n');
console.log('| input | intertype | wasm-bindgen | jco | wasm-bindgen / intertype | jco / intertype |');
console.log('|---|---|---|---|---|---|');
for (const [label, r] of Object.entries(results)) {
  const ratio = (x) => `${(x / r.intertype).toFixed(2)}×`;
  console.log(`| ${label} | ${fmt(r.intertype)} | ${fmt(r['wasm-bindgen'])} | ${fmt(r.jco)} | ${ratio(r['wasm-bindgen'])} | ${ratio(r.jco)} |`);
}
