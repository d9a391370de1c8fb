// Rust guests (examples/signatures) from JS: the .d.ts names parameters as
// the Rust source does, borrowed values and renamed/keyword names map as
// documented, and a panic's message is the RuntimeError's, after which the
// guest refuses every call with the same message (docs/guest.md, *Panics*).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { bindgen, guestModule } from './lib/bindgen.mjs';

async function signatures() {
  const out = await bindgen(guestModule('signatures'));
  const recorded = [];
  const m = await out.glue.instantiate({
    host: { record: (tags, note) => recorded.push([tags, note]) },
  });
  return { ...out, m, recorded };
}

test('parameter names in the .d.ts', async () => {
  const { dir, base } = await signatures();
  const dts = readFileSync(path.join(dir, `${base}.d.ts`), 'utf8');
  for (const line of [
    'join(parts: Array<string>, separator: string): string;',
    'greet(name: string | null): string;',
    'count_long(words: Array<string>, min: number): number;',
    'read_file(path: string): Uint8Array;',
  ]) {
    assert.ok(dts.includes(line), `${line}\n${dts}`);
  }
  // Toolchain exports are not part of the interface.
  assert.ok(!dts.includes('__intertype_panic_message'), dts);
});

test('values: borrowed inside, renames, keywords, maps', async () => {
  const { m, recorded } = await signatures();
  assert.equal(m.greet(null), 'Hello, stranger!');
  assert.equal(m.greet('Lin'), 'Hello, Lin!');
  assert.equal(m.join(['a', 'b'], '+'), 'a+b');
  assert.deepEqual(m.token('42'), { type: 'number', match: true });
  assert.deepEqual(m.boxed({ lat: 1, lon: -2 }), { lat: -1, lon: 2 });
  assert.deepEqual(m.histogram(['b', 'a', 'b']), [['a', 1], ['b', 2]]);
  assert.equal(m.worst(['warn']), 'warn');
  assert.equal(m.tag('x y'), 1);
  assert.deepEqual(recorded, [[['x', 'y'], 'x']]);
  assert.equal(m.__intertype_panic_message, undefined);
});

test('a panic: its message, then the guest stops', async () => {
  const { m } = await signatures();
  assert.equal(m.bump(), 1);
  assert.throws(
    () => m.fail('boom\u001b[2J'),
    (e) => e instanceof WebAssembly.RuntimeError
      && /^the guest panicked at signatures\/src\/lib\.rs:\d+:\d+: boom\\u\{1b\}\[2J$/.test(e.message)
      && e.cause instanceof WebAssembly.RuntimeError,
  );
  // Every later call reports the same panic, without running guest code.
  for (let i = 0; i < 3; i++) {
    assert.throws(() => m.bump(), (e) => e.message.includes(': boom'));
  }
  // A panic while a RefCell is borrowed: later calls report the panic, not
  // the broken state.
  const { m: m2 } = await signatures();
  assert.throws(() => m2.fail_while_borrowed(), /failed while holding the state/);
  assert.throws(() => m2.bump(), /failed while holding the state/);
});
