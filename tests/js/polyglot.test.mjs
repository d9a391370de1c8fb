// examples/polyglot from JS (issue 10): the Rust guest linked to the
// hand-written UTF-16 module `text.wat` by `bindgen js --link`, fused (in wasm and
// in JS) and through JS values, with the same answers as the engine and the CLI
// (crates/intertype-guest-tests/tests/all/polyglot.rs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ROOT, guestModule } from './lib/bindgen.mjs';
import { MECHANISMS, bindgenLinked, effective, how } from './lib/link.mjs';

const TEXT = path.join(ROOT, 'examples/polyglot/text.wat');

for (const mechanism of MECHANISMS) {
  test(`the Rust guest calls the UTF-16 module ${how(mechanism)}`, async () => {
    const { glue } = await bindgenLinked(guestModule('polyglot'), { text: TEXT }, { mechanism, name: 'polyglot' });
    const e = effective(mechanism);
    assert.deepEqual(
      glue.linkReport.map((r) => [r.name, r.mechanism]).sort(),
      [['greet', e], ['measure', e]],
      JSON.stringify(glue.linkReport),
    );
    const m = await glue.instantiate();
    assert.equal(m.welcome(['Zoë', '🦀', 'Lin']), 'Hello, Zoë; Hello, 🦀; Hello, Lin (3 names, 8 UTF-16 units)');
    assert.equal(m.welcome(['Ada', '𝄞']), 'Hello, Ada; Hello, 𝄞 (2 names, 5 UTF-16 units)');
    const long = 'é'.repeat(3000);
    assert.equal(m.welcome([long]), `Hello, ${long} (1 names, 3000 UTF-16 units)`);
  });
}
