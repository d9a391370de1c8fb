//! Panics in a guest: the message reaches the host, and the instance stops.
//!
//! A wasm32 guest built with `panic = "abort"` (or without unwinding) ends a
//! panic with the `unreachable` instruction: the host sees a trap, and the
//! guest's state is whatever the panic interrupted (a `RefCell` left
//! borrowed, a half-updated structure, the panic's own formatted message
//! never freed). So:
//!
//! * the first export call installs a panic hook that writes the message
//!   (`panicked at src/lib.rs:3:5:\nboom`) into a fixed static buffer (no
//!   allocation, truncated at [`CAPACITY`] bytes) and marks the guest as
//!   panicked;
//! * the core export `__intertype_panic_message` returns the address of
//!   `(ptr: u32, len: u32)` of that message, or 0 before any panic: hosts call
//!   it after a trap and put the message into their error (`docs/format.md`,
//!   *Panic messages*);
//! * every later export call frees its arguments and traps, before running
//!   any guest code, and the host reports the same message: the state after a panic is
//!   "stopped" in every host, and no call can leak or see broken state.
//!   Instantiate the module again to continue.

use core::sync::atomic::{AtomicBool, Ordering};

/// The longest message kept, in bytes (longer ones are cut at a character
/// boundary and end with `…`).
pub const CAPACITY: usize = 1024;

static PANICKED: AtomicBool = AtomicBool::new(false);

/// The message buffer and the `(ptr, len)` pair the export returns. Only
/// touched by the hook and the export, never at the same time (a guest
/// instance runs one call at a time).
struct Message {
    bytes: [u8; CAPACITY],
    len: usize,
    area: [u32; 2],
}

struct Shared(core::cell::UnsafeCell<Message>);

// SAFETY: a wasm32 guest without threads runs one call at a time; with
// threads the hook may race, which only garbles the diagnostic text.
unsafe impl Sync for Shared {}

static MESSAGE: Shared = Shared(core::cell::UnsafeCell::new(Message {
    bytes: [0; CAPACITY],
    len: 0,
    area: [0; 2],
}));

/// Called by every export shim once it has taken ownership of its
/// arguments: installs the hook (once), and says whether the call may run.
/// When it may not (an earlier call panicked), the shim drops the arguments
/// (so what the host handed over is freed) and calls [`refuse`].
#[inline]
pub fn may_run() -> bool {
    if PANICKED.load(Ordering::Relaxed) {
        return false;
    }
    #[cfg(all(feature = "std", target_family = "wasm"))]
    install();
    true
}

/// Ends a call of a guest that panicked earlier: the host reports the
/// panic's message again.
#[cold]
pub fn refuse() -> ! {
    #[cfg(target_family = "wasm")]
    core::arch::wasm32::unreachable();
    #[cfg(not(target_family = "wasm"))]
    panic!("intertype: an earlier call panicked");
}

#[cfg(all(feature = "std", target_family = "wasm"))]
fn install() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| std::panic::set_hook(std::boxed::Box::new(hook)));
}

/// Writes into the fixed buffer, cutting at a character boundary when full.
struct Truncating<'a> {
    buf: &'a mut [u8; CAPACITY],
    len: usize,
    full: bool,
}

impl core::fmt::Write for Truncating<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        if self.full {
            return Ok(());
        }
        // Room for the `…` (3 bytes) that marks a cut.
        let room = CAPACITY - 3 - self.len;
        let mut take = s.len().min(room);
        while !s.is_char_boundary(take) {
            take -= 1;
        }
        self.buf[self.len..self.len + take].copy_from_slice(&s.as_bytes()[..take]);
        self.len += take;
        if take < s.len() {
            self.full = true;
            self.buf[self.len..self.len + 3].copy_from_slice("…".as_bytes());
            self.len += 3;
        }
        Ok(())
    }
}

/// Records `message` as the panic's (what the hook does); public for
/// guests with their own hook.
pub fn record(message: core::fmt::Arguments<'_>) {
    // SAFETY: see `Shared`.
    let m = unsafe { &mut *MESSAGE.0.get() };
    let mut w = Truncating {
        buf: &mut m.bytes,
        len: 0,
        full: false,
    };
    let _ = core::fmt::write(&mut w, message);
    m.len = w.len;
    PANICKED.store(true, Ordering::Relaxed);
}

#[cfg(all(feature = "std", target_family = "wasm"))]
fn hook(info: &std::panic::PanicHookInfo<'_>) {
    // The parts one by one rather than `{info}`: less formatting code in
    // every guest.
    let message = info.payload_as_str().unwrap_or("Box<dyn Any>");
    match info.location() {
        Some(at) => record(format_args!(
            "panicked at {}:{}:{}:\n{message}",
            at.file(),
            at.line(),
            at.column()
        )),
        None => record(format_args!("panicked:\n{message}")),
    }
}

/// The core export hosts call after a trap: the address of `(ptr, len)` of
/// the panic message, or 0 when the guest has not panicked.
#[cfg_attr(
    target_family = "wasm",
    unsafe(export_name = "__intertype_panic_message")
)]
pub extern "C" fn panic_message() -> i32 {
    if !PANICKED.load(Ordering::Relaxed) {
        return 0;
    }
    // SAFETY: see `Shared`.
    let m = unsafe { &mut *MESSAGE.0.get() };
    m.area = [m.bytes.as_ptr() as usize as u32, m.len as u32];
    m.area.as_ptr() as usize as i32
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::fmt::Write;

    #[test]
    fn truncates_at_a_character_boundary() {
        let mut buf = [0u8; CAPACITY];
        let mut w = Truncating {
            buf: &mut buf,
            len: 0,
            full: false,
        };
        let long = "é".repeat(CAPACITY);
        w.write_str("x").unwrap();
        w.write_str(&long).unwrap();
        w.write_str("more").unwrap();
        let len = w.len;
        let text = core::str::from_utf8(&buf[..len]).unwrap();
        assert!(text.ends_with("é…"), "{text}");
        assert!(len <= CAPACITY);
    }
}
