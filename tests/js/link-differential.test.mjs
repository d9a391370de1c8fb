// Fused vs unfused links in the JS glue (`bindgen js --link`, issue 10): on
// generated values of every type of the engine's differential test, the
// glue fused in wasm (the adapter compiler's module; on an engine without
// multi-memory its JS fallback), the glue fused in JS (memory to memory
// through typed arrays) and the unfused glue (JS values between the
// modules) must give back the same value, leave the importer's memory byte
// for byte the same, and run the exporter's deferred free exactly once per
// call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bindgenLinked, cases, effective, echoExporter, echoImporter, flatExporter, plain, rng, value, wat, watFile } from './lib/link.mjs';

const VALUES = 40;

/** The importer and its exporter instantiated in one graph (so the test sees the exporter). */
async function instantiate(glue) {
  const graph = new Map();
  const app = await glue.instantiateLinked({}, graph);
  const lib = await graph.get('app.link1');
  return { app, lib };
}

/** `get(q)`; a `result` (the only result) comes back as `{tag, val}` again. */
function get(app, q, t) {
  if (t.k !== 'result') return app.get(q);
  const tagged = (tag, val) => (val === undefined ? { tag } : { tag, val });
  try {
    return tagged('ok', app.get(q));
  } catch (e) {
    if (e.name !== 'ResultError') throw e;
    return tagged('err', e.value);
  }
}

for (const [name, t, aEnc, bEnc] of cases()) {
  for (const exporter of ['memory', 'flat']) {
    test(`fused (wasm, JS) equals unfused: ${name} (exporter in ${exporter} form)`, async () => {
      const defs = [];
      const ty = wat(t, defs);
      const a = watFile(echoImporter(defs.join('\n  '), ty, aEnc));
      const b = watFile(exporter === 'memory' ? echoExporter(defs.join('\n  '), ty, bEnc) : flatExporter(defs.join('\n  '), ty, bEnc, t));
      const inWasm = await bindgenLinked(a, { lib: b }, { mechanism: 'wasm' });
      const inJs = await bindgenLinked(a, { lib: b }, { mechanism: 'js' });
      const unfused = await bindgenLinked(a, { lib: b }, { mechanism: 'values' });
      assert.deepEqual(inWasm.glue.linkReport.map((r) => r.mechanism), [effective('wasm')]);
      assert.deepEqual(inJs.glue.linkReport.map((r) => r.mechanism), ['js']);
      assert.deepEqual(unfused.glue.linkReport.map((r) => r.fused), [false]);
      const latin1 = aEnc === 'latin1' || bEnc === 'latin1';
      const frees = exporter === 'memory' ? 1 : 0;
      const r = rng(0x5eed ^ name.length);
      for (let i = 0; i < VALUES; i++) {
        const v = value(t, r, latin1);
        const results = [];
        for (const { glue } of [inWasm, inJs, unfused]) {
          const { app, lib } = await instantiate(glue);
          const p = app.put(v);
          const before = lib.$core.frees.value;
          const q = app.$core.run(p);
          assert.equal(lib.$core.frees.value, before + frees, `${name}: the exporter's free ran ${frees} time(s)`);
          const back = get(app, q, t);
          const memory = new Uint8Array(app.$core.memory.buffer.slice(0, 65536));
          results.push({ back, memory });
        }
        const u = results[2];
        const shown = JSON.stringify(plain(v), (k, x) => (typeof x === 'bigint' ? `${x}n` : x));
        for (const [f, which] of [[results[0], 'fused in wasm'], [results[1], 'fused in JS']]) {
          assert.deepEqual(plain(f.back), plain(u.back), `${name} (${which}): ${shown}`);
          assert.deepEqual(plain(f.back), plain(v), `${name} (${which}): the value came back`);
          const at = f.memory.findIndex((x, k) => x !== u.memory[k]);
          assert.equal(at, -1, `${name} (${which}): importer memory differs at 0x${at.toString(16)}`);
        }
      }
    });
  }
}
