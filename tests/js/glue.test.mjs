// What only JS users see: the value mapping (typed arrays, bigint, null),
// argument checking, errors, Web APIs bound from `globalThis`, the ways to
// hand over the module, memory growth, and backward compatibility of the
// rewritten .wasm. Values across hosts are checked by conformance.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bindgen, intertypeBin, ROOT } from './lib/bindgen.mjs';

const corpus = (p) => path.join(ROOT, 'tests', p);

test('typed arrays for numeric lists, Uint8Array for bytes, arrays otherwise', async () => {
  const { glue } = await bindgen(corpus('conformance/modules/values.wat'));
  const m = await glue.instantiate();
  const s32 = m.s32s(new Int32Array([1, -2, 3]));
  assert.ok(s32 instanceof Int32Array);
  assert.deepEqual(Array.from(s32), [1, -2, 3]);
  assert.deepEqual(Array.from(m.s32s([4, 5])), [4, 5]);
  const u64 = m.u64s([1n, 2n ** 64n - 1n]);
  assert.ok(u64 instanceof BigUint64Array);
  assert.equal(u64[1], 2n ** 64n - 1n);
  assert.ok(m.f64s(new Float64Array([0.25])) instanceof Float64Array);
  assert.ok(m.u16s([1]) instanceof Uint16Array);
  const bytes = m.byte_lists([new Uint8Array([1, 2]), [3]]);
  assert.ok(Array.isArray(bytes) && bytes[0] instanceof Uint8Array);
  assert.deepEqual(bytes.map((b) => Array.from(b)), [[1, 2], [3]]);
  assert.deepEqual(m.strings(['a', 'b']), ['a', 'b']);
  assert.deepEqual(m.bools([true, false]), [true, false]);
  assert.deepEqual(m.triple([2n ** 64n - 1n, 'x', true]), [2n ** 64n - 1n, 'x', true]);
  assert.deepEqual(m.triple([5, 'numbers are accepted for u64', false]), [5n, 'numbers are accepted for u64', false]);
  assert.equal(m.nested(null), null);
  assert.equal(m.nested(undefined), null);
  assert.deepEqual(m.nested({ tag: 'some', val: null }), { tag: 'some', val: null });
  assert.deepEqual(m.nested({ tag: 'some', val: 7 }), { tag: 'some', val: 7 });
  assert.deepEqual(m.measure('héllo'), [6, 'héllo']);
  assert.deepEqual(m.big({ tag: 'e' }), { tag: 'e' });
  // A `result` without payloads: ok returns undefined, err throws.
  assert.equal(m.unit({ tag: 'ok' }), undefined);
  assert.throws(() => m.unit({ tag: 'err' }), (e) => e instanceof glue.ResultError && e.value === undefined);
});

test('memory growth while lowering refreshes the cached views', async () => {
  const { glue } = await bindgen(corpus('conformance/modules/values.wat'));
  const m = await glue.instantiate();
  assert.equal(m.pages(), 1);
  const big = 'x'.repeat(300_000) + 'é';
  assert.deepEqual(m.strings([big, 'after']), [big, 'after']);
  assert.ok(m.pages() > 4);
  const bytes = new Uint8Array(200_000).map((_, i) => i & 255);
  assert.deepEqual(m.byte_lists([bytes])[0], bytes);
});

test('arguments of the wrong type are TypeErrors, before the guest runs', async () => {
  const { glue } = await bindgen(corpus('corpus/extension/shapes.wat'));
  const m = await glue.instantiate({ host: { log_point() {} } });
  assert.throws(() => m.echo16(42), TypeError);
  assert.throws(() => m.flip(null), TypeError);
  assert.throws(() => m.flip({ x: 1.5, y: 0 }), TypeError);
  assert.throws(() => m.flip({ x: 2 ** 31, y: 0 }), TypeError);
  assert.throws(() => m.next_color('purple'), TypeError);
  assert.throws(() => m.area({ tag: 'hexagon' }), TypeError);
  assert.throws(() => m.next_char('ab'), TypeError);
  assert.throws(() => m.next_char(''), TypeError);
  assert.throws(() => m.reverse(7), TypeError);
  // The instance still works.
  assert.deepEqual(m.flip({ x: 1, y: 2 }), { x: 2, y: 1 });
});

test('result errors are thrown as ResultError with the error value', async () => {
  const { glue } = await bindgen(corpus('corpus/extension/shapes.wat'));
  const m = await glue.instantiate({ host: { log_point() {} } });
  assert.equal(m.checked_div(9, 3), 3);
  assert.throws(
    () => m.checked_div(1, 0),
    (e) => e instanceof glue.ResultError && e instanceof Error && e.value === 'division by zero' && e.message === 'division by zero',
  );
  // Nested results (inside a parameter) use { tag, val }.
  const everything = (await bindgen(corpus('corpus/extension/everything.wat'))).glue;
  const e = await everything.instantiate({ host: { point: () => ({ x: 1, y: 2 }) } });
  assert.equal(e.outcome({ tag: 'ok', val: 'fine' }), 'fine');
  assert.throws(() => e.outcome({ tag: 'err', val: 'red' }), (err) => err.value === 'red');
});

test('traps are WebAssembly.RuntimeError, host exceptions pass through unchanged', async () => {
  const { glue } = await bindgen(corpus('conformance/modules/traps.wat'));
  const boom = new Error('boom');
  const m = await glue.instantiate({ host: { fail() { throw boom; } } });
  assert.throws(() => m.bad_utf8(), (e) => e instanceof WebAssembly.RuntimeError && /UTF-8/.test(e.message));
  assert.throws(() => m.core_trap(), (e) => e instanceof WebAssembly.RuntimeError && /unreachable/.test(e.message));
  assert.throws(() => m.host_fails(), (e) => e === boom);
  assert.equal(m.echo('still alive'), 'still alive');
});

test('missing imports fail at instantiation, naming the import', async () => {
  const { glue } = await bindgen(corpus('corpus/reference/c-import-implement.wat'));
  await assert.rejects(glue.instantiate(), (e) => e instanceof WebAssembly.LinkError && /"" "log"/.test(e.message));
  await assert.rejects(glue.instantiate({ '': { log: 'not a function' } }), WebAssembly.LinkError);
});

test('Web APIs are bound straight from globalThis by name', async () => {
  const { glue } = await bindgen(path.join(ROOT, 'tests/js/modules/web.wat'));
  const logged = [];
  const original = console.log;
  console.log = (...args) => logged.push(args);
  let m;
  try {
    m = await glue.instantiate();
  } finally {
    console.log = original;
  }
  // The platform function itself is called: the instance bound the console.log
  // that was installed at instantiation, with the lifted string.
  m.log_hello();
  assert.deepEqual(logged, [['hello from wasm']]);
  assert.equal(m.shout('abc ß'), 'ABC SS');
  assert.equal(m.hypot(3, 4), 5);
  const url = new URL('https://example.org/a');
  assert.equal(m.href(url), 'https://example.org/a');
  m.set_hash(url, 'frag');
  assert.equal(url.hash, '#frag');
  // A user-provided function wins over the platform's.
  const m2 = await glue.instantiate({ web: { 'Math.hypot': (a, b) => a + b } });
  assert.equal(m2.hypot(3, 4), 7);
});

test('a Web API that does not exist here is a link error', async () => {
  const { glue } = await bindgen(path.join(ROOT, 'examples/markdown-web/dom.wat'));
  await assert.rejects(glue.instantiate(), (e) => e instanceof WebAssembly.LinkError && /document\.createElement/.test(e.message));
});

test('the module can be a default URL, a URL, a path, bytes, a Module or a Response', async () => {
  const { glue, dir, base } = await bindgen(corpus('corpus/article/greeting-param.wat'));
  const file = path.join(dir, `${base}.wasm`);
  const bytes = readFileSync(file);
  const sources = [
    undefined,
    pathToFileURL(file),
    file,
    bytes,
    new Uint8Array(bytes).buffer,
    await WebAssembly.compile(bytes),
    new Response(bytes, { headers: { 'content-type': 'application/wasm' } }),
    Promise.resolve(new Response(bytes)),
  ];
  for (const src of sources) {
    const m = await glue.instantiate({}, src);
    assert.equal(m.greeting('Lin'), 'Hello, Lin!');
  }
});

test('instances are independent', async () => {
  const { glue } = await bindgen(corpus('conformance/modules/values.wat'));
  const a = await glue.instantiate();
  const b = await glue.instantiate();
  a.strings(['y'.repeat(200_000)]);
  assert.ok(a.pages() > 1);
  assert.equal(b.pages(), 1);
  assert.deepEqual(b.strings(['b']), ['b']);
});

test('backward compatible: the written .wasm runs with plain WebAssembly.instantiate', async () => {
  // Adapters of the wasm-bindgen module call functions it does not export:
  // the rewrite exports them, and everything else stays as it was.
  const { dir, base } = await bindgen(corpus('corpus/wasm-bindgen/markdown.wasm'));
  const original = readFileSync(corpus('corpus/wasm-bindgen/markdown.wasm'));
  const rewritten = readFileSync(path.join(dir, `${base}.wasm`));
  const before = WebAssembly.Module.exports(await WebAssembly.compile(original)).map((e) => e.name);
  const mod = await WebAssembly.compile(rewritten);
  const after = WebAssembly.Module.exports(mod).map((e) => e.name);
  assert.deepEqual(after.slice(0, before.length), before);
  assert.ok(after.length > before.length, 'hidden functions are exported');
  assert.ok(after.slice(before.length).every((n) => n.startsWith('__intertype_')));
  assert.equal(WebAssembly.Module.customSections(mod, 'wasm-interface-types').length, 1);

  // A module whose adapters need nothing hidden is written unchanged, and its
  // core exports work without any glue.
  const g = await bindgen(corpus('corpus/article/greeting-param.wat'));
  const wasm = readFileSync(path.join(g.dir, `${g.base}.wasm`));
  const { instance } = await WebAssembly.instantiate(wasm);
  const { malloc, greeting_, mem } = instance.exports;
  const p = malloc(3);
  new Uint8Array(mem.buffer).set([76, 105, 110], p);
  const [rp, rl] = greeting_(p, 3);
  assert.equal(new TextDecoder().decode(new Uint8Array(mem.buffer, rp, rl)), 'Hello, Lin!');
  // The glue exposes the core exports too.
  const m = await g.glue.instantiate();
  assert.equal(typeof m.$core.greeting_, 'function');
  assert.ok(!Object.keys(m).includes('$core'));
});

test('generation is deterministic and writes .js, .d.ts and .wasm', async () => {
  const out = (n) => {
    const { dir } = { dir: path.join(process.env.TMPDIR ?? '/tmp', `intertype-det-${process.pid}-${n}`) };
    execFileSync(intertypeBin(), ['bindgen', 'js', corpus('corpus/extension/everything.wat'), '--out-dir', dir]);
    return dir;
  };
  const [a, b] = [out(1), out(2)];
  assert.deepEqual(readdirSync(a).sort(), ['everything.d.ts', 'everything.js', 'everything.wasm']);
  for (const f of readdirSync(a)) assert.deepEqual(readFileSync(path.join(a, f)), readFileSync(path.join(b, f)));
  const dts = readFileSync(path.join(a, 'everything.d.ts'), 'utf8');
  assert.match(dts, /export interface Point \{ x: number; y: number \}/);
  assert.match(dts, /export type Color = "red" \| "green" \| "blue";/);
  assert.match(dts, /s64\(p0: bigint \| number\): bigint;/);
  assert.match(dts, /point\(\): Point;/);
});

test('runtime helpers are emitted only when used', async () => {
  const { dir, base } = await bindgen(corpus('corpus/reference/d-int-conversions.wat'));
  const js = readFileSync(path.join(dir, `${base}.js`), 'utf8');
  for (const unused of ['TextDecoder', 'TextEncoder', 'view0', 'webImport', 'codeToChar', 'F = []']) {
    assert.ok(!js.includes(unused), `${unused} is not needed by d-int-conversions`);
  }
  const greeting = await bindgen(corpus('corpus/article/greeting.wat'));
  const gjs = readFileSync(path.join(greeting.dir, `${greeting.base}.js`), 'utf8');
  assert.ok(gjs.includes('TextDecoder') && !gjs.includes('TextEncoder'), 'a module that only lifts strings needs no encoder');
});

test('option<externref>: a null reference is none, as docs/js.md says', async () => {
  const { glue } = await bindgen(path.join(ROOT, 'tests/js/modules/option-externref.wat'));
  const m = await glue.instantiate();
  const element = { id: 'x' };
  assert.equal(m.same(element), element);
  // Falsy references other than null/undefined are some.
  assert.equal(m.same(0), 0);
  assert.equal(m.same(false), false);
  assert.equal(m.same(null), null);
  assert.equal(m.same(undefined), null);
  // The guest's some(null) reads back exactly like none: the documented
  // choice (nullable Web API results are `T | null`, not a box).
  assert.equal(m.some_null(), null);
});
