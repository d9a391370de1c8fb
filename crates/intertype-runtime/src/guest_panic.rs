//! The panic message of a guest, after a trap: a module may export
//! `__intertype_panic_message: [] -> [i32]` (the `intertype-guest` crate
//! does), returning the address of `(ptr: u32, len: u32)` of a UTF-8 message
//! in memory `memory`, or 0 when there is none (`docs/format.md`, *Panic
//! messages*). The message is guest data: it is bounded, decoded lossily, and
//! its control characters other than newlines are escaped before it becomes
//! part of an error a terminal may print.

use crate::error::{Error, ErrorKind};
use wasmtime::{AsContextMut, Instance};

/// The core export hosts ask after a trap.
pub(crate) const EXPORT: &str = "__intertype_panic_message";

/// The longest message read, in bytes.
const MAX_LEN: usize = 4096;

/// Replaces a trap's message by the guest's panic message, when the guest
/// says it panicked (the trap itself stays in the error's context).
pub(crate) fn annotate(mut cx: impl AsContextMut, core: &Instance, err: Error) -> Error {
    if err.kind() != ErrorKind::Trap {
        return err;
    }
    match read(&mut cx, core) {
        Some(message) => err.with_guest_panic(&message),
        None => err,
    }
}

fn read(mut cx: impl AsContextMut, core: &Instance) -> Option<String> {
    let f = core.get_typed_func::<(), i32>(&mut cx, EXPORT).ok()?;
    let area = f.call(&mut cx, ()).ok()? as u32 as usize;
    if area == 0 {
        return None;
    }
    let memory = core.get_memory(&mut cx, "memory")?;
    let data = memory.data(&cx);
    let pair = data.get(area..area.checked_add(8)?)?;
    let ptr = u32::from_le_bytes(pair[..4].try_into().ok()?) as usize;
    let len = (u32::from_le_bytes(pair[4..].try_into().ok()?) as usize).min(MAX_LEN);
    let bytes = data.get(ptr..ptr.checked_add(len)?)?;
    let mut out = String::with_capacity(len);
    for c in String::from_utf8_lossy(bytes).chars() {
        if c.is_control() && c != '\n' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Some(out)
}
