//! Engine, module, linker, instance and function handles; calls.

use crate::error::intertype_error_t;
use crate::types::intertype_functype_t;
use crate::value::intertype_value_t;
use crate::{entry, guard, set_len, str_arg};
use intertype_runtime::{Config, Engine, Func, FuncType, Instance, Limits, Linker, Module, Value};
use std::cell::{Cell, UnsafeCell};
use std::ffi::{c_char, CStr};
use std::ptr;

/// Compilation settings and default limits (opaque). Thread-safe; share
/// it between modules and linkers.
pub struct intertype_engine_t {
    pub(crate) engine: Engine,
}

/// A compiled module (opaque). Thread-safe; independent of the engine
/// handle's lifetime.
pub struct intertype_module_t {
    module: Module,
    /// The module's interface imports, indexable.
    imports: Vec<(String, String, FuncType)>,
}

/// Host functions and limits for instantiation (opaque).
pub struct intertype_linker_t {
    pub(crate) linker: Linker,
    limits: Limits,
    engine: Engine,
}

/// One instance: its own store, memory and fuel (opaque). Not thread-safe:
/// use it from one thread at a time.
pub struct intertype_instance_t {
    /// Set while a call runs, so that a host callback calling back into the
    /// same instance gets a usage error instead of aliasing the store.
    busy: Cell<bool>,
    state: UnsafeCell<InstanceState>,
}

struct InstanceState {
    instance: Instance,
    results: Vec<Value>,
}

/// Exclusive access to an instance's state while it lives.
struct Entered<'a> {
    busy: &'a Cell<bool>,
    state: &'a mut InstanceState,
}

impl Drop for Entered<'_> {
    fn drop(&mut self) {
        self.busy.set(false);
    }
}

impl intertype_instance_t {
    fn enter(&self) -> Result<Entered<'_>, Box<intertype_error_t>> {
        if self.busy.replace(true) {
            return Err(intertype_error_t::usage(
                "the instance is already running a call (a host function called back into its own instance)",
            ));
        }
        Ok(Entered {
            busy: &self.busy,
            // SAFETY: `busy` guarantees this is the only live reference to
            // the state (instances are used by one thread at a time).
            state: unsafe { &mut *self.state.get() },
        })
    }
}

/// An interface function of an instance's module (opaque, owned).
pub struct intertype_func_t {
    func: Func,
}

/// Engine settings for `intertype_engine_new`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct intertype_engine_config_t {
    /// Meter fuel, so linkers can give instances a fuel budget
    /// (`intertype_linker_set_fuel`). Costs some speed.
    pub consume_fuel: bool,
    /// Enable epoch interruption (`intertype_engine_increment_epoch`,
    /// `intertype_linker_set_epoch_deadline`).
    pub epoch_interruption: bool,
}

fn non_null<'a, T>(p: *const T, what: &str) -> Result<&'a T, Box<intertype_error_t>> {
    // SAFETY: a live handle of this type or null, by contract.
    unsafe { p.as_ref() }.ok_or_else(|| intertype_error_t::usage(format!("{what} is null")))
}

unsafe fn write_out<T>(out: *mut *mut T, v: Box<T>) -> Result<(), Box<intertype_error_t>> {
    if out.is_null() {
        return Err(intertype_error_t::usage("the out-pointer is null"));
    }
    // SAFETY: `out` is writable by contract.
    unsafe { *out = Box::into_raw(v) };
    Ok(())
}

unsafe fn delete<T>(p: *mut T) {
    guard((), || {
        if !p.is_null() {
            // SAFETY: an owned handle from this library, freed once.
            drop(unsafe { Box::from_raw(p) })
        }
    })
}

// ---------------------------------------------------------------------------
// Engine

/// A new engine; `config` may be null for the defaults (no fuel metering,
/// no epochs). Writes the engine to `*out`.
#[no_mangle]
pub unsafe extern "C" fn intertype_engine_new(
    config: *const intertype_engine_config_t,
    out: *mut *mut intertype_engine_t,
) -> *mut intertype_error_t {
    entry(|| {
        // SAFETY: a live config or null.
        let c = unsafe { config.as_ref() }.copied().unwrap_or_default();
        let engine = Engine::new(&Config {
            consume_fuel: c.consume_fuel,
            epoch_interruption: c.epoch_interruption,
            ..Config::default()
        })?;
        // SAFETY: `out` writable by contract.
        unsafe { write_out(out, Box::new(intertype_engine_t { engine })) }
    })
}

/// Frees an engine. Modules and instances made with it stay valid.
#[no_mangle]
pub unsafe extern "C" fn intertype_engine_delete(engine: *mut intertype_engine_t) {
    // SAFETY: owned handle or null.
    unsafe { delete(engine) }
}

/// Advances the epoch: wasm of instances past their deadline stops with
/// `INTERTYPE_LIMIT_DEADLINE`. May be called from any thread.
#[no_mangle]
pub unsafe extern "C" fn intertype_engine_increment_epoch(engine: *const intertype_engine_t) {
    // SAFETY: a live engine or null.
    if let Some(e) = unsafe { engine.as_ref() } {
        guard((), || e.engine.increment_epoch())
    }
}

// ---------------------------------------------------------------------------
// Module

fn module_handle(module: Module) -> Box<intertype_module_t> {
    let imports = module
        .imports()
        .map(|(m, n, t)| (m.to_string(), n.to_string(), t.clone()))
        .collect();
    Box::new(intertype_module_t { module, imports })
}

/// Compiles a module from `len` bytes (binary, or `.wat` text with
/// `(@interface …)` items). Writes it to `*out`.
#[no_mangle]
pub unsafe extern "C" fn intertype_module_new(
    engine: *const intertype_engine_t,
    bytes: *const u8,
    len: usize,
    out: *mut *mut intertype_module_t,
) -> *mut intertype_error_t {
    entry(|| {
        let engine = non_null(engine, "the engine")?;
        // SAFETY: `len` readable bytes by contract.
        let bytes = unsafe { crate::bytes_arg(bytes, len) };
        let module = Module::new(&engine.engine, bytes)?;
        // SAFETY: `out` writable by contract.
        unsafe { write_out(out, module_handle(module)) }
    })
}

/// Compiles the module in file `path` (NUL-terminated).
#[no_mangle]
pub unsafe extern "C" fn intertype_module_from_file(
    engine: *const intertype_engine_t,
    path: *const c_char,
    out: *mut *mut intertype_module_t,
) -> *mut intertype_error_t {
    entry(|| {
        let engine = non_null(engine, "the engine")?;
        if path.is_null() {
            return Err(intertype_error_t::usage("the path is null"));
        }
        // SAFETY: a NUL-terminated string by contract.
        let path = unsafe { CStr::from_ptr(path) };
        let path = path_from_bytes(path.to_bytes())?;
        let module = Module::from_file(&engine.engine, &path)?;
        // SAFETY: `out` writable by contract.
        unsafe { write_out(out, module_handle(module)) }
    })
}

#[cfg(unix)]
fn path_from_bytes(b: &[u8]) -> Result<std::path::PathBuf, Box<intertype_error_t>> {
    use std::os::unix::ffi::OsStrExt;
    Ok(std::ffi::OsStr::from_bytes(b).into())
}

#[cfg(not(unix))]
fn path_from_bytes(b: &[u8]) -> Result<std::path::PathBuf, Box<intertype_error_t>> {
    std::str::from_utf8(b)
        .map(Into::into)
        .map_err(|_| intertype_error_t::usage("the path is not valid UTF-8"))
}

/// Frees a module. Instances of it stay valid.
#[no_mangle]
pub unsafe extern "C" fn intertype_module_delete(module: *mut intertype_module_t) {
    // SAFETY: owned handle or null.
    unsafe { delete(module) }
}

fn with_module<T>(
    m: *const intertype_module_t,
    fallback: T,
    f: impl FnOnce(&intertype_module_t) -> T,
) -> T {
    // SAFETY: a live module or null.
    match unsafe { m.as_ref() } {
        Some(m) => guard(fallback, || f(m)),
        None => fallback,
    }
}

/// The number of functions the module offers (its interface exports, and
/// the core exports no adapter touches).
#[no_mangle]
pub unsafe extern "C" fn intertype_module_export_count(module: *const intertype_module_t) -> usize {
    with_module(module, 0, |m| m.module.exports().len())
}

/// Export `index`'s name (UTF-8, not NUL-terminated; untrusted text from the
/// module) and its length; borrowed from the module. Null out of range.
#[no_mangle]
pub unsafe extern "C" fn intertype_module_export_name(
    module: *const intertype_module_t,
    index: usize,
    len: *mut usize,
) -> *const c_char {
    with_module(module, ptr::null(), |m| {
        match m.module.exports().get(index) {
            Some(e) => {
                // SAFETY: null or writable.
                unsafe { set_len(len, e.name.len()) };
                e.name.as_ptr().cast()
            }
            None => ptr::null(),
        }
    })
}

/// Export `index`'s signature; borrowed from the module. Null out of range.
#[no_mangle]
pub unsafe extern "C" fn intertype_module_export_type(
    module: *const intertype_module_t,
    index: usize,
) -> *const intertype_functype_t {
    with_module(module, ptr::null(), |m| {
        m.module
            .exports()
            .get(index)
            .map_or(ptr::null(), |e| intertype_functype_t::borrow(&e.ty))
    })
}

/// The number of interface imports (host functions the module needs).
#[no_mangle]
pub unsafe extern "C" fn intertype_module_import_count(module: *const intertype_module_t) -> usize {
    with_module(module, 0, |m| m.imports.len())
}

/// Import `index`'s module name (UTF-8, not NUL-terminated, untrusted);
/// borrowed. Null out of range.
#[no_mangle]
pub unsafe extern "C" fn intertype_module_import_module(
    module: *const intertype_module_t,
    index: usize,
    len: *mut usize,
) -> *const c_char {
    with_module(module, ptr::null(), |m| match m.imports.get(index) {
        Some((module_name, _, _)) => {
            // SAFETY: null or writable.
            unsafe { set_len(len, module_name.len()) };
            module_name.as_ptr().cast()
        }
        None => ptr::null(),
    })
}

/// Import `index`'s function name (UTF-8, not NUL-terminated, untrusted);
/// borrowed. Null out of range.
#[no_mangle]
pub unsafe extern "C" fn intertype_module_import_name(
    module: *const intertype_module_t,
    index: usize,
    len: *mut usize,
) -> *const c_char {
    with_module(module, ptr::null(), |m| match m.imports.get(index) {
        Some((_, name, _)) => {
            // SAFETY: null or writable.
            unsafe { set_len(len, name.len()) };
            name.as_ptr().cast()
        }
        None => ptr::null(),
    })
}

/// Import `index`'s signature; borrowed. Null out of range.
#[no_mangle]
pub unsafe extern "C" fn intertype_module_import_type(
    module: *const intertype_module_t,
    index: usize,
) -> *const intertype_functype_t {
    with_module(module, ptr::null(), |m| {
        m.imports
            .get(index)
            .map_or(ptr::null(), |(_, _, t)| intertype_functype_t::borrow(t))
    })
}

// ---------------------------------------------------------------------------
// Linker

/// A new linker with the engine's default limits. Null only if `engine` is.
#[no_mangle]
pub unsafe extern "C" fn intertype_linker_new(
    engine: *const intertype_engine_t,
) -> *mut intertype_linker_t {
    // SAFETY: a live engine or null.
    let Some(e) = (unsafe { engine.as_ref() }) else {
        return ptr::null_mut();
    };
    guard(ptr::null_mut(), || {
        Box::into_raw(Box::new(intertype_linker_t {
            linker: Linker::new(&e.engine),
            limits: e.engine.config().limits.clone(),
            engine: e.engine.clone(),
        }))
    })
}

/// Frees a linker (host functions stay alive while instances use them).
#[no_mangle]
pub unsafe extern "C" fn intertype_linker_delete(linker: *mut intertype_linker_t) {
    // SAFETY: owned handle or null.
    unsafe { delete(linker) }
}

fn update_limits(linker: *mut intertype_linker_t, f: impl FnOnce(&mut Limits)) {
    // SAFETY: a live linker or null.
    if let Some(l) = unsafe { linker.as_mut() } {
        guard((), || {
            f(&mut l.limits);
            l.linker.limits(l.limits.clone());
        })
    }
}

/// Instances created from now on start with `fuel` (the engine must meter
/// fuel: `intertype_engine_config_t.consume_fuel`, or instantiation fails
/// with a usage error).
#[no_mangle]
pub unsafe extern "C" fn intertype_linker_set_fuel(linker: *mut intertype_linker_t, fuel: u64) {
    update_limits(linker, |l| l.fuel = Some(fuel))
}

/// Instances created from now on stop `ticks` epochs after they start
/// (the engine must have epoch interruption on).
#[no_mangle]
pub unsafe extern "C" fn intertype_linker_set_epoch_deadline(
    linker: *mut intertype_linker_t,
    ticks: u64,
) {
    update_limits(linker, |l| l.epoch_deadline = Some(ticks))
}

/// Largest linear memory, in bytes, of instances created from now on.
#[no_mangle]
pub unsafe extern "C" fn intertype_linker_set_max_memory(
    linker: *mut intertype_linker_t,
    bytes: usize,
) {
    update_limits(linker, |l| l.max_memory_bytes = Some(bytes))
}

/// With `yes`, imports nobody provides trap when called instead of failing
/// instantiation.
#[no_mangle]
pub unsafe extern "C" fn intertype_linker_trap_unknown_imports(
    linker: *mut intertype_linker_t,
    yes: bool,
) {
    // SAFETY: a live linker or null.
    if let Some(l) = unsafe { linker.as_mut() } {
        guard((), || {
            l.linker.trap_unknown_imports(yes);
        })
    }
}

/// Instantiates `module`; writes the instance to `*out`.
#[no_mangle]
pub unsafe extern "C" fn intertype_linker_instantiate(
    linker: *const intertype_linker_t,
    module: *const intertype_module_t,
    out: *mut *mut intertype_instance_t,
) -> *mut intertype_error_t {
    entry(|| {
        let linker = non_null(linker, "the linker")?;
        let module = non_null(module, "the module")?;
        check_limits(linker)?;
        let instance = linker.linker.instantiate(&module.module)?;
        let handle = Box::new(intertype_instance_t {
            busy: Cell::new(false),
            state: UnsafeCell::new(InstanceState {
                instance,
                results: Vec::new(),
            }),
        });
        // SAFETY: `out` writable by contract.
        unsafe { write_out(out, handle) }
    })
}

/// The runtime ignores a fuel budget or deadline the engine cannot enforce;
/// a C caller who set one gets told instead.
fn check_limits(linker: &intertype_linker_t) -> Result<(), Box<intertype_error_t>> {
    let config = linker.engine.config();
    let meters_fuel = config.consume_fuel || config.limits.fuel.is_some();
    if linker.limits.fuel.is_some() && !meters_fuel {
        return Err(intertype_error_t::usage(
            "a fuel budget was set but the engine does not meter fuel \
             (create it with intertype_engine_config_t.consume_fuel)",
        ));
    }
    let has_epochs = config.epoch_interruption || config.limits.epoch_deadline.is_some();
    if linker.limits.epoch_deadline.is_some() && !has_epochs {
        return Err(intertype_error_t::usage(
            "an epoch deadline was set but the engine has no epoch interruption \
             (create it with intertype_engine_config_t.epoch_interruption)",
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Instance and calls

/// Frees an instance (its store, memory, and the host objects it holds).
#[no_mangle]
pub unsafe extern "C" fn intertype_instance_delete(instance: *mut intertype_instance_t) {
    // SAFETY: owned handle or null.
    unsafe { delete(instance) }
}

/// The function `name` (`len` bytes of UTF-8), owned (free it with
/// `intertype_func_delete`); null if the module has none.
#[no_mangle]
pub unsafe extern "C" fn intertype_instance_func(
    instance: *const intertype_instance_t,
    name: *const c_char,
    len: usize,
) -> *mut intertype_func_t {
    // SAFETY: a live instance or null.
    let Some(inst) = (unsafe { instance.as_ref() }) else {
        return ptr::null_mut();
    };
    guard(ptr::null_mut(), || {
        // SAFETY: `len` readable bytes by contract.
        let Ok(name) = (unsafe { str_arg(name.cast(), len, "the name") }) else {
            return ptr::null_mut();
        };
        let Ok(entered) = inst.enter() else {
            return ptr::null_mut();
        };
        match entered.state.instance.func(name) {
            Some(func) => Box::into_raw(Box::new(intertype_func_t { func })),
            None => ptr::null_mut(),
        }
    })
}

/// Frees a function handle.
#[no_mangle]
pub unsafe extern "C" fn intertype_func_delete(func: *mut intertype_func_t) {
    // SAFETY: owned handle or null.
    unsafe { delete(func) }
}

/// The function's signature; borrowed from the function handle.
#[no_mangle]
pub unsafe extern "C" fn intertype_func_type(
    func: *const intertype_func_t,
) -> *const intertype_functype_t {
    // SAFETY: a live function or null.
    guard(ptr::null(), || {
        unsafe { func.as_ref() }.map_or(ptr::null(), |f| intertype_functype_t::borrow(f.func.ty()))
    })
}

/// Calls `func` on `instance`.
///
/// * `args`: `nargs` value handles, **consumed** (freed by the call,
///   whether it succeeds or not); the array itself stays the caller's.
/// * `results`: an array of `nresults` slots, which must equal the
///   function's result count; on success each slot receives an owned value
///   (free each with `intertype_value_delete`); on failure every slot is
///   set to null.
///
/// Arguments are type-checked against the signature before wasm runs (a
/// mismatch is `INTERTYPE_ERROR_HOST_TYPE` and leaves the instance as it
/// was). A failure inside wasm poisons the instance
/// (`intertype_instance_is_poisoned`).
#[no_mangle]
pub unsafe extern "C" fn intertype_func_call(
    instance: *mut intertype_instance_t,
    func: *const intertype_func_t,
    args: *const *mut intertype_value_t,
    nargs: usize,
    results: *mut *mut intertype_value_t,
    nresults: usize,
) -> *mut intertype_error_t {
    // Take the arguments first: they are consumed even when the call fails.
    let args = guard(Err(()), || {
        // SAFETY: `nargs` handle slots at `args` by contract.
        unsafe { take_args(args, nargs) }
    });
    if !results.is_null() {
        for i in 0..nresults {
            // SAFETY: `nresults` writable slots by contract.
            unsafe { *results.add(i) = ptr::null_mut() };
        }
    }
    entry(|| {
        let args = args.map_err(|()| intertype_error_t::usage("an argument handle is null"))?;
        let inst = non_null(instance, "the instance")?;
        let func = non_null(func, "the function")?;
        call(inst.enter()?.state, &func.func, &args, results, nresults)
    })
}

/// Calls function `name` (`len` bytes of UTF-8) on `instance`; as
/// `intertype_func_call` otherwise.
#[no_mangle]
pub unsafe extern "C" fn intertype_instance_call(
    instance: *mut intertype_instance_t,
    name: *const c_char,
    len: usize,
    args: *const *mut intertype_value_t,
    nargs: usize,
    results: *mut *mut intertype_value_t,
    nresults: usize,
) -> *mut intertype_error_t {
    // SAFETY: forwarded contract.
    let func = unsafe { intertype_instance_func(instance, name, len) };
    if func.is_null() {
        // SAFETY: forwarded contract; consumes the arguments.
        drop(guard(Err(()), || unsafe { take_args(args, nargs) }));
        return entry(|| {
            // SAFETY: `len` readable bytes by contract.
            let name = unsafe { str_arg(name.cast(), len, "the function name") }?;
            Err(intertype_error_t::usage(format!(
                "the module has no function `{}`",
                name.escape_debug()
            )))
        });
    }
    // SAFETY: forwarded contract.
    let r = unsafe { intertype_func_call(instance, func, args, nargs, results, nresults) };
    // SAFETY: owned above.
    unsafe { intertype_func_delete(func) };
    r
}

unsafe fn take_args(args: *const *mut intertype_value_t, nargs: usize) -> Result<Vec<Value>, ()> {
    if nargs == 0 {
        return Ok(Vec::new());
    }
    if args.is_null() {
        return Err(());
    }
    // SAFETY: `nargs` handle slots by contract.
    let slots = unsafe { std::slice::from_raw_parts(args, nargs) };
    let mut out = Vec::with_capacity(nargs);
    let mut ok = true;
    for &h in slots {
        // SAFETY: owned handles or null.
        match unsafe { intertype_value_t::take(h) } {
            Some(v) => out.push(v),
            None => ok = false,
        }
    }
    if ok {
        Ok(out)
    } else {
        Err(())
    }
}

fn call(
    inst: &mut InstanceState,
    func: &Func,
    args: &[Value],
    results: *mut *mut intertype_value_t,
    nresults: usize,
) -> Result<(), Box<intertype_error_t>> {
    let want = func.ty().results.len();
    if nresults != want || (want > 0 && results.is_null()) {
        return Err(intertype_error_t::usage(format!(
            "`{}` returns {want} results; the call has room for {nresults}",
            func.name().escape_debug()
        )));
    }
    let mut out = std::mem::take(&mut inst.results);
    out.clear();
    let r = func.call_into(&mut inst.instance, args, &mut out);
    if r.is_ok() {
        for (i, v) in out.drain(..).enumerate().take(nresults) {
            // SAFETY: `nresults` writable slots by contract.
            unsafe { *results.add(i) = intertype_value_t::boxed(v) };
        }
    }
    out.clear();
    inst.results = out;
    r.map_err(Into::into)
}

/// Remaining fuel; false (and `*out` untouched) when fuel is not metered.
#[no_mangle]
pub unsafe extern "C" fn intertype_instance_get_fuel(
    instance: *const intertype_instance_t,
    out: *mut u64,
) -> bool {
    // SAFETY: a live instance or null.
    let Some(inst) = (unsafe { instance.as_ref() }) else {
        return false;
    };
    guard(false, || {
        match inst.enter().ok().and_then(|e| e.state.instance.fuel()) {
            Some(f) if !out.is_null() => {
                // SAFETY: writable by contract.
                unsafe { *out = f };
                true
            }
            _ => false,
        }
    })
}

/// Sets the remaining fuel (the engine must meter fuel).
#[no_mangle]
pub unsafe extern "C" fn intertype_instance_set_fuel(
    instance: *mut intertype_instance_t,
    fuel: u64,
) -> *mut intertype_error_t {
    entry(|| {
        let inst = non_null(instance, "the instance")?;
        inst.enter()?
            .state
            .instance
            .set_fuel(fuel)
            .map_err(Into::into)
    })
}

/// Whether an earlier call failed inside wasm (every later call fails with
/// `INTERTYPE_ERROR_POISONED`; instantiate again to continue).
#[no_mangle]
pub unsafe extern "C" fn intertype_instance_is_poisoned(
    instance: *const intertype_instance_t,
) -> bool {
    // SAFETY: a live instance or null.
    guard(false, || {
        unsafe { instance.as_ref() }
            .and_then(|i| i.enter().ok())
            .is_some_and(|e| e.state.instance.is_poisoned())
    })
}

/// Lets calls run again after a failure, accepting that the guest may have
/// been interrupted mid-update (see `docs/runtime.md`, "State after a trap").
#[no_mangle]
pub unsafe extern "C" fn intertype_instance_clear_poison(instance: *mut intertype_instance_t) {
    // SAFETY: a live instance or null.
    guard((), || {
        if let Some(e) = unsafe { instance.as_ref() }.and_then(|i| i.enter().ok()) {
            e.state.instance.clear_poison();
        }
    })
}
