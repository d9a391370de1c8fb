//! Links fused in wasm (`bindgen js --link`, the default): the adapter
//! compiler (`intertype-adapt`, as the engine uses it) fuses the importer's
//! `implement` adapter with the exporter's export adapter into one core
//! function of an **adapter module** importing both sides' memories,
//! allocators and core functions. The glue writes it next to the importer's
//! `.wasm` (`<name>.adapters.wasm`, a name made from the output name only)
//! and instantiates it between the two instances; the importer's core
//! import is a trampoline of the compiler's shim calling through a table
//! filled with the adapter module's export, so a fused call is wasm to wasm
//! with no JS frame. A trap out of it is mapped, from the adapter module's
//! `trap-code` global (`side << 8 | kind`), to the error the JS-fused path
//! raises, naming the module at fault. Links the compiler does not fuse keep
//! the JS-fused function ([`crate::fuse`]) or JS values.

use std::collections::BTreeMap;

/// What the adapter compiler made of one importer's links.
pub(crate) struct WasmLinks {
    /// Adapter index (of the `implement`) → its fused function.
    pub fused: BTreeMap<u32, intertype_adapt::Fused>,
    /// Adapter index → why the adapter compiler did not fuse it.
    pub why_not: BTreeMap<u32, String>,
    pub module: Vec<u8>,
    pub shim: Vec<u8>,
}

/// Compiles the links of `importer` (its wasm as the glue writes it) to the
/// `exporters` (link name, wasm as their glue writes it); `implements` maps
/// a core import to the adapter implementing it. `Err`: why nothing fuses
/// in wasm.
pub(crate) fn compile(
    importer: &[u8],
    exporters: &[(&str, &[u8])],
    implements: &BTreeMap<(String, String), u32>,
) -> Result<WasmLinks, String> {
    let adapters = intertype_adapt::compile(importer, exporters)
        .map_err(|e| format!("the adapter compiler refused the links: {e}"))?;
    let mut fused = BTreeMap::new();
    let mut why_not = BTreeMap::new();
    for link in &adapters.links {
        let Some(&a) = implements.get(&link.import) else {
            continue;
        };
        match &link.outcome {
            intertype_adapt::Outcome::Fused(f) => {
                fused.insert(a, f.clone());
            }
            intertype_adapt::Outcome::NotFusable(why) => {
                why_not.insert(a, format!("the adapter compiler does not fuse it: {why}"));
            }
        }
    }
    Ok(WasmLinks {
        fused,
        why_not,
        module: adapters.module,
        shim: adapters.shim,
    })
}

/// The module-level helpers of glue with an adapter module: mapping a trap
/// code to the error naming the module at fault, and the wrapped `$core`.
pub(crate) const ADAPTER_ERRORS: &str = r#"// Misbehaviours the adapter module reports (`trap-code` = side << 8 | kind,
// docs/linking.md), as the errors the JS-fused path raises.
const ADAPTER_FAULTS = [
  undefined,
  'a pointer or range is outside linear memory',
  'a pointer is misaligned',
  'invalid UTF-8 or UTF-16 in a string',
  'the allocator returned a pointer outside linear memory or misaligned',
  'a length whose byte size overflows 32 bits',
  'an invalid value (a discriminant past the last case, a char that is not a Unicode scalar value, flag bits past the last flag or an integer out of range)',
  'a value the adapter cannot represent (a character Latin-1 cannot hold or an integer out of range)',
];
function adapterFault(e, trapCode, sides) {
  const code = trapCode.value;
  if (code === 0) return e;
  trapCode.value = 0;
  const side = code >>> 8, kind = code & 255;
  const module = side < sides.length ? sides[side] : `side ${side}`;
  if (kind === 8 || kind >= ADAPTER_FAULTS.length) return inModule(e, module, ' (a fused call)');
  const C = kind === 7 ? RangeError : WebAssembly.RuntimeError;
  return new C(`in module ${JSON.stringify(module)} (a fused call): ${ADAPTER_FAULTS[kind]}`, { cause: e });
}
// The core exports with traps out of fused calls mapped to errors.
function faultMappedCore(ex, fault) {
  const out = Object.create(null);
  for (const k of Object.keys(ex)) {
    const v = ex[k];
    out[k] = typeof v !== 'function' ? v : function (...args) {
      try {
        return v(...args);
      } catch (e) {
        throw fault(e);
      }
    };
  }
  return Object.freeze(out);
}
"#;

/// Whether the JS engine runs modules with several memories (an adapter
/// module imports two); without (Node 20) the glue falls back to the
/// JS-fused functions.
pub(crate) const WASM_FUSION: &str = "// Adapter modules import two memories: wasm multi-memory (Node 22+, current browsers).\nconst WASM_FUSION = WebAssembly.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 5, 5, 2, 0, 0, 0, 0]));\n";
