// The conformance corpus's JSON value encoding (docs/conformance.md) and the
// JS value mapping of the generated glue (docs/js.md), converted into each
// other by type. Types come from `intertype bindgen js --interface-json`.

const INTS = new Set(['s8', 'u8', 's16', 'u16', 's32', 'u32', 'i32']);
const BIGS = new Set(['s64', 'u64', 'i64']);
const FLOATS = new Set(['f32', 'f64']);

function num(json) {
  if (json === 'nan') return NaN;
  if (json === 'inf') return Infinity;
  if (json === '-inf') return -Infinity;
  return json;
}

function numJson(x) {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return x;
}

/** Host objects standing for `{"ref": name}`: one per name per run. */
export class Refs {
  constructor() {
    this.byName = new Map();
  }
  get(name) {
    if (!this.byName.has(name)) this.byName.set(name, { ref: name, toString: () => `ref ${name}` });
    return this.byName.get(name);
  }
  name(obj) {
    for (const [n, o] of this.byName) if (o === obj) return n;
    return '<unknown object>';
  }
}

const form = (ty) => (typeof ty === 'string' ? ty : Object.keys(ty).find((k) => k !== 'name'));

/** Conformance JSON -> the JS value the glue takes for `ty`. */
export function toJs(ty, json, refs) {
  const f = form(ty);
  if (INTS.has(f) || f === 'bool' || f === 'char' || f === 'string') return json;
  if (FLOATS.has(f)) return num(json);
  if (BIGS.has(f)) return BigInt(json);
  if (f === 'externref') return json === null ? null : refs.get(json.ref);
  const body = ty[f];
  switch (f) {
    case 'record':
      return Object.fromEntries(body.map((fl) => [fl.name, toJs(fl.type, json[fl.name], refs)]));
    case 'tuple':
      return body.map((t, i) => toJs(t, json[i], refs));
    case 'list':
      if (body === 'u8') return Uint8Array.from(json);
      return json.map((x) => toJs(body, x, refs));
    case 'flags':
      return Object.fromEntries(body.map((n) => [n, json.includes(n)]));
    case 'enum':
      return json;
    case 'variant': {
      const c = body.find((c) => c.name === json.tag);
      return c.type === null ? { tag: json.tag } : { tag: json.tag, val: toJs(c.type, json.val, refs) };
    }
    case 'option': {
      if (json === null) return null;
      const v = toJs(body, json.some, refs);
      return form(body) === 'option' ? { tag: 'some', val: v } : v;
    }
    case 'result': {
      const [tag, t] = 'ok' in json ? ['ok', body.ok] : ['err', body.err];
      const v = json[tag];
      return t === null ? { tag } : { tag, val: toJs(t, v, refs) };
    }
  }
  throw new Error(`unknown type ${JSON.stringify(ty)}`);
}

/** A JS value the glue produced for `ty` -> conformance JSON. */
export function toJson(ty, v, refs) {
  const f = form(ty);
  if (INTS.has(f)) {
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(`${f}: expected an integer number, got ${typeof v} ${v}`);
    return v;
  }
  if (f === 'bool') {
    if (typeof v !== 'boolean') throw new Error(`bool: got ${typeof v}`);
    return v;
  }
  if (f === 'char' || f === 'string') {
    if (typeof v !== 'string') throw new Error(`${f}: got ${typeof v}`);
    return v;
  }
  if (FLOATS.has(f)) {
    if (typeof v !== 'number') throw new Error(`${f}: got ${typeof v}`);
    return numJson(v);
  }
  if (BIGS.has(f)) {
    if (typeof v !== 'bigint') throw new Error(`${f}: expected a bigint, got ${typeof v}`);
    return v.toString();
  }
  if (f === 'externref') return v === null || v === undefined ? null : { ref: refs.name(v) };
  const body = ty[f];
  switch (f) {
    case 'record':
      return Object.fromEntries(body.map((fl) => [fl.name, toJson(fl.type, v[fl.name], refs)]));
    case 'tuple':
      if (!Array.isArray(v)) throw new Error('tuple: expected an array');
      return body.map((t, i) => toJson(t, v[i], refs));
    case 'list':
      if (body === 'u8' && !(v instanceof Uint8Array)) throw new Error('list<u8>: expected a Uint8Array');
      return Array.from(v, (x) => toJson(body, x, refs));
    case 'flags':
      return body.filter((n) => {
        if (typeof v[n] !== 'boolean') throw new Error(`flags: ${n} is not a boolean`);
        return v[n];
      });
    case 'enum':
      if (!body.includes(v)) throw new Error(`enum: ${v} is not a case`);
      return v;
    case 'variant': {
      const c = body.find((c) => c.name === v.tag);
      if (!c) throw new Error(`variant: unknown tag ${v.tag}`);
      return c.type === null ? { tag: v.tag } : { tag: v.tag, val: toJson(c.type, v.val, refs) };
    }
    case 'option':
      if (v === null) return null;
      if (form(body) === 'option') {
        if (v.tag !== 'some') throw new Error('option<option<T>>: expected { tag: "some" }');
        return { some: toJson(body, v.val, refs) };
      }
      return { some: toJson(body, v, refs) };
    case 'result': {
      const t = v.tag === 'ok' ? body.ok : body.err;
      if (v.tag !== 'ok' && v.tag !== 'err') throw new Error(`result: unknown tag ${v.tag}`);
      return { [v.tag]: t === null ? null : toJson(t, v.val, refs) };
    }
  }
  throw new Error(`unknown type ${JSON.stringify(ty)}`);
}

/** Whether a function's only result is a `result` (exports throw its error). */
export function isResultFn(results) {
  return results.length === 1 && form(results[0]) === 'result';
}
