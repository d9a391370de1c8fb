// Issue 13: examples/c-greet — C compiled by clang against the bindings of
// `wit-bindgen c`, adopted with `intertype component adopt` (the example's
// build.sh), and run in Node through `intertype bindgen js`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bindgen, intertypeBin, ROOT } from './lib/bindgen.mjs';

test('the C greeting guest runs in Node', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'intertype-c-greet-'));
  execFileSync('bash', [path.join(ROOT, 'examples/c-greet/build.sh'), dir], {
    env: { ...process.env, INTERTYPE: intertypeBin() },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const { glue, iface } = await bindgen(path.join(dir, 'greet.wasm'));
  assert.deepEqual(iface.exports.map((e) => e.name), ['greeting']);
  const m = await glue.instantiate();
  assert.equal(m.greeting('Node'), 'Hello, Node!');
  assert.equal(m.greeting(''), 'Hello, !');
  assert.equal(m.greeting('世界 ✓'), 'Hello, 世界 ✓!');
  // Every call frees what it allocated (the generated `cabi_post_greeting`):
  // 1,000 calls at 64 KiB would need ~128 MiB of memory if it leaked.
  const big = 'w'.repeat(64 << 10);
  for (let i = 0; i < 1000; i++) assert.equal(m.greeting(big).length, big.length + 8);
  assert.ok(m.$core.memory.buffer.byteLength < 16 << 20, `memory grew to ${m.$core.memory.buffer.byteLength} B`);
});
