// `intertype bindgen js app.wasm --link lib=lib.wasm` (issue 10): linked
// modules in the JS glue, with the engine's `Linker::module` semantics
// (docs/linking.md): chains, several importers of one exporter (one
// instance of it), host imports next to links, missing and ill-typed links,
// hostile callees (reported against the module at fault, the importer's
// memory untouched, frees run once), every test fused in wasm (an adapter module), fused in JS and through JS
// values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { MALLOC, MECHANISMS, bindgenLinked, bindgenLinkedError, echoExporter, echoImporter, effective, greeter, how, wat, watFile } from './lib/link.mjs';

/**
 * The importer: `hello(s)` = right.greet(left.greet(s)), and the result is
 * also passed to the host's `env` `note`.
 */
const DIAMOND_APP = `(module
  (import "left" "greet_" (func $left (param i32 i32) (result i32 i32)))
  (import "right" "greet_" (func $right (param i32 i32) (result i32 i32)))
  (import "env" "note_" (func $note (param i32 i32)))
  (memory (export "memory") 16)
  ${MALLOC}
  (func $run (export "run") (param i32 i32) (result i32 i32)
    (local $p i32) (local $l i32)
    (call $left (local.get 0) (local.get 1))
    (call $right)
    (local.set $l) (local.set $p)
    (call $note (local.get $p) (local.get $l))
    (local.get $p) (local.get $l))
  (@interface import "left" "greet" (func $lg (param string) (result string)))
  (@interface import "right" "greet" (func $rg (param string) (result string)))
  (@interface import "env" "note" (func $note (param string)))
  (@interface implement (import "left" "greet_") (param i32 i32) (result i32 i32)
    arg.get 0 arg.get 1 memory-to-string call-adapter $lg string-to-memory $malloc1)
  (@interface implement (import "right" "greet_") (param i32 i32) (result i32 i32)
    arg.get 0 arg.get 1 memory-to-string call-adapter $rg string-to-memory $malloc1)
  (@interface implement (import "env" "note_") (param i32 i32)
    arg.get 0 arg.get 1 memory-to-string call-adapter $note)
  (@interface func (export "hello") (param string) (result string)
    arg.get 0 string-to-memory $malloc1 call-core $run memory-to-string))`;

for (const mechanism of MECHANISMS) {
  test(`a diamond with a chain under it, next to a host import (${how(mechanism)})`, async () => {
    const links = {
      left: watFile(greeter('L:', 'base')),
      right: watFile(greeter('R:', 'base')),
      base: watFile(greeter('B:')),
    };
    const { glue } = await bindgenLinked(watFile(DIAMOND_APP), links, { mechanism });
    const m = effective(mechanism);
    assert.deepEqual(
      glue.linkReport.map((r) => [r.module, r.name, r.fused, r.mechanism]),
      [['left', 'greet', m !== 'values', m], ['right', 'greet', m !== 'values', m]],
    );
    const notes = [];
    const graph = new Map();
    const app = await glue.instantiateLinked({ env: { note: (s) => notes.push(s) } }, graph);
    assert.equal(app.hello('Zoë 🦀'), 'R:B:L:B:Zoë 🦀');
    assert.deepEqual(notes, ['R:B:L:B:Zoë 🦀']);
    // One instance of `base` serves both importers.
    assert.deepEqual([...graph.keys()].sort(), ['app.link1', 'app.link2', 'app.link3']);
    const base = await graph.get('app.link3');
    assert.equal(base.$core.calls.value, 2);
    // The public entry point makes a fresh graph each time.
    const again = await glue.instantiate({ env: { note: () => {} } });
    assert.equal(again.hello(''), 'R:B:L:B:');
    assert.equal(base.$core.calls.value, 2);
    // A long string, through every module.
    const long = 'ä'.repeat(70000);
    assert.equal(app.hello(long), `R:B:L:B:${long}`);
  });
}

test('a missing export is an error naming both sides', () => {
  const err = bindgenLinkedError(watFile(greeter('A:', 'lib')), { lib: watFile(echoExporter('', 'u32', 'utf8')) });
  assert.match(err, /module "m\d+" imports "lib" "greet" of type func\((p0: )?string\) -> string, but module "lib" does not export "greet"/);
});

test('an ill-typed link is an error naming both sides and both types', () => {
  const lib = `(module (func $f (export "f") (param i32) (result i32) local.get 0)
    (@interface func (export "greet") (param u32) (result u32) arg.get 0 u32-to-i32 call-core $f i32-to-u32))`;
  const err = bindgenLinkedError(watFile(greeter('A:', 'lib')), { lib: watFile(lib) });
  assert.match(err, /module "m\d+" imports "lib" "greet" as func\((p0: )?string\) -> string, but module "lib" exports it as func\((p0: )?u32\) -> u32/);
});

test('modules that import each other are an error', () => {
  const err = bindgenLinkedError(watFile(greeter('A:', 'x')), { x: watFile(greeter('X:', 'y')), y: watFile(greeter('Y:', 'x')) });
  assert.match(err, /modules import each other in a cycle: "x" → "y" → "x"/);
});

test('a link name from the command line never runs as code', async () => {
  const name = '*/ globalThis.pwnedLink++; /*"\'`\n\u2028';
  const { glue } = await bindgenLinked(watFile(greeter('A:', name)), { [name]: watFile(greeter('B:')) });
  assert.equal(globalThis.pwnedLink, undefined);
  assert.equal(glue.linkReport[0].module, name);
  assert.equal((await glue.instantiate()).greet('x'), 'A:B:x');
});

// Hostile exporters: each returns something the importer must not accept.
const ECHO_TYPES = [];
const OPTION_STRING = wat({ k: 'option', t: { k: 'string' } }, ECHO_TYPES);
const HOSTILE = [
  ['an out-of-bounds string', '(i32.store (i32.const 2000) (i32.const 1)) (i32.store (i32.const 2004) (i32.const 0xfffffff0)) (i32.store (i32.const 2008) (i32.const 64))',
    /range 0xfffffff0\+64 is outside linear memory/],
  ['invalid UTF-8', '(i32.store (i32.const 2000) (i32.const 1)) (i32.store (i32.const 2004) (i32.const 3000)) (i32.store (i32.const 2008) (i32.const 2)) (i32.store16 (i32.const 3000) (i32.const 0xffc3))',
    /invalid UTF-8/],
  ['a bad discriminant', '(i32.store8 (i32.const 2000) (i32.const 7))', /discriminant 7 is past the last case \(2 cases\)/],
];

// What an adapter module's trap code says instead of the details.
const IN_WASM = [/outside linear memory/, /invalid UTF-8/, /an invalid value \(a discriminant past the last case/];
for (const mechanism of MECHANISMS) {
  const fuse = mechanism !== 'values';
  const wasm = effective(mechanism) === 'wasm';
  const where = fuse ? / \(a fused call\)/ : /in module "lib": /;

  for (const [k, [what, body, detailed]] of HOSTILE.entries()) {
    const message = wasm ? IN_WASM[k] : detailed;
    test(`a callee returning ${what} is reported against it, the importer's memory untouched, its free run once (${how(mechanism)})`, async () => {
      const core = `(func $echo_ (export "echo_") (param i32) (result i32) ${body} i32.const 2000)`;
      const a = watFile(echoImporter(ECHO_TYPES.join('\n'), OPTION_STRING, 'utf8'));
      const b = watFile(echoExporter(ECHO_TYPES.join('\n'), OPTION_STRING, 'utf8', core));
      const { glue } = await bindgenLinked(a, { lib: b }, { mechanism });
      assert.equal(glue.linkReport[0].mechanism, effective(mechanism));
      const graph = new Map();
      const app = await glue.instantiateLinked({}, graph);
      const lib = await graph.get('app.link1');
      const p = app.put('Zoë');
      const before = new Uint8Array(app.$core.memory.buffer).slice();
      assert.throws(() => app.$core.run(p), (e) => {
        assert.ok(e instanceof WebAssembly.RuntimeError, String(e));
        assert.match(e.message, /module "lib"/);
        assert.match(e.message, where);
        assert.match(e.message, message);
        return true;
      });
      assert.deepEqual(new Uint8Array(app.$core.memory.buffer), before, 'the importer memory is untouched');
      assert.equal(lib.$core.frees.value, 1, 'the free ran exactly once');
      // The glue keeps working: a good call afterwards.
      assert.equal(app.get(p), 'Zoë');
    });
  }

  test(`a trap in the callee names it (${how(mechanism)})`, async () => {
    const a = watFile(greeter('A:', 'lib'));
    const b = watFile(greeter('B:', null, { core: '(func $greet_ (export "greet_") (param i32 i32) (result i32 i32) unreachable)' }));
    const { glue } = await bindgenLinked(a, { lib: b }, { mechanism });
    const app = await glue.instantiate();
    assert.throws(() => app.greet('x'), (e) => e instanceof WebAssembly.RuntimeError && /module "lib"/.test(e.message) && /unreachable/.test(e.message));
  });

  test(`a callee's allocator returning garbage is its fault, before its code runs (${how(mechanism)})`, async () => {
    const a = watFile(greeter('A:', 'lib'));
    const bad = greeter('B:').replace('(local.get $p))', '(drop (local.get $p)) (i32.const -16))');
    assert.notEqual(bad, greeter('B:'));
    const { glue } = await bindgenLinked(a, { lib: watFile(bad) }, { mechanism });
    const graph = new Map();
    const app = await glue.instantiateLinked({}, graph);
    const returned = wasm ? /the allocator returned a pointer outside linear memory/ : /the allocator returned 0xfffffff0/;
    assert.throws(() => app.greet('x'), (e) => /module "lib"/.test(e.message) && returned.test(e.message));
    assert.equal((await graph.get('app.link1')).$core.calls.value, 0);
  });

  test(`an argument the callee's Latin-1 cannot hold is a RangeError, before its code runs (${how(mechanism)})`, async () => {
    const types = [];
    const a = watFile(echoImporter('', 'string', 'utf8'));
    const b = watFile(echoExporter(types.join(''), 'string', 'latin1'));
    const { glue } = await bindgenLinked(a, { lib: b }, { mechanism });
    const graph = new Map();
    const app = await glue.instantiateLinked({}, graph);
    assert.throws(() => app.$core.run(app.put('€')), RangeError);
    assert.equal(app.get(app.$core.run(app.put('ÿé'))), 'ÿé');
  });
}

test('a link that cannot be fused still works, through JS values, and the report says why', async () => {
  // `relay`'s export adapter calls its own interface import directly (a
  // re-export through an adapter): nothing to fuse it with.
  const relay = `(module
  (@interface import "base" "greet" (func $bg (param string) (result string)))
  (@interface func (export "greet") (param string) (result string) arg.get 0 call-adapter $bg))`;
  const { glue } = await bindgenLinked(watFile(greeter('A:', 'relay')), { relay: watFile(relay), base: watFile(greeter('B:')) });
  assert.equal(glue.linkReport.length, 1);
  assert.equal(glue.linkReport[0].fused, false);
  assert.match(glue.linkReport[0].why, /calls its own import "base" "greet"/);
  assert.equal((await glue.instantiate()).greet('Zoë'), 'A:B:Zoë');
});

test('a call fused in wasm has no JS frame between the importer and the callee', async () => {
  const a = watFile(greeter('A:', 'lib'));
  const b = watFile(greeter('B:', null, { core: '(func $greet_ (export "greet_") (param i32 i32) (result i32 i32) unreachable)' }));
  for (const mechanism of ['wasm', 'js']) {
    const { glue } = await bindgenLinked(a, { lib: b }, { mechanism });
    const app = await glue.instantiate();
    const trap = (() => {
      try {
        app.greet('x');
      } catch (e) {
        return e.cause ?? e;
      }
    })();
    assert.ok(trap instanceof WebAssembly.RuntimeError, String(trap));
    // From B's trap down to A's core function, the frames of the call.
    const frames = trap.stack.split('\n').filter((l) => l.trimStart().startsWith('at '));
    const a_ = frames.findIndex((l, k) => k > 0 && /^\s*at greet_ /.test(l));
    assert.ok(a_ > 0, trap.stack);
    const between = frames.slice(1, a_);
    if (effective(mechanism) === 'wasm') {
      assert.ok(between.every((l) => l.includes('wasm://')), trap.stack);
      assert.ok(between.some((l) => l.includes('fused lib greet_')), trap.stack);
    } else {
      assert.ok(between.some((l) => !l.includes('wasm://') && /fz\d/.test(l)), trap.stack);
    }
  }
});

test('a link the adapter compiler does not fuse (its adapter also calls the host) is fused in JS, and the report says why', async () => {
  const app = greeter('A:', 'lib').replace(
    '(@interface implement (import "lib" "greet_") (param i32 i32) (result i32 i32)\n    arg.get 0 arg.get 1 memory-to-string call-adapter $g string-to-memory $malloc1)',
    '(@interface import "env" "note" (func $note (param string)))\n  (@interface implement (import "lib" "greet_") (param i32 i32) (result i32 i32)\n    arg.get 0 arg.get 1 memory-to-string call-adapter $note arg.get 0 arg.get 1 memory-to-string call-adapter $g string-to-memory $malloc1)',
  );
  assert.match(app, /call-adapter \$note/);
  const { glue, dir } = await bindgenLinked(watFile(app), { lib: watFile(greeter('B:')) });
  assert.deepEqual(glue.linkReport.map((r) => [r.fused, r.mechanism]), [[true, 'js']]);
  assert.match(glue.linkReport[0].why, /the adapter compiler does not fuse it: .*calls interface import "env" "note"/);
  assert.ok(!existsSync(path.join(dir, 'app.adapters.wasm')), 'no adapter module without a link fused in wasm');
  const notes = [];
  const m = await glue.instantiate({ env: { note: (s) => notes.push(s) } });
  assert.equal(m.greet('Zoë'), 'A:B:Zoë');
  assert.deepEqual(notes, ['Zoë']);
});

for (const mechanism of MECHANISMS) {
  const fuse = mechanism !== 'values';
  test(`the importer's allocator failing after the call still runs the callee's free once (${how(mechanism)})`, async () => {
    const failing = echoImporter('', 'string', 'utf8')
      .replace('(memory (export "memory") 4)', '(memory (export "memory") 4)\n  (global $fail (export "fail") (mut i32) (i32.const 0))')
      .replace('    (local.get $p))\n  (func $malloc1', '    (if (result i32) (global.get $fail) (then (i32.const -16)) (else (local.get $p))))\n  (func $malloc1');
    assert.match(failing, /global.get \$fail/);
    const { glue } = await bindgenLinked(watFile(failing), { lib: watFile(echoExporter('', 'string', 'utf8')) }, { mechanism });
    const graph = new Map();
    const app = await glue.instantiateLinked({}, graph);
    const lib = await graph.get('app.link1');
    const p = app.put('Zoë');
    app.$core.fail.value = 1;
    assert.throws(() => app.$core.run(p), (e) => {
      assert.match(e.message, effective(mechanism) === 'wasm' ? /the allocator returned a pointer outside linear memory/ : /the allocator returned 0xfffffff0/);
      if (fuse) assert.match(e.message, /^in module "app" \(a fused call\)/);
      return true;
    });
    assert.equal(lib.$core.frees.value, 1);
  });
}

// The same hostile results in flat form: the exporter's core code returns
// option<string> as (discriminant, pointer, length).
const FLAT_HOSTILE = [
  ['a bad discriminant', 'i32.const 7 i32.const 0 i32.const 0', /discriminant 7 is past the last case \(2 cases\)/],
  ['an out-of-bounds string', 'i32.const 1 i32.const -16 i32.const 64', /range 0xfffffff0\+64 is outside linear memory/],
];
const FLAT_IN_WASM = [/an invalid value \(a discriminant past the last case/, /outside linear memory/];
for (const mechanism of MECHANISMS) {
  for (const [k, [what, values, detailed]] of FLAT_HOSTILE.entries()) {
    const message = effective(mechanism) === 'wasm' ? FLAT_IN_WASM[k] : detailed;
    test(`a callee returning ${what} in flat form is reported against it, the importer's memory untouched (${how(mechanism)})`, async () => {
      const types = [];
      const ty = wat({ k: 'option', t: { k: 'string' } }, types);
      const b = `(module
  (memory (export "memory") 4)
  ${MALLOC}
  (func $echo_ (export "echo_") (param i32 i32 i32) (result i32 i32 i32) ${values})
  ${types.join('\n')}
  (@interface func (export "echo") (param ${ty}) (result ${ty})
    arg.get 0 value.lower ${ty} $malloc utf8 call-core $echo_ value.lift ${ty} utf8))`;
      const a = watFile(echoImporter(types.join('\n'), ty, 'utf8'));
      const { glue } = await bindgenLinked(a, { lib: watFile(b) }, { mechanism });
      assert.equal(glue.linkReport[0].mechanism, effective(mechanism));
      const app = await glue.instantiate();
      const p = app.put('Zoë');
      const before = new Uint8Array(app.$core.memory.buffer).slice();
      assert.throws(() => app.$core.run(p), (e) => e instanceof WebAssembly.RuntimeError && /module "lib"/.test(e.message) && message.test(e.message));
      assert.deepEqual(new Uint8Array(app.$core.memory.buffer), before);
    });
  }
}

test('export and memory names from linked modules never run as code', async () => {
  const evil = 'x\\"*/ globalThis.pwnedExport = 1; /*\\u{2028}`${1}';
  const lib = `(module
  (memory (export "mem */ globalThis.pwnedMem = 1; /*") 1)
  ${MALLOC.replace('(export "malloc")', '(export "m\\"alloc\\u{2028}")')}
  (func $f (export "f\\u{2029}") (param i32 i32) (result i32 i32) local.get 0 local.get 1)
  (@interface func (export "${evil}") (param string) (result string)
    arg.get 0 string-to-memory $malloc1 call-core $f memory-to-string))`;
  const app = `(module
  (import "lib" "g" (func $g (param i32 i32) (result i32 i32)))
  (memory (export "memory") 1)
  ${MALLOC}
  (func $run (export "run") (param i32 i32) (result i32 i32) local.get 0 local.get 1 call $g)
  (@interface import "lib" "${evil}" (func $imp (param string) (result string)))
  (@interface implement (import "lib" "g") (param i32 i32) (result i32 i32)
    arg.get 0 arg.get 1 memory-to-string call-adapter $imp string-to-memory $malloc1)
  (@interface func (export "echo") (param string) (result string)
    arg.get 0 string-to-memory $malloc1 call-core $run memory-to-string))`;
  for (const mechanism of MECHANISMS) {
    const { glue } = await bindgenLinked(watFile(app), { lib: watFile(lib) }, { mechanism });
    assert.equal(glue.linkReport[0].mechanism, effective(mechanism));
    assert.equal(glue.linkReport[0].name, 'x"*/ globalThis.pwnedExport = 1; /*\u2028`${1}');
    const m = await glue.instantiate();
    assert.equal(m.echo('Zoë'), 'Zoë');
  }
  assert.equal(globalThis.pwnedExport, undefined);
  assert.equal(globalThis.pwnedMem, undefined);
});
