//! Building linked pairs: fixture modules, the adapter module between them,
//! instantiation with plain wasmtime (shim, exporter, importer, adapters,
//! table), and the engine's unfused path for comparison.

use intertype_adapt::{Adapters, Fault, ImportKind, Outcome, TABLE_EXPORT, TRAP_CODE_GLOBAL};
use wasmtime::{Engine, Extern, Instance, Module, Ref, Store, Val};

/// Pages of the fixtures' memories, and the part the tests compare.
pub const IMAGE: usize = 2 * 65536;

/// The bump allocator every fixture uses: `(size, align) -> ptr`, heap
/// pointer at address 0 (so that it is part of the memory image).
pub const MALLOC: &str = r#"
  (data (i32.const 0) "\40\00\00\00")
  (func $malloc (export "malloc") (param $size i32) (param $align i32) (result i32)
    (local $p i32)
    (local.set $p
      (i32.and
        (i32.add (i32.load (i32.const 0)) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
    (i32.store (i32.const 0) (i32.add (local.get $p) (local.get $size)))
    (local.get $p))
  (func $malloc1 (export "malloc1") (param $size i32) (result i32)
    (call $malloc (local.get $size) (i32.const 1)))
"#;

/// The importer of the echo fixture: stores its argument of type `ty` in
/// its memory, calls `lib` `echo` through a core import with a pointer,
/// and gets a pointer to the stored result. Export adapters `put`, `get`
/// and `dump` let the engine put values in and read them out.
pub fn echo_importer(typedefs: &str, ty: &str, enc: &str) -> Vec<u8> {
    echo_importer_with(typedefs, ty, enc, MALLOC)
}

/// [`echo_importer`] with its own allocator text (defining `$malloc`).
pub fn echo_importer_with(typedefs: &str, ty: &str, enc: &str, malloc: &str) -> Vec<u8> {
    let text = format!(
        r#"(module
  (import "lib" "echo_" (func $echo_ (param i32) (result i32)))
  (memory (export "memory") 4)
  {malloc}
  (func $run (export "run") (param i32) (result i32) local.get 0 call $echo_)
  (func $dump_ (export "dump_") (result i32 i32) i32.const 0 i32.const {IMAGE})
  (func $id (param i32) (result i32) local.get 0)
  {typedefs}
  (@interface type $image (list u8))
  (@interface import "lib" "echo" (func $echo (param {ty}) (result {ty})))
  (@interface implement (import "lib" "echo_") (param i32) (result i32)
    arg.get 0
    value.load {ty} {enc}
    call-adapter $echo
    value.store_new {ty} $malloc {enc})
  (@interface func (export "put") (param {ty}) (result i32)
    arg.get 0
    value.store_new {ty} $malloc {enc}
    call-core $id)
  (@interface func (export "get") (param i32) (result {ty})
    arg.get 0
    value.load {ty} {enc})
  (@interface func (export "dump") (result $image)
    call-core $dump_
    value.lift $image))"#
    );
    intertype::parse_str(&text, None).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// The exporter of the echo fixture: stores the argument in its memory,
/// passes the pointer through core function `echo_` (the identity unless
/// `core` replaces it), frees it with a deferred call (counted in the
/// exported global `frees`) and loads the result.
pub fn echo_exporter(typedefs: &str, ty: &str, enc: &str, core: Option<&str>) -> Vec<u8> {
    echo_exporter_with(typedefs, ty, enc, core, MALLOC)
}

/// [`echo_exporter`] with its own allocator text (defining `$malloc`).
pub fn echo_exporter_with(
    typedefs: &str,
    ty: &str,
    enc: &str,
    core: Option<&str>,
    malloc: &str,
) -> Vec<u8> {
    let core =
        core.unwrap_or("(func $echo_ (export \"echo_\") (param i32) (result i32) local.get 0)");
    let text = format!(
        r#"(module
  (memory (export "memory") 4)
  {malloc}
  (global $frees (export "frees") (mut i32) (i32.const 0))
  (func $free (export "free") (param i32)
    (global.set $frees (i32.add (global.get $frees) (i32.const 1))))
  {core}
  {typedefs}
  (@interface func (export "echo") (param {ty}) (result {ty})
    arg.get 0
    value.store_new {ty} $malloc {enc}
    call-core $echo_
    defer-call-core $free
    value.load {ty} {enc}))"#
    );
    intertype::parse_str(&text, None).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// An exporter that passes the value through its core code in flat form:
/// `value.lower` into core parameters, an identity core function over the
/// flat types, `value.lift` of its results (no memory round trip, no free).
pub fn flat_exporter(typedefs: &str, ty: &str, enc: &str) -> Vec<u8> {
    let flat = flat_types(typedefs, ty);
    let list = flat.join(" ");
    let gets: String = (0..flat.len()).map(|i| format!("local.get {i} ")).collect();
    let core = format!("(func $echo_ (export \"echo_\") (param {list}) (result {list}) {gets})");
    let text = format!(
        r#"(module
  (memory (export "memory") 4)
  {MALLOC}
  (global $frees (export "frees") (mut i32) (i32.const 0))
  {core}
  {typedefs}
  (@interface func (export "echo") (param {ty}) (result {ty})
    arg.get 0
    value.lower {ty} $malloc {enc}
    call-core $echo_
    value.lift {ty} {enc}))"#
    );
    intertype::parse_str(&text, None).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// The flat form of `ty` as WAT keywords.
fn flat_types(typedefs: &str, ty: &str) -> Vec<String> {
    let text = format!("(module {typedefs} (@interface type $probe (func (param {ty}))))");
    let bytes = intertype::parse_str(&text, None).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let m = intertype::Module::from_binary(&bytes).unwrap();
    let probe = m
        .booklet
        .types
        .iter()
        .rev()
        .find_map(|t| match t {
            intertype::TypeDef::Func(f) => Some(f.params[0]),
            _ => None,
        })
        .unwrap();
    intertype::layout::flatten(&m.booklet.types, probe)
        .unwrap()
        .iter()
        .map(|t| t.to_string())
        .collect()
}

/// An importer, its exporter `lib` and the adapters between them,
/// instantiated in one store.
pub struct Linked {
    pub store: Store<()>,
    pub a: Instance,
    pub b: Instance,
    pub adapter: Instance,
    pub adapters: Adapters,
}

impl Linked {
    pub fn new(a: &[u8], b: &[u8]) -> Linked {
        Self::new_many(a, &[("lib", b)])
    }

    /// With several exporters; `b` is the first.
    pub fn new_many(a: &[u8], libs: &[(&str, &[u8])]) -> Linked {
        let adapters = intertype_adapt::compile(a, libs).unwrap_or_else(|e| panic!("{e}"));
        for l in &adapters.links {
            if let Outcome::NotFusable(why) = &l.outcome {
                panic!("{:?} not fused: {why}", l.import);
            }
        }
        wasmparser::Validator::new()
            .validate_all(&adapters.module)
            .unwrap_or_else(|e| panic!("adapter module: {e}\n{}", print(&adapters.module)));
        Self::instantiate(a, libs, adapters)
    }

    pub fn instantiate(a: &[u8], libs: &[(&str, &[u8])], adapters: Adapters) -> Linked {
        let engine = Engine::default();
        let mut store = Store::new(&engine, ());
        let shim = Module::new(&engine, &adapters.shim).expect("shim compiles");
        let shim = Instance::new(&mut store, &shim, &[]).expect("shim instantiates");
        // The exporters have no imports in these fixtures.
        let exporters: Vec<Instance> = libs
            .iter()
            .map(|(_, b)| {
                let m = Module::new(&engine, intertype::core::strip(b).unwrap()).unwrap();
                Instance::new(&mut store, &m, &[]).expect("exporter instantiates")
            })
            .collect();
        let b = exporters[0];
        let a_module = Module::new(&engine, intertype::core::strip(a).unwrap()).unwrap();
        let a_core = intertype::Module::from_binary(a).unwrap().core;
        let mut a_imports = Vec::new();
        for imp in a_module.imports() {
            let idx = a_core
                .funcs
                .iter()
                .position(|f| f.import.as_ref() == Some(&(imp.module().into(), imp.name().into())))
                .unwrap() as u32;
            let fused = adapters
                .fused()
                .find(|f| f.core_func == idx)
                .unwrap_or_else(|| panic!("no fused function for {}", imp.name()));
            a_imports.push(shim.get_export(&mut store, &fused.export).unwrap());
        }
        let a = Instance::new(&mut store, &a_module, &a_imports).expect("importer instantiates");
        let adapter_module =
            Module::new(&engine, &adapters.module).expect("adapter module compiles");
        let mut imports: Vec<Extern> = Vec::new();
        for imp in &adapters.imports {
            let from = if imp.side == 0 {
                a
            } else {
                exporters[imp.side as usize - 1]
            };
            let e = from
                .get_export(&mut store, &imp.name)
                .unwrap_or_else(|| panic!("side {} exports {:?}", imp.side, imp.name));
            match imp.kind {
                ImportKind::Func(_) => assert!(e.clone().into_func().is_some()),
                ImportKind::Memory(_) => assert!(e.clone().into_memory().is_some()),
            }
            imports.push(e);
        }
        let adapter =
            Instance::new(&mut store, &adapter_module, &imports).expect("adapters instantiate");
        let table = shim.get_table(&mut store, TABLE_EXPORT).unwrap();
        for f in adapters.fused() {
            let func = adapter.get_func(&mut store, &f.export).unwrap();
            table
                .set(&mut store, f.table_index as u64, Ref::Func(Some(func)))
                .unwrap();
        }
        Linked {
            store,
            a,
            b,
            adapter,
            adapters,
        }
    }

    pub fn memory(&mut self, side: u32) -> Vec<u8> {
        let inst = if side == 0 { self.a } else { self.b };
        let m = inst.get_memory(&mut self.store, "memory").unwrap();
        let data = m.data(&self.store);
        data[..IMAGE.min(data.len())].to_vec()
    }

    pub fn set_memory(&mut self, side: u32, image: &[u8]) {
        let inst = if side == 0 { self.a } else { self.b };
        let m = inst.get_memory(&mut self.store, "memory").unwrap();
        m.write(&mut self.store, 0, image).unwrap();
    }

    /// Calls A's core export `name` with i32 arguments; on a trap, the
    /// adapter's fault (None for a code 0).
    pub fn call(&mut self, name: &str, args: &[i32]) -> Result<Vec<Val>, Option<Fault>> {
        let f = self.a.get_func(&mut self.store, name).unwrap();
        let n = f.ty(&self.store).results().len();
        let mut out = vec![Val::I32(0); n];
        let args: Vec<Val> = args.iter().map(|a| Val::I32(*a)).collect();
        match f.call(&mut self.store, &args, &mut out) {
            Ok(()) => Ok(out),
            Err(_) => {
                let g = self
                    .adapter
                    .get_global(&mut self.store, TRAP_CODE_GLOBAL)
                    .unwrap();
                let code = g.get(&mut self.store).i32().unwrap() as u32;
                g.set(&mut self.store, Val::I32(0)).unwrap();
                Err(Fault::from_code(code))
            }
        }
    }

    pub fn global(&mut self, side: u32, name: &str) -> i32 {
        let inst = if side == 0 { self.a } else { self.b };
        let g = inst.get_global(&mut self.store, name).unwrap();
        g.get(&mut self.store).i32().unwrap()
    }
}

pub fn print(wasm: &[u8]) -> String {
    wasmprinter::print_bytes(wasm).unwrap_or_else(|e| format!("(unprintable: {e})"))
}

/// The engine's unfused path: A in `intertype-runtime` with `lib` `echo`
/// served by a host function that calls B's instance with host values.
pub struct Unfused {
    pub a: intertype_runtime::Instance,
    pub b: std::sync::Arc<std::sync::Mutex<intertype_runtime::Instance>>,
}

impl Unfused {
    pub fn new(a: &[u8], b: &[u8]) -> Unfused {
        Self::new_with(a, b, "echo")
    }

    /// With `lib` `name` served by B's export `name`.
    pub fn new_with(a: &[u8], b: &[u8], name: &'static str) -> Unfused {
        Self::new_serving(a, b, &[name])
    }

    /// With `lib` `name` served by B's export `name`, for each name.
    pub fn new_serving(a: &[u8], b: &[u8], names: &[&'static str]) -> Unfused {
        use intertype_runtime::{Engine, Linker, Module};
        let engine = Engine::default();
        let b = Module::new(&engine, b).unwrap();
        let b = Linker::new(&engine).instantiate(&b).unwrap();
        let b = std::sync::Arc::new(std::sync::Mutex::new(b));
        let a = Module::new(&engine, a).unwrap();
        let mut linker = Linker::new(&engine);
        for &name in names {
            let ty = b.lock().unwrap().func(name).unwrap().ty().clone();
            let served = b.clone();
            linker.func_new("lib", name, ty, move |args, out| {
                let mut b = served.lock().unwrap();
                out.extend(b.call(name, args)?);
                Ok(())
            });
        }
        let a = linker.instantiate(&a).unwrap();
        Unfused { a, b }
    }

    pub fn image(&mut self) -> Vec<u8> {
        match self.a.call("dump", &[]).unwrap().pop() {
            Some(intertype_runtime::Value::Bytes(b)) => b,
            other => panic!("dump returned {other:?}"),
        }
    }
}
