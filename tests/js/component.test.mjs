// Issue 13: a wit-bindgen guest (the component benchmark's `greet`, built
// from benches/guests/greet-wit) adopted with `intertype component adopt`
// and run in Node through `intertype bindgen js`: the glue calls
// `cabi_realloc` in its four-parameter form.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bindgen, intertypeBin, ROOT } from './lib/bindgen.mjs';

test('an adopted wit-bindgen guest runs in Node', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'intertype-component-'));
  const adopted = path.join(dir, 'greet.wasm');
  const core = path.join(ROOT, 'crates/intertype-component/tests/fixtures/greet-wit.core.wasm');
  execFileSync(intertypeBin(), ['component', 'adopt', core, '-o', adopted]);
  const { glue } = await bindgen(adopted);
  const m = await glue.instantiate();
  assert.equal(m.greet('Node ✓'), 'Hello, Node ✓');
  assert.equal(m.greet(''), 'Hello, ');
  const big = 'w'.repeat(64 << 10);
  assert.equal(m.greet(big), `Hello, ${big}`);
});
