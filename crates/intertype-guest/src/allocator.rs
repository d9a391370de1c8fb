//! The guest's global allocator (feature `talc`, on by default).
//!
//! std's allocator for `wasm32-unknown-unknown` is dlmalloc, about 9 KB of
//! code in every module, more than the rest of a small guest together. Talc
//! does the same job (size bins, coalescing frees, growing the memory when
//! it runs out) in about 2.5 KB, so a guest with this crate's defaults is
//! no larger than the same function built with wit-bindgen
//! (`docs/guest.md`, *Size*). Only where wasm has no threads: talc's
//! `TalcSyncCell` relies on there being one.
//!
//! A crate with its own `#[global_allocator]` turns the feature off (two
//! global allocators are a compile error that names both crates). Feature
//! `heap-stats` counts the bytes in use, for leak checks ([`heap_in_use`]).

#[cfg(all(
    feature = "talc",
    target_family = "wasm",
    not(target_feature = "atomics")
))]
mod global {
    use talc::wasm::{new_wasm_dynamic_allocator, WasmDynamicTalc};

    #[cfg(not(feature = "heap-stats"))]
    #[global_allocator]
    static TALC: WasmDynamicTalc = new_wasm_dynamic_allocator();

    #[cfg(feature = "heap-stats")]
    #[global_allocator]
    static COUNTING: Counting = Counting {
        talc: new_wasm_dynamic_allocator(),
        in_use: core::sync::atomic::AtomicUsize::new(0),
    };

    /// Talc, counting the bytes handed out and not yet freed.
    #[cfg(feature = "heap-stats")]
    pub struct Counting {
        talc: WasmDynamicTalc,
        in_use: core::sync::atomic::AtomicUsize,
    }

    #[cfg(feature = "heap-stats")]
    use core::{
        alloc::{GlobalAlloc, Layout},
        sync::atomic::Ordering::Relaxed,
    };

    #[cfg(feature = "heap-stats")]
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let ptr = unsafe { self.talc.alloc(layout) };
            if !ptr.is_null() {
                self.in_use.fetch_add(layout.size(), Relaxed);
            }
            ptr
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            self.in_use.fetch_sub(layout.size(), Relaxed);
            unsafe { self.talc.dealloc(ptr, layout) }
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            let new = unsafe { self.talc.realloc(ptr, layout, new_size) };
            if !new.is_null() {
                self.in_use.fetch_add(new_size, Relaxed);
                self.in_use.fetch_sub(layout.size(), Relaxed);
            }
            new
        }
    }

    #[cfg(feature = "heap-stats")]
    pub fn heap_in_use() -> usize {
        COUNTING.in_use.load(Relaxed)
    }
}

/// Bytes the global allocator has handed out and not yet taken back
/// (feature `heap-stats`, with the built-in allocator on wasm32; 0
/// elsewhere). Guests export it for leak checks (`examples/echo`).
#[cfg(feature = "heap-stats")]
pub fn heap_in_use() -> usize {
    #[cfg(all(
        feature = "talc",
        target_family = "wasm",
        not(target_feature = "atomics")
    ))]
    return global::heap_in_use();
    #[allow(unreachable_code)]
    0
}
