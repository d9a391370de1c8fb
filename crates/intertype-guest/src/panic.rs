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
    // A flag rather than `std::sync::Once`: a wasm32 guest runs one call at
    // a time, and `Once` costs about 200 bytes of code.
    static INSTALLED: AtomicBool = AtomicBool::new(false);
    if !INSTALLED.swap(true, Ordering::Relaxed) {
        std::panic::set_hook(std::boxed::Box::new(hook));
    }
}

/// Writes into the fixed buffer, cutting at a character boundary when full.
struct Truncating<'a> {
    buf: &'a mut [u8; CAPACITY],
    len: usize,
    full: bool,
}

impl Truncating<'_> {
    fn push(&mut self, s: &str) {
        if self.full {
            return;
        }
        // Room for the `…` (3 bytes) that marks a cut.
        let room = CAPACITY - 3 - self.len;
        let mut take = s.len().min(room);
        while !s.is_char_boundary(take) {
            take -= 1;
        }
        // `get_mut`/`get` rather than indexing: no bounds-check panic path
        // (and its formatting code) in every guest.
        if let (Some(to), Some(from)) = (
            self.buf.get_mut(self.len..self.len + take),
            s.as_bytes().get(..take),
        ) {
            to.copy_from_slice(from);
            self.len += take;
        }
        if take < s.len() {
            self.full = true;
            if let Some(to) = self.buf.get_mut(self.len..self.len + 3) {
                to.copy_from_slice("…".as_bytes());
                self.len += 3;
            }
        }
    }

    /// A line or column number in decimal, without `core::fmt` (and
    /// without indexing, whose bounds-check panic would bring it back).
    #[cfg_attr(not(all(feature = "std", target_family = "wasm")), allow(dead_code))]
    fn push_u32(&mut self, n: u32) {
        let mut digits = [0u8; 10];
        let mut len = 0;
        let mut rest = n;
        loop {
            if let Some(slot) = digits.get_mut(len) {
                *slot = b'0' + (rest % 10) as u8;
            }
            len += 1;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        if let Some(text) = digits.get_mut(..len) {
            text.reverse();
            // SAFETY: ASCII digits are UTF-8 (`from_utf8` would add its
            // validation loop to every guest).
            self.push(unsafe { core::str::from_utf8_unchecked(text) });
        }
    }
}

impl core::fmt::Write for Truncating<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.push(s);
        Ok(())
    }
}

/// Starts a message in the buffer (dropping any earlier one) and marks the
/// guest as panicked once `write` has filled it.
fn record_with(write: impl FnOnce(&mut Truncating<'_>)) {
    // SAFETY: see `Shared`.
    let m = unsafe { &mut *MESSAGE.0.get() };
    let mut w = Truncating {
        buf: &mut m.bytes,
        len: 0,
        full: false,
    };
    write(&mut w);
    m.len = w.len;
    PANICKED.store(true, Ordering::Relaxed);
}

/// Records `message` as the panic's (what the hook does); public for
/// guests with their own hook. Takes `core::fmt::Arguments`, so it links
/// the formatting machinery; the built-in hook does without.
pub fn record(message: core::fmt::Arguments<'_>) {
    record_with(|w| {
        let _ = core::fmt::write(w, message);
    });
}

/// The built-in hook: `panicked at {file}:{line}:{column}:\n{message}`,
/// written piece by piece rather than with `format_args!`, which would add
/// about 3 KB of `core::fmt` code to every guest. The message is the
/// payload's text: std has already formatted a `panic!("{x}")` message
/// into a `String` payload before it calls a hook.
#[cfg(all(feature = "std", target_family = "wasm"))]
fn hook(info: &std::panic::PanicHookInfo<'_>) {
    let message = info.payload_as_str().unwrap_or("Box<dyn Any>");
    record_with(|w| match info.location() {
        Some(at) => {
            w.push("panicked at ");
            w.push(at.file());
            w.push(":");
            w.push_u32(at.line());
            w.push(":");
            w.push_u32(at.column());
            w.push(":\n");
            w.push(message);
        }
        None => {
            w.push("panicked:\n");
            w.push(message);
        }
    });
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

    #[test]
    fn numbers_are_written_in_decimal() {
        let mut buf = [0u8; CAPACITY];
        let mut w = Truncating {
            buf: &mut buf,
            len: 0,
            full: false,
        };
        for n in [0, 7, 10, 171, u32::MAX] {
            w.push_u32(n);
            w.push(" ");
        }
        let len = w.len;
        let text = core::str::from_utf8(&buf[..len]).unwrap();
        assert_eq!(text, "0 7 10 171 4294967295 ");
    }
}
