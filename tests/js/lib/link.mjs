// Linked modules for the `bindgen js --link` tests: the fixtures of the
// engine's differential test (crates/intertype-adapt/tests/all/harness.rs,
// differential.rs) written out as WAT from a type description, a seeded
// generator of JS values of every type, and the CLI run with `--link`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { intertypeBin } from './bindgen.mjs';

/** The bump allocator every fixture uses: `(size, align) -> ptr`, heap pointer at address 0. */
export const MALLOC = `
  (data (i32.const 0) "\\40\\00\\00\\00")
  (func $malloc (export "malloc") (param $size i32) (param $align i32) (result i32)
    (local $p i32)
    (local.set $p
      (i32.and
        (i32.add (i32.load (i32.const 0)) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
    (i32.store (i32.const 0) (i32.add (local.get $p) (local.get $size)))
    (local.get $p))
  (func $malloc1 (export "malloc1") (param $size i32) (result i32)
    (call $malloc (local.get $size) (i32.const 1)))`;

// Types: { k: 'bool' | 's8' | … | 'string' } or
// { k: 'list', e }, { k: 'record', fs }, { k: 'tuple', ts }, { k: 'variant', cs: [T | null] },
// { k: 'enum', n }, { k: 'option', t }, { k: 'result', ok, err }, { k: 'flags', n }.
const PRIMS = ['bool', 's8', 'u8', 's16', 'u16', 's32', 'u32', 's64', 'u64', 'f32', 'f64', 'char', 'string'];

/** The WAT spelling of type `t`, defining compound types in `defs`. */
export function wat(t, defs) {
  if (PRIMS.includes(t.k)) return t.k;
  let def;
  switch (t.k) {
    case 'list': def = `(list ${wat(t.e, defs)})`; break;
    case 'record': def = `(record ${t.fs.map((f, i) => `(field "f${i}" ${wat(f, defs)})`).join(' ')})`; break;
    case 'tuple': def = `(tuple ${t.ts.map((x) => wat(x, defs)).join(' ')})`; break;
    case 'variant':
      def = `(variant ${t.cs.map((c, i) => (c ? `(case "c${i}" ${wat(c, defs)})` : `(case "c${i}")`)).join(' ')})`;
      break;
    case 'enum': def = `(enum ${Array.from({ length: t.n }, (_, i) => `"e${i}"`).join(' ')})`; break;
    case 'option': def = `(option ${wat(t.t, defs)})`; break;
    case 'result':
      def = `(result ${t.ok ? wat(t.ok, defs) : ''} ${t.err ? `(error ${wat(t.err, defs)})` : ''})`;
      break;
    case 'flags': def = `(flags ${Array.from({ length: t.n }, (_, i) => `"g${i}"`).join(' ')})`; break;
    default: throw new Error(`unknown type ${t.k}`);
  }
  const name = `$t${defs.length}`;
  defs.push(`(@interface type ${name} ${def})`);
  return name;
}

/**
 * The importer: `put(T) -> ptr` stores a value in its memory, core `run(ptr)
 * -> ptr` calls `lib` `echo` through the core import `echo_`, `get(ptr) -> T`
 * reads the result back.
 */
export function echoImporter(defs, ty, enc) {
  return `(module
  (import "lib" "echo_" (func $echo_ (param i32) (result i32)))
  (memory (export "memory") 4)
  ${MALLOC}
  (func $run (export "run") (param i32) (result i32) local.get 0 call $echo_)
  (func $id (param i32) (result i32) local.get 0)
  ${defs}
  (@interface import "lib" "echo" (func $echo (param ${ty}) (result ${ty})))
  (@interface implement (import "lib" "echo_") (param i32) (result i32)
    arg.get 0
    value.load ${ty} ${enc}
    call-adapter $echo
    value.store_new ${ty} $malloc ${enc})
  (@interface func (export "put") (param ${ty}) (result i32)
    arg.get 0
    value.store_new ${ty} $malloc ${enc}
    call-core $id)
  (@interface func (export "get") (param i32) (result ${ty})
    arg.get 0
    value.load ${ty} ${enc}))`;
}

/**
 * The exporter: stores the argument in its memory, passes the pointer
 * through core `echo_` (the identity unless `core` replaces it), frees it
 * with a deferred call counted in the global `frees`, loads the result.
 */
export function echoExporter(defs, ty, enc, core) {
  core ??= '(func $echo_ (export "echo_") (param i32) (result i32) local.get 0)';
  return `(module
  (memory (export "memory") 4)
  ${MALLOC}
  (global $frees (export "frees") (mut i32) (i32.const 0))
  (func $free (export "free") (param i32)
    (global.set $frees (i32.add (global.get $frees) (i32.const 1))))
  ${core}
  ${defs}
  (@interface func (export "echo") (param ${ty}) (result ${ty})
    arg.get 0
    value.store_new ${ty} $malloc ${enc}
    call-core $echo_
    defer-call-core $free
    value.load ${ty} ${enc}))`;
}

/** The flat core types of `t` (docs/format.md §3), as WAT keywords. */
export function flat(t) {
  switch (t.k) {
    case 's64': case 'u64': return ['i64'];
    case 'f32': return ['f32'];
    case 'f64': return ['f64'];
    case 'string': case 'list': return ['i32', 'i32'];
    case 'record': return t.fs.flatMap(flat);
    case 'tuple': return t.ts.flatMap(flat);
    case 'flags': return Array.from({ length: Math.ceil(t.n / 32) }, () => 'i32');
    case 'enum': return ['i32'];
    case 'variant': case 'option': case 'result': {
      const payloads = t.k === 'variant' ? t.cs : t.k === 'option' ? [null, t.t] : [t.ok, t.err];
      const joined = [];
      for (const p of payloads) {
        (p ? flat(p) : []).forEach((x, i) => {
          const y = joined[i];
          if (y === undefined || y === x) joined[i] = x;
          else joined[i] = (x === 'i32' && y === 'f32') || (x === 'f32' && y === 'i32') ? 'i32' : 'i64';
        });
      }
      return ['i32', ...joined];
    }
    default: return ['i32'];
  }
}

/**
 * An exporter that passes the value through its core code in flat form
 * (`value.lower` into core parameters, an identity, `value.lift`): no
 * memory round trip, no free.
 */
export function flatExporter(defs, ty, enc, t) {
  const list = flat(t).join(' ');
  const gets = flat(t).map((_, i) => `local.get ${i}`).join(' ');
  return `(module
  (memory (export "memory") 4)
  ${MALLOC}
  (global $frees (export "frees") (mut i32) (i32.const 0))
  (func $echo_ (export "echo_") (param ${list}) (result ${list}) ${gets})
  ${defs}
  (@interface func (export "echo") (param ${ty}) (result ${ty})
    arg.get 0
    value.lower ${ty} $malloc ${enc}
    call-core $echo_
    value.lift ${ty} ${enc}))`;
}

/** A small deterministic PRNG (mulberry32), so failures reproduce from the seed. */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  return { next, int, pick: (xs) => xs[int(0, xs.length - 1)] };
}

/** A random Unicode scalar value (any plane, no surrogates). */
function scalar(r, latin1) {
  if (latin1) return r.int(0, 255);
  switch (r.int(0, 3)) {
    case 0: return r.int(0x20, 0x7e);
    case 1: return r.int(0x80, 0x7ff);
    case 2: { const c = r.int(0x800, 0xfffd); return c >= 0xd800 && c < 0xe000 ? 0x4e2d : c; }
    default: return r.int(0x10000, 0x10ffff);
  }
}

/** A random JS value of type `t` in the mapping of docs/js.md. */
export function value(t, r, latin1 = false, depth = 0) {
  const big = (bits, signed) => {
    let v = 0n;
    for (let i = 0; i < bits / 16; i++) v = (v << 16n) | BigInt(r.int(0, 0xffff));
    return signed ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v);
  };
  switch (t.k) {
    case 'bool': return r.next() < 0.5;
    case 's8': return r.int(-128, 127);
    case 'u8': return r.int(0, 255);
    case 's16': return r.int(-32768, 32767);
    case 'u16': return r.int(0, 65535);
    case 's32': return r.int(-2147483648, 2147483647);
    case 'u32': return r.int(0, 4294967295);
    case 's64': return big(64, true);
    case 'u64': return big(64, false);
    case 'f32': return Math.fround((r.next() - 0.5) * 2e9);
    case 'f64': return (r.next() - 0.5) * 1e300;
    case 'char': return String.fromCodePoint(scalar(r, false));
    case 'string': {
      let s = '';
      for (let i = r.int(0, 12); i > 0; i--) s += String.fromCodePoint(scalar(r, latin1));
      return s;
    }
    case 'list': {
      const n = r.int(0, depth > 1 ? 2 : 5);
      if (t.e.k === 'u8') return Uint8Array.from({ length: r.int(0, 40) }, () => r.int(0, 255));
      return Array.from({ length: n }, () => value(t.e, r, latin1, depth + 1));
    }
    case 'record': return Object.fromEntries(t.fs.map((f, i) => [`f${i}`, value(f, r, latin1, depth + 1)]));
    case 'tuple': return t.ts.map((x) => value(x, r, latin1, depth + 1));
    case 'variant': {
      const i = r.int(0, t.cs.length - 1);
      return t.cs[i] ? { tag: `c${i}`, val: value(t.cs[i], r, latin1, depth + 1) } : { tag: `c${i}` };
    }
    case 'enum': return `e${r.int(0, t.n - 1)}`;
    case 'option': return r.next() < 0.3 ? null : value(t.t, r, latin1, depth + 1);
    case 'result': {
      const ok = r.next() < 0.5;
      const p = ok ? t.ok : t.err;
      const tag = ok ? 'ok' : 'err';
      return p ? { tag, val: value(p, r, latin1, depth + 1) } : { tag };
    }
    case 'flags':
      return Object.fromEntries(Array.from({ length: t.n }, (_, i) => [`g${i}`, r.next() < 0.5]));
    default: throw new Error(`unknown type ${t.k}`);
  }
}

/** Typed arrays as plain arrays, so values compare with what was passed in. */
export function plain(v) {
  if (ArrayBuffer.isView(v)) return Array.from(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}

/** WAT bytes of an ASCII string, for a data segment. */
const bytes = (s) => [...Buffer.from(s)].map((b) => `\\${b.toString(16).padStart(2, '0')}`).join('');

/**
 * A UTF-8 module exporting `greet(string) -> string` = `prefix` + its
 * argument (after passing it through `next`'s `greet` when given), with a
 * counter of calls (global `calls`).
 */
export function greeter(prefix, next, { core } = {}) {
  const n = Buffer.byteLength(prefix);
  const call = next ? `(call $next (local.get $p) (local.get $l)) (local.set $l) (local.set $p)` : '';
  return `(module
  ${next ? `(import ${JSON.stringify(next)} "greet_" (func $next (param i32 i32) (result i32 i32)))` : ''}
  (memory (export "memory") 16)
  ${MALLOC}
  (global $calls (export "calls") (mut i32) (i32.const 0))
  (data (i32.const 16) "${bytes(prefix)}")
  ${core ?? `(func $greet_ (export "greet_") (param $p i32) (param $l i32) (result i32 i32)
    (local $out i32)
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    ${call}
    (local.set $out (call $malloc (i32.add (local.get $l) (i32.const ${n})) (i32.const 1)))
    (memory.copy (local.get $out) (i32.const 16) (i32.const ${n}))
    (memory.copy (i32.add (local.get $out) (i32.const ${n})) (local.get $p) (local.get $l))
    (local.get $out) (i32.add (local.get $l) (i32.const ${n})))`}
  ${next ? `(@interface import ${JSON.stringify(next)} "greet" (func $g (param string) (result string)))
  (@interface implement (import ${JSON.stringify(next)} "greet_") (param i32 i32) (result i32 i32)
    arg.get 0 arg.get 1 memory-to-string call-adapter $g string-to-memory $malloc1)` : ''}
  (@interface func (export "greet") (param string) (result string)
    arg.get 0 string-to-memory $malloc1 call-core $greet_ memory-to-string))`;
}

let counter = 0;

/** Writes WAT `text` to a fresh temporary file; returns its path. */
export function watFile(text, dir = mkdtempSync(path.join(tmpdir(), 'intertype-link-'))) {
  const file = path.join(dir, `m${counter++}.wat`);
  writeFileSync(file, text);
  return file;
}

/**
 * How links are served: fused in a wasm adapter module (the default), fused
 * in the generated JS (`--fuse-in-js`), through JS values (`--no-fuse`).
 */
export const MECHANISMS = ['wasm', 'js', 'values'];

/** Whether this JS engine runs adapter modules (wasm multi-memory: Node 22+). */
export const MULTI_MEMORY = WebAssembly.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 5, 5, 2, 0, 0, 0, 0]));

/**
 * The mechanism `linkReport` names for glue generated with `mechanism`: an
 * engine without multi-memory falls back from wasm to JS-fused functions.
 */
export function effective(mechanism) {
  return mechanism === 'wasm' && !MULTI_MEMORY ? 'js' : mechanism;
}

/** A test title's words for a mechanism. */
export function how(mechanism) {
  return { wasm: 'fused in wasm', js: 'fused in JS', values: 'through JS values' }[mechanism];
}

/**
 * `intertype bindgen js APP --link NAME=FILE… [--fuse-in-js | --no-fuse]`;
 * returns the importer's glue module and the output directory. `fuse:
 * false` is `mechanism: 'values'`.
 */
export async function bindgenLinked(app, links, { fuse = true, mechanism = fuse ? 'wasm' : 'values', name = 'app' } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'intertype-linked-'));
  const args = ['bindgen', 'js', app, '--out-dir', dir, '--name', name];
  for (const [n, file] of Object.entries(links)) args.push('--link', `${n}=${file}`);
  if (mechanism === 'values') args.push('--no-fuse');
  if (mechanism === 'js') args.push('--fuse-in-js');
  execFileSync(intertypeBin(), args, { stdio: ['ignore', 'inherit', 'inherit'] });
  const glue = await import(pathToFileURL(path.join(dir, `${name}.js`)).href);
  return { glue, dir };
}

/** The CLI's error output for a `bindgen js --link` that must fail. */
export function bindgenLinkedError(app, links) {
  const dir = mkdtempSync(path.join(tmpdir(), 'intertype-linked-'));
  const args = ['bindgen', 'js', app, '--out-dir', dir];
  for (const [n, file] of Object.entries(links)) args.push('--link', `${n}=${file}`);
  try {
    execFileSync(intertypeBin(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    return e.stderr.toString();
  }
  throw new Error('bindgen succeeded');
}

/** Every type of the engine's differential test, with the encodings of A and B. */
export function cases() {
  const P = (k) => ({ k });
  const list = (e) => ({ k: 'list', e });
  const record = (...fs) => ({ k: 'record', fs });
  const tuple = (...ts) => ({ k: 'tuple', ts });
  const option = (t) => ({ k: 'option', t });
  const result = (ok, err) => ({ k: 'result', ok, err });
  const en = (n) => ({ k: 'enum', n });
  const person = record(P('string'), list(P('string')), option(tuple(P('f64'), P('f64'))), en(3));
  return [
    ['scalars', record(...['bool', 's8', 'u8', 's16', 'u16', 's32', 'u32', 's64', 'u64', 'f32', 'f64', 'char'].map(P)), 'utf8', 'utf8'],
    ['string', P('string'), 'utf8', 'utf8'],
    ['string utf8 to utf16', P('string'), 'utf8', 'utf16'],
    ['string utf16 to utf8', P('string'), 'utf16', 'utf8'],
    ['string utf16 both', P('string'), 'utf16', 'utf16'],
    ['string latin1 to utf8', P('string'), 'latin1', 'utf8'],
    ['string utf8 to latin1', P('string'), 'utf8', 'latin1'],
    ['string latin1 to utf16', P('string'), 'latin1', 'utf16'],
    ['string utf16 to latin1', P('string'), 'utf16', 'latin1'],
    ['string latin1 both', P('string'), 'latin1', 'latin1'],
    ['bytes', list(P('u8')), 'utf8', 'utf8'],
    ['numbers', list(record(P('u32'), P('f64'), P('s16'))), 'utf8', 'utf8'],
    ['strings', list(P('string')), 'utf8', 'utf16'],
    ['chars and bools', list(tuple(P('char'), P('bool'))), 'utf8', 'utf8'],
    ['variant', { k: 'variant', cs: [P('f32'), P('f64'), P('s64'), P('string'), null, P('u8')] }, 'utf8', 'utf16'],
    ['option', option(P('string')), 'utf16', 'utf8'],
    ['result', result(P('string'), en(4)), 'utf8', 'utf8'],
    ['result empty', result(null, null), 'utf8', 'utf8'],
    ['enum', en(300), 'utf8', 'utf8'],
    ['flags', { k: 'flags', n: 5 }, 'utf8', 'utf8'],
    ['many flags', { k: 'flags', n: 40 }, 'utf8', 'utf8'],
    ['nested', list(person), 'utf8', 'utf16'],
    ['deep', option(result(list(option(P('char'))), P('string'))), 'utf16', 'utf8'],
  ];
}
