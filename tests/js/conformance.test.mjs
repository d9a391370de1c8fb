// Runs the conformance corpus (tests/conformance/*.json, format in
// docs/conformance.md) through the generated JS glue: the same modules,
// calls and expected values the Rust engine's tests run.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { bindgen, guestModule, ROOT } from './lib/bindgen.mjs';
import { Refs, toJs, toJson, isResultFn } from './lib/values.mjs';

const DIR = path.join(ROOT, 'tests', 'conformance');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

function show(json) {
  const s = JSON.stringify(json);
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}

for (const file of files) {
  const spec = JSON.parse(readFileSync(path.join(DIR, file), 'utf8'));
  describe(file, () => {
    const refs = new Refs();
    let calls = [];
    let api;
    let fns;

    before(async () => {
      const { glue, iface } = await bindgen(spec.guest !== undefined ? guestModule(spec.guest) : path.join(DIR, spec.module));
      const imports = {};
      for (const h of spec.host ?? []) {
        const decl = iface.imports.find((i) => i.module === h.module && i.name === h.name);
        assert.ok(decl, `the module has no import ${h.module}.${h.name}`);
        (imports[h.module] ??= {})[h.name] = (...args) => {
          calls.push({ module: h.module, name: h.name, args: decl.params.map((t, i) => toJson(t, args[i], refs)) });
          if (h.error !== undefined) throw new Error(h.error);
          const results = (h.returns ?? []).map((r, i) => toJs(decl.results[i], r, refs));
          if (isResultFn(decl.results)) {
            const r = results[0];
            if (r.tag === 'err') throw new glue.ResultError(r.val);
            return r.val;
          }
          return results.length === 1 ? results[0] : results.length === 0 ? undefined : results;
        };
      }
      api = await glue.instantiate(imports);
      fns = new Map();
      for (const e of iface.exports) fns.set(e.name, e);
      for (const e of iface.core_exports) if (!fns.has(e.name)) fns.set(e.name, e);
    });

    spec.steps.forEach((step, i) => {
      test(`${i}: ${step.call}(${(step.args ?? []).map(show).join(', ')})`, () => {
        const fn = fns.get(step.call);
        assert.ok(fn, `no function ${step.call}`);
        assert.equal(typeof api[step.call], 'function');
        const args = (step.args ?? []).map((a, k) => toJs(fn.params[k], a, refs));
        calls = [];
        let results;
        let error;
        try {
          const out = api[step.call](...args);
          results = fn.results.length === 0 ? [] : fn.results.length === 1 ? [out] : out;
          if (isResultFn(fn.results)) results = [{ tag: 'ok', val: out }];
        } catch (e) {
          if (isResultFn(fn.results) && e instanceof Error && e.name === 'ResultError') {
            results = [{ tag: 'err', val: e.value }];
          } else {
            error = e;
          }
        }
        if (step.expect_error !== undefined) {
          assert.ok(error, `expected an error, got ${JSON.stringify(results && results.map(String))}`);
          if (step.expect_error === 'trap') {
            assert.ok(error instanceof WebAssembly.RuntimeError, `expected a trap (WebAssembly.RuntimeError), got ${error}`);
          } else {
            // The host's own failure (or a host value the guest cannot take), not a trap.
            assert.ok(error instanceof Error && !(error instanceof WebAssembly.RuntimeError), `expected a host error, got ${error}`);
          }
        } else {
          if (error) throw error;
          assert.equal(results.length, fn.results.length);
          const json = results.map((r, k) => toJson(fn.results[k], r, refs));
          assert.deepStrictEqual(json, step.expect);
        }
        if (step.host_calls !== undefined) assert.deepStrictEqual(calls, step.host_calls);
      });
    });
  });
}
