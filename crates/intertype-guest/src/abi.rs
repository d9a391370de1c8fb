//! The core side of the boundary: the allocator exports, and the helpers the
//! generated `extern "C"` shims call.
//!
//! Only `i32`, `i64`, `f32` and `f64` cross the core boundary (the wasm32 C
//! ABI passes aggregates indirectly, so the shims never take one by value):
//! a string or list parameter is two `i32`s `(ptr, len)`, any other
//! non-scalar parameter one `i32` pointer to its canonical layout, and a
//! non-scalar result one `i32` pointer to a *return area* holding it. See
//! `docs/guest.md`.

use crate::canon::{adopt_list, adopt_string, Interface, Scalar};
use alloc::string::String;
use alloc::vec::Vec;
use core::alloc::Layout;
use core::marker::PhantomData;

/// Allocates `size` bytes aligned to `align` with the global allocator: the
/// allocator the adapters call to lower values into the guest. A zero size
/// allocates nothing and returns `align` (a dangling, aligned pointer).
/// Traps when out of memory or when `align` is not a power of two.
#[cfg_attr(target_family = "wasm", unsafe(no_mangle))]
pub extern "C" fn intertype_malloc(size: i32, align: i32) -> i32 {
    let layout = match Layout::from_size_align(size as u32 as usize, align as u32 as usize) {
        Ok(layout) => layout,
        Err(_) => trap(),
    };
    if layout.size() == 0 {
        return layout.align() as i32;
    }
    let ptr = unsafe { alloc::alloc::alloc(layout) };
    if ptr.is_null() {
        alloc::alloc::handle_alloc_error(layout);
    }
    ptr as usize as i32
}

/// Frees what [`intertype_malloc`] returned, given the same size and
/// alignment. (Adapters never call it: what the engine hands a guest, the
/// guest owns; so it is not a core export.)
///
/// # Safety
/// `ptr` came from `intertype_malloc(size, align)` and is not used again.
pub unsafe extern "C" fn intertype_free(ptr: i32, size: i32, align: i32) {
    if size == 0 {
        return;
    }
    if let Ok(layout) = Layout::from_size_align(size as u32 as usize, align as u32 as usize) {
        unsafe { alloc::alloc::dealloc(ptr as u32 as usize as *mut u8, layout) }
    }
}

fn trap() -> ! {
    #[cfg(target_family = "wasm")]
    core::arch::wasm32::unreachable();
    #[cfg(not(target_family = "wasm"))]
    panic!("intertype: invalid allocation request");
}

fn layout_of<T: Interface>() -> Option<Layout> {
    if T::SIZE == 0 {
        return None;
    }
    Layout::from_size_align(T::SIZE, T::ALIGN).ok()
}

fn alloc_area<T: Interface>() -> *mut u8 {
    match layout_of::<T>() {
        None => T::ALIGN as *mut u8,
        Some(layout) => {
            let ptr = unsafe { alloc::alloc::alloc(layout) };
            if ptr.is_null() {
                alloc::alloc::handle_alloc_error(layout);
            }
            ptr
        }
    }
}

unsafe fn free_area<T: Interface>(ptr: *mut u8) {
    if let Some(layout) = layout_of::<T>() {
        unsafe { alloc::alloc::dealloc(ptr, layout) }
    }
}

fn ptr(core: i32) -> *mut u8 {
    core as u32 as usize as *mut u8
}

// --- exports -----------------------------------------------------------------

/// A string parameter: the engine allocated `len` bytes with
/// `intertype_malloc(len, 1)`; the guest adopts them.
///
/// # Safety
/// `(data, len)` came from the adapter's `value.lower string`.
pub unsafe fn lift_string(data: i32, len: i32) -> String {
    unsafe { adopt_string(data as u32 as usize, len as u32 as usize) }
}

/// A list parameter (a list of plain numbers is adopted without a copy).
///
/// # Safety
/// `(data, len)` came from the adapter's `value.lower (list T)`.
pub unsafe fn lift_list<T: Interface>(data: i32, len: i32) -> Vec<T> {
    unsafe { adopt_list(data as u32 as usize, len as u32 as usize) }
}

/// A string or list parameter of an export.
pub trait PairParam: Sized {
    /// # Safety
    /// `(data, len)` came from the adapter's `value.lower`.
    unsafe fn lift_pair(data: i32, len: i32) -> Self;
}

impl PairParam for String {
    unsafe fn lift_pair(data: i32, len: i32) -> Self {
        unsafe { lift_string(data, len) }
    }
}

impl<T: Interface> PairParam for Vec<T> {
    unsafe fn lift_pair(data: i32, len: i32) -> Self {
        unsafe { lift_list(data, len) }
    }
}

/// Any other parameter: the engine stored it in a fresh allocation
/// (`value.store_new`); the guest reads it and frees the allocation.
///
/// # Safety
/// `area` came from the adapter's `value.store_new T`.
pub unsafe fn lift_memory<T: Interface>(area: i32) -> T {
    unsafe {
        let value = T::load(ptr(area));
        free_area::<T>(ptr(area));
        value
    }
}

/// A scalar parameter.
#[inline]
pub fn lift_scalar<T: Scalar>(core: T::Core) -> T {
    T::from_core(core)
}

/// A scalar result.
#[inline]
pub fn lower_scalar<T: Scalar>(value: T) -> T::Core {
    value.to_core()
}

/// A non-scalar result: stored in a fresh return area whose address the
/// shim returns; the adapter loads it and then calls the post function,
/// [`post_result`].
pub fn lower_result<T: Interface>(value: T) -> i32 {
    let area = alloc_area::<T>();
    unsafe { value.store(area) };
    area as usize as i32
}

/// Frees a return area and everything the value in it owns.
///
/// # Safety
/// `area` came from [`lower_result::<T>`] and is freed once.
pub unsafe fn post_result<T: Interface>(area: i32) {
    unsafe {
        drop(T::load(ptr(area)));
        free_area::<T>(ptr(area));
    }
}

// --- imports -----------------------------------------------------------------

/// A string or list argument of an import: `(ptr, len)` of the guest's own
/// buffer when its layout is canonical (strings, lists of numbers), else of a
/// temporary canonical copy that the guard frees.
pub trait PairArg {
    type Guard;
    fn lower_pair(&self) -> (i32, i32, Self::Guard);
}

impl PairArg for str {
    type Guard = ();
    fn lower_pair(&self) -> (i32, i32, ()) {
        (self.as_ptr() as usize as i32, self.len() as i32, ())
    }
}

impl<T: Interface + Clone> PairArg for [T] {
    type Guard = Option<Stored<Vec<T>>>;
    fn lower_pair(&self) -> (i32, i32, Self::Guard) {
        if T::PLAIN || self.is_empty() {
            return (self.as_ptr() as usize as i32, self.len() as i32, None);
        }
        // Store a copy of the list and read the copy's (ptr, len) back.
        let stored = Stored::new(self.to_vec());
        let (data, len) = unsafe {
            (
                u32::load(stored.area as *const u8),
                u32::load((stored.area as *const u8).add(4)),
            )
        };
        (data as i32, len as i32, Some(stored))
    }
}

/// A value stored in its canonical layout for the duration of an import call;
/// dropping it frees the area and everything the value owned.
pub struct Stored<T: Interface> {
    area: *mut u8,
    _ty: PhantomData<T>,
}

impl<T: Interface> Stored<T> {
    pub fn new(value: T) -> Self {
        let area = alloc_area::<T>();
        unsafe { value.store(area) };
        Stored {
            area,
            _ty: PhantomData,
        }
    }

    pub fn ptr(&self) -> i32 {
        self.area as usize as i32
    }
}

impl<T: Interface> Drop for Stored<T> {
    fn drop(&mut self) {
        unsafe {
            drop(T::load(self.area));
            free_area::<T>(self.area);
        }
    }
}

/// The return area of an import with a non-scalar result: the implement
/// adapter stores the host's result there (`value.store`, allocating strings
/// and lists with `intertype_malloc`); [`RetArea::take`] adopts it.
pub struct RetArea<T: Interface> {
    area: *mut u8,
    _ty: PhantomData<T>,
}

impl<T: Interface> Default for RetArea<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Interface> RetArea<T> {
    pub fn new() -> Self {
        RetArea {
            area: alloc_area::<T>(),
            _ty: PhantomData,
        }
    }

    pub fn ptr(&self) -> i32 {
        self.area as usize as i32
    }

    /// # Safety
    /// The import call that was given [`RetArea::ptr`] returned normally.
    pub unsafe fn take(self) -> T {
        unsafe {
            let value = T::load(self.area);
            free_area::<T>(self.area);
            value
        }
    }
}
