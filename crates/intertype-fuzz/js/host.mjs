// The JS side of the hostile-module probe (crates/intertype-fuzz/src/hostile.rs):
// reads one request per line, `{"dir", "base", "exports"}`, imports the glue
// `dir/base.js`, calls each export on a fresh instance, and answers one line
// `{"outcomes": [{"value": [...]} | {"error": category, "message"}]}` in the
// conformance value encoding (docs/conformance.md).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { toJson, isResultFn, Refs } from '../../../tests/js/lib/values.mjs';

function category(e) {
  if (e instanceof WebAssembly.RuntimeError) {
    return String(e.message).startsWith('limit exceeded') ? 'limit' : 'trap';
  }
  // A stack overflow in the glue is a finding, not a host error.
  if (e instanceof RangeError && /call stack/.test(e.message)) return 'stack-overflow';
  if (e instanceof TypeError || e instanceof RangeError) return 'host';
  return `other:${e && e.name}`;
}

async function serve(req) {
  const glue = await import(pathToFileURL(path.join(req.dir, `${req.base}.js`)).href);
  const iface = JSON.parse(readFileSync(path.join(req.dir, `${req.base}.interface.json`), 'utf8'));
  const wasm = readFileSync(path.join(req.dir, `${req.base}.wasm`));
  const module = await WebAssembly.compile(wasm);
  const outcomes = [];
  for (const name of req.exports) {
    const decl = iface.exports.find((e) => e.name === name);
    const api = await glue.instantiate({}, module);
    try {
      let out = api.$exports[name]();
      let results = decl.results.length === 1 ? [out] : out;
      if (isResultFn(decl.results)) results = [{ tag: 'ok', val: out }];
      outcomes.push({ value: decl.results.map((t, i) => toJson(t, results[i], new Refs())) });
    } catch (e) {
      if (isResultFn(decl.results) && e instanceof Error && e.name === 'ResultError') {
        outcomes.push({ value: [toJson(decl.results[0], { tag: 'err', val: e.value }, new Refs())] });
      } else {
        outcomes.push({ error: category(e), message: String(e && e.message) });
      }
    }
  }
  return { outcomes };
}

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  let reply;
  try {
    reply = await serve(JSON.parse(line));
  } catch (e) {
    reply = { fatal: String(e && e.stack) };
  }
  process.stdout.write(JSON.stringify(reply) + '\n');
}
