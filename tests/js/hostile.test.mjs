// Hostile modules and careless callers (issue 8; issue 14 item 13): names
// from the module never run as code or collide with what JS objects own,
// guest-described sizes are bounded, and arguments are checked as
// docs/js.md says. The modules are in tests/corpus/hostile/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bindgen, intertypeBin, ROOT } from './lib/bindgen.mjs';

const hostile = (p) => path.join(ROOT, 'tests', 'corpus', 'hostile', p);

const JS_NAMES_IMPORTS = { 'ho\nst */': { 'log\u2028': () => {} } };

test('names with line terminators, comment ends and quotes do not run as code', async () => {
  const { glue, dir, base } = await bindgen(hostile('js-names.wat'));
  assert.equal(globalThis.pwned, undefined);
  assert.equal(globalThis.pwned2028, undefined);
  assert.equal(globalThis.pwned2029, undefined);
  const m = await glue.instantiate(JS_NAMES_IMPORTS);
  assert.equal(globalThis.pwned, undefined);
  // Every name is an export, reachable by its exact spelling.
  const names = ['a\nb', '\u2028globalThis.pwned2028 = 1;\u2029globalThis.pwned2029 = 1;',
    '*/ globalThis.pwned = 1; /*', '"\'`${globalThis.pwned = 1}\\', '\u001b[31mred\u0000\r'];
  names.forEach((n, i) => assert.equal(m[n](), 5 + i, JSON.stringify(n)));
  // The generated files hold no raw line terminator or escape inside a
  // name: every name is quoted.
  for (const ext of ['js', 'd.ts']) {
    const text = readFileSync(path.join(dir, `${base}.${ext}`), 'utf8');
    assert.ok(!/[\u2028\u2029\u001b\u0000\r]/.test(text), `${ext} has a raw control character`);
  }
  // The header comment lists the exports quoted, comment ends broken.
  const header = readFileSync(path.join(dir, `${base}.js`), 'utf8').split('\n').slice(0, 2).join('\n');
  assert.ok(header.includes('"*\\/ globalThis.pwned = 1; /*"'), header);
});

test('an export named `then` does not make the instance a thenable', async () => {
  const { glue } = await bindgen(hostile('js-names.wat'));
  // `await` settles: the instance has no `then`; every export is in `$exports`.
  const m = await glue.instantiate(JS_NAMES_IMPORTS);
  assert.equal(Object.hasOwn(m, 'then'), false);
  assert.equal(m.$exports.then(), 0);
  assert.equal(m.$exports.$core(), 4);
  assert.ok(m.$core.mem instanceof WebAssembly.Memory);
  // `__proto__`, `constructor`, `toString` are plain exports.
  assert.equal(m.__proto__(), 1);
  assert.equal(m.constructor(), 2);
  assert.equal(m.toString(), 3);
});

test('record fields, flags and cases named like Object.prototype members round-trip', async () => {
  const { glue } = await bindgen(hostile('js-names.wat'));
  const m = await glue.instantiate(JS_NAMES_IMPORTS);
  const input = { ['__proto__']: 1, constructor: 2, toString: 3, then: 4 };
  const out = m.weird(input);
  assert.deepEqual(Object.entries(out), [['__proto__', 1], ['constructor', 2], ['toString', 3], ['then', 4]]);
  // A missing field is an error, not the inherited member.
  assert.throws(() => m.weird({ ['__proto__']: 1, then: 4 }), TypeError);
  const flags = m.proto_flags({ ['__proto__']: true, toString: true });
  assert.deepEqual(Object.entries(flags), [
    ['__proto__', true], ['constructor', false], ['toString', true], ['hasOwnProperty', false], ['a\nb', false],
  ]);
  // An inherited `toString` is not a set flag.
  assert.equal(m.proto_flags({}).toString, false);
  for (const c of ['__proto__', 'then', 'a\nb', '*/']) assert.equal(m.cases(c), c);
});

test('lists of zero-size elements are bounded', async () => {
  const { glue } = await bindgen(hostile('zero-size-lists.wat'));
  const m = await glue.instantiate();
  // As if each element took a byte: past the end of memory.
  assert.throws(() => m.units(), (e) => e instanceof WebAssembly.RuntimeError && /outside linear memory/.test(e.message));
  assert.throws(() => m.no_flags(), (e) => e instanceof WebAssembly.RuntimeError && /outside linear memory/.test(e.message));
  assert.equal(m.three().length, 3);
  assert.equal(m.one_per_byte().length, 65536);
});

test('aliased pointers cannot amplify a value past the size limit', async () => {
  const { glue } = await bindgen(hostile('aliased-lists.wat'));
  const m = await glue.instantiate();
  assert.throws(() => m.many(), (e) => e instanceof WebAssembly.RuntimeError && /at most 16777216 bytes/.test(e.message));
  const few = m.few();
  assert.equal(few.length, 2);
  assert.equal(few[1][1].length, 60000);
  // The instance keeps working.
  assert.equal(m.few().length, 2);
});

test('arguments are checked as docs/js.md says', async () => {
  const { glue } = await bindgen(hostile('arguments.wat'));
  const m = await glue.instantiate();
  // list<u8> from a plain array: each element must be a byte.
  assert.equal(m.byte_count([1, 2, 255]), 3);
  assert.equal(m.byte_count(new Uint8Array(7)), 7);
  for (const bad of [[256], [-1], [1.5], ['7']]) {
    assert.throws(() => m.byte_count(bad), TypeError, JSON.stringify(bad));
  }
  // bool and floats do not coerce.
  assert.equal(m.not(false), true);
  for (const bad of ['x', 0, null, undefined]) assert.throws(() => m.not(bad), TypeError);
  assert.equal(m.half(0.5), 0.5);
  assert.throws(() => m.half('x'), TypeError);
  assert.throws(() => m.double(1n), TypeError);
  // Extra arguments are an error.
  assert.throws(() => m.to_u8(1, 2), /expected 1 argument, found 2/);
  // Lone surrogates have no UTF-8 form: an error, not U+FFFD.
  assert.throws(() => m.text('a\ud800b'), TypeError);
  assert.throws(() => m.text('\udc00'.repeat(70)), TypeError);
  assert.equal(m.text('paired \ud83c\udf89'), 'paired 🎉');
});

test('bindgen refuses an output name outside --out-dir', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'intertype-js-'));
  const r = spawnSync(intertypeBin(), ['bindgen', 'js', hostile('arguments.wat'), '--out-dir', dir, '--name', '../escaped'], { encoding: 'utf8' });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /invalid output name/);
  execFileSync(intertypeBin(), ['bindgen', 'js', hostile('arguments.wat'), '--out-dir', dir, '--name', 'fine']);
});
