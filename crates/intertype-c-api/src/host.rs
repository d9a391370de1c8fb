//! Host functions as C callbacks.

use crate::engine::intertype_linker_t;
use crate::error::intertype_error_t;
use crate::types::intertype_functype_t;
use crate::value::intertype_value_t;
use crate::{entry, str_arg};
use intertype_runtime::{Error, Value};
use std::ffi::{c_char, c_void};
use std::ptr;

/// A host function.
///
/// * `env`: the pointer given to `intertype_linker_define`;
/// * `args`: `nargs` values of the declared parameter types, **borrowed**
///   (valid during the call only);
/// * `results`: `nresults` slots, all null on entry; on success the
///   callback stores one owned value of the declared result type in each
///   (the engine takes them);
/// * return null on success, or an error (`intertype_error_new`; the engine
///   takes it) to fail the call: the outer call then fails with
///   `INTERTYPE_ERROR_HOST` carrying the message. Values stored in `results`
///   before failing are freed by the engine.
///
/// A callback must return normally: it must not unwind or `longjmp` across
/// the engine's frames (catch exceptions inside it).
pub type intertype_host_func_t = Option<
    unsafe extern "C" fn(
        env: *mut c_void,
        args: *const *const intertype_value_t,
        nargs: usize,
        results: *mut *mut intertype_value_t,
        nresults: usize,
    ) -> *mut intertype_error_t,
>;

/// The host's `env` and its finalizer, which runs when the last linker or
/// instance holding the function is gone.
struct Env {
    data: *mut c_void,
    finalizer: Option<unsafe extern "C" fn(*mut c_void)>,
}

// SAFETY: the engine passes `data` back to the host's callback and
// finalizer and never dereferences it; the header puts thread-safety of the
// callback on the host (an instance calls it only from the thread calling
// into the instance).
unsafe impl Send for Env {}
// SAFETY: as above.
unsafe impl Sync for Env {}

impl Drop for Env {
    fn drop(&mut self) {
        if let Some(f) = self.finalizer {
            // SAFETY: the host's finalizer, once, with its own data.
            unsafe { f(self.data) }
        }
    }
}

/// Defines host function `module` `name` (each `*_len` bytes of UTF-8) of
/// type `ty` (borrowed and copied; take it from
/// `intertype_module_import_type`) as `callback` with `env`.
///
/// `finalizer` (may be null) is called with `env` once nothing needs it any
/// more: the linker and every instance using the function are deleted, the
/// function is redefined, or this definition fails. Redefining a name
/// replaces the earlier definition for later instantiations.
#[no_mangle]
pub unsafe extern "C" fn intertype_linker_define(
    linker: *mut intertype_linker_t,
    module: *const c_char,
    module_len: usize,
    name: *const c_char,
    name_len: usize,
    ty: *const intertype_functype_t,
    callback: intertype_host_func_t,
    env: *mut c_void,
    finalizer: Option<unsafe extern "C" fn(*mut c_void)>,
) -> *mut intertype_error_t {
    // Owned from here on: dropping it (on any early return) finalizes.
    let env = Env {
        data: env,
        finalizer,
    };
    entry(move || {
        // SAFETY: a live linker or null, used by one thread.
        let linker = unsafe { linker.as_mut() }
            .ok_or_else(|| intertype_error_t::usage("the linker is null"))?;
        // SAFETY: readable bytes by contract.
        let module = unsafe { str_arg(module.cast(), module_len, "the module name") }?;
        // SAFETY: readable bytes by contract.
        let name = unsafe { str_arg(name.cast(), name_len, "the function name") }?;
        // SAFETY: a live descriptor or null.
        let ty = unsafe { ty.as_ref() }
            .ok_or_else(|| intertype_error_t::usage("the function type is null"))?
            .0
            .clone();
        let callback = callback.ok_or_else(|| intertype_error_t::usage("the callback is null"))?;
        let nresults = ty.results.len();
        let label = format!(
            "host function `{}` `{}`",
            module.escape_debug(),
            name.escape_debug()
        );
        linker.linker.func_new(module, name, ty, move |args, out| {
            let env = &env;
            call_host(callback, env.data, args, out, nresults, &label)
        });
        Ok(())
    })
}

fn call_host(
    callback: unsafe extern "C" fn(
        *mut c_void,
        *const *const intertype_value_t,
        usize,
        *mut *mut intertype_value_t,
        usize,
    ) -> *mut intertype_error_t,
    env: *mut c_void,
    args: &[Value],
    out: &mut Vec<Value>,
    nresults: usize,
    label: &str,
) -> Result<(), Error> {
    let arg_ptrs: Vec<*const intertype_value_t> =
        args.iter().map(intertype_value_t::borrow).collect();
    let mut slots: Vec<*mut intertype_value_t> = vec![ptr::null_mut(); nresults];
    // SAFETY: the host's callback with its contract: borrowed args, result
    // slots it may fill.
    let err = unsafe {
        callback(
            env,
            arg_ptrs.as_ptr(),
            arg_ptrs.len(),
            slots.as_mut_ptr(),
            nresults,
        )
    };
    // Take every result handle (owned now), whatever happened.
    // SAFETY: each slot is null or an owned handle the callback stored.
    let taken: Vec<Option<Value>> = slots
        .into_iter()
        .map(|h| unsafe { intertype_value_t::take(h) })
        .collect();
    if !err.is_null() {
        // SAFETY: an owned error the callback returned.
        let e = unsafe { Box::from_raw(err) };
        return Err(Error::host(e.text()));
    }
    for (i, v) in taken.into_iter().enumerate() {
        match v {
            Some(v) => out.push(v),
            None => {
                return Err(Error::host(format!(
                    "{label} left result {i} unset (it returned no error)"
                )))
            }
        }
    }
    Ok(())
}
