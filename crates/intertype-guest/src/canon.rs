//! The canonical layout (`docs/format.md` §3) of Rust values, and their
//! interface types.

use crate::desc::Ty;
use alloc::string::String;
use alloc::vec::Vec;
use core::alloc::Layout;
use core::mem::ManuallyDrop;

/// A Rust type that is an interface type.
///
/// `load` and `store` move *ownership*: `store` hands every buffer the value
/// owns (a `String`'s bytes, a `Vec`'s elements) over to the canonical
/// layout at `ptr`, and `load` takes it back; `load(store(v))` is `v` and
/// frees nothing twice. Buffers are allocated with the global allocator with
/// the canonical size and alignment, as [`crate::intertype_malloc`] does, so
/// what the engine allocates for a guest and what the guest allocates for
/// itself are interchangeable.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an interface type",
    label = "this type cannot cross the interface",
    note = "interface types are integers, floats, `bool`, `char`, `String`/`&str`, `Vec<T>`/`&[T]`, \
            `Option<T>`, `Result<T, E>`, tuples, and types with `#[derive(intertype::Interface)]`"
)]
pub trait Interface: Sized {
    /// The interface type.
    const TYPE: &'static Ty;
    /// Size in the canonical layout.
    const SIZE: usize;
    /// Alignment in the canonical layout.
    const ALIGN: usize;
    /// Whether the Rust representation *is* the canonical layout and owns
    /// nothing (plain numbers): a list of them is one buffer, adopted as is.
    const PLAIN: bool = false;

    /// Reads the value at `ptr`, taking ownership of what it points to.
    ///
    /// # Safety
    /// `ptr` holds a valid canonical value of this type (as the engine writes
    /// it, or [`Interface::store`] did) that nobody else will load.
    unsafe fn load(ptr: *const u8) -> Self;

    /// Writes the value at `ptr`, handing over ownership of its buffers.
    ///
    /// # Safety
    /// `ptr` points to `SIZE` writable bytes aligned to `ALIGN`.
    unsafe fn store(self, ptr: *mut u8);
}

/// A type that crosses the core boundary as one core value (`i32`, `i64`,
/// `f32` or `f64`).
pub trait Scalar: Interface {
    type Core;
    fn to_core(self) -> Self::Core;
    fn from_core(core: Self::Core) -> Self;
}

const fn max(a: usize, b: usize) -> usize {
    if a > b {
        a
    } else {
        b
    }
}

const fn align_to(x: usize, align: usize) -> usize {
    x.div_ceil(align) * align
}

/// Offset of field `k` of a record with fields of the given
/// `(size, align)`s.
pub const fn field_offset(fields: &[(usize, usize)], k: usize) -> usize {
    let mut off = 0;
    let mut i = 0;
    while i < k {
        off = align_to(off, fields[i].1) + fields[i].0;
        i += 1;
    }
    align_to(off, fields[k].1)
}

/// Alignment of a record: the largest field alignment (1 if none).
pub const fn record_align(fields: &[(usize, usize)]) -> usize {
    let mut a = 1;
    let mut i = 0;
    while i < fields.len() {
        a = max(a, fields[i].1);
        i += 1;
    }
    a
}

/// Size of a record: past the last field, rounded up to the alignment.
pub const fn record_size(fields: &[(usize, usize)]) -> usize {
    if fields.is_empty() {
        return 0;
    }
    let last = fields.len() - 1;
    align_to(
        field_offset(fields, last) + fields[last].0,
        record_align(fields),
    )
}

/// `(discriminant size, payload offset, size, align)` of a variant with
/// payloads of the given `(size, align)`s (a case without payload is
/// `(0, 1)`).
pub const fn variant_layout(cases: &[(usize, usize)]) -> (usize, usize, usize, usize) {
    let disc = intertype_format::layout::discriminant_size(cases.len()) as usize;
    let mut payload_align = 1;
    let mut payload_size = 0;
    let mut i = 0;
    while i < cases.len() {
        payload_align = max(payload_align, cases[i].1);
        payload_size = max(payload_size, cases[i].0);
        i += 1;
    }
    let align = max(disc, payload_align);
    let offset = align_to(disc, payload_align);
    (disc, offset, align_to(offset + payload_size, align), align)
}

/// Reads a discriminant of `size` bytes.
///
/// # Safety
/// `ptr` is readable for `size` bytes.
#[doc(hidden)]
pub unsafe fn load_disc(ptr: *const u8, size: usize) -> u32 {
    unsafe {
        match size {
            1 => u32::from(*ptr),
            2 => u32::from(ptr.cast::<u16>().read_unaligned()),
            _ => ptr.cast::<u32>().read_unaligned(),
        }
    }
}

/// Writes a discriminant of `size` bytes.
///
/// # Safety
/// `ptr` is writable for `size` bytes.
#[doc(hidden)]
pub unsafe fn store_disc(ptr: *mut u8, size: usize, disc: u32) {
    unsafe {
        match size {
            1 => *ptr = disc as u8,
            2 => ptr.cast::<u16>().write_unaligned(disc as u16),
            _ => ptr.cast::<u32>().write_unaligned(disc),
        }
    }
}

macro_rules! numbers {
    ($($t:ty => $ty:ident, $core:ty;)*) => {$(
        impl Interface for $t {
            const TYPE: &'static Ty = &Ty::$ty;
            const SIZE: usize = core::mem::size_of::<$t>();
            const ALIGN: usize = core::mem::size_of::<$t>();
            const PLAIN: bool = core::mem::align_of::<$t>() == core::mem::size_of::<$t>();
            unsafe fn load(ptr: *const u8) -> Self {
                unsafe { ptr.cast::<$t>().read_unaligned() }
            }
            unsafe fn store(self, ptr: *mut u8) {
                unsafe { ptr.cast::<$t>().write_unaligned(self) }
            }
        }
        impl Scalar for $t {
            type Core = $core;
            #[inline]
            fn to_core(self) -> $core {
                self as $core
            }
            #[inline]
            fn from_core(core: $core) -> Self {
                core as $t
            }
        }
    )*};
}

numbers! {
    u8 => U8, i32;
    i8 => S8, i32;
    u16 => U16, i32;
    i16 => S16, i32;
    u32 => U32, i32;
    i32 => S32, i32;
    u64 => U64, i64;
    i64 => S64, i64;
    f32 => F32, f32;
    f64 => F64, f64;
}

/// `usize` is `u32` (the wasm32 pointer width).
impl Interface for usize {
    const TYPE: &'static Ty = &Ty::U32;
    const SIZE: usize = 4;
    const ALIGN: usize = 4;
    const PLAIN: bool = core::mem::size_of::<usize>() == 4;
    unsafe fn load(ptr: *const u8) -> Self {
        unsafe { u32::load(ptr) as usize }
    }
    unsafe fn store(self, ptr: *mut u8) {
        unsafe { (self as u32).store(ptr) }
    }
}

impl Scalar for usize {
    type Core = i32;
    fn to_core(self) -> i32 {
        self as i32
    }
    fn from_core(core: i32) -> Self {
        core as u32 as usize
    }
}

/// `isize` is `s32` (the wasm32 pointer width).
impl Interface for isize {
    const TYPE: &'static Ty = &Ty::S32;
    const SIZE: usize = 4;
    const ALIGN: usize = 4;
    const PLAIN: bool = core::mem::size_of::<isize>() == 4;
    unsafe fn load(ptr: *const u8) -> Self {
        unsafe { i32::load(ptr) as isize }
    }
    unsafe fn store(self, ptr: *mut u8) {
        unsafe { (self as i32).store(ptr) }
    }
}

impl Scalar for isize {
    type Core = i32;
    fn to_core(self) -> i32 {
        self as i32
    }
    fn from_core(core: i32) -> Self {
        core as isize
    }
}

impl Interface for bool {
    const TYPE: &'static Ty = &Ty::Bool;
    const SIZE: usize = 1;
    const ALIGN: usize = 1;
    unsafe fn load(ptr: *const u8) -> Self {
        unsafe { *ptr != 0 }
    }
    unsafe fn store(self, ptr: *mut u8) {
        unsafe { *ptr = u8::from(self) }
    }
}

impl Scalar for bool {
    type Core = i32;
    fn to_core(self) -> i32 {
        i32::from(self)
    }
    fn from_core(core: i32) -> Self {
        core != 0
    }
}

impl Interface for char {
    const TYPE: &'static Ty = &Ty::Char;
    const SIZE: usize = 4;
    const ALIGN: usize = 4;
    unsafe fn load(ptr: *const u8) -> Self {
        // The engine only writes Unicode scalar values.
        char::from_u32(unsafe { u32::load(ptr) }).unwrap_or(char::REPLACEMENT_CHARACTER)
    }
    unsafe fn store(self, ptr: *mut u8) {
        unsafe { (self as u32).store(ptr) }
    }
}

impl Scalar for char {
    type Core = i32;
    fn to_core(self) -> i32 {
        self as i32
    }
    fn from_core(core: i32) -> Self {
        char::from_u32(core as u32).unwrap_or(char::REPLACEMENT_CHARACTER)
    }
}

impl Interface for () {
    const TYPE: &'static Ty = &Ty::Unit;
    const SIZE: usize = 0;
    const ALIGN: usize = 1;
    unsafe fn load(_: *const u8) -> Self {}
    unsafe fn store(self, _: *mut u8) {}
}

/// Reads a `(ptr, len)` pair.
unsafe fn load_pair(ptr: *const u8) -> (usize, usize) {
    unsafe { (u32::load(ptr) as usize, u32::load(ptr.add(4)) as usize) }
}

unsafe fn store_pair(ptr: *mut u8, data: usize, len: usize) {
    unsafe {
        (data as u32).store(ptr);
        (len as u32).store(ptr.add(4));
    }
}

/// The string whose UTF-8 bytes (`len` of them, allocated with alignment 1)
/// are at `data`; takes ownership.
///
/// # Safety
/// As [`Interface::load`]; the bytes are UTF-8 (the engine checks it).
#[doc(hidden)]
pub unsafe fn adopt_string(data: usize, len: usize) -> String {
    if len == 0 {
        return String::new();
    }
    unsafe { String::from_raw_parts(data as *mut u8, len, len) }
}

/// Hands the string's buffer over: `(ptr, len)` with capacity `len`.
#[doc(hidden)]
pub fn release_string(s: String) -> (usize, usize) {
    let mut bytes = s.into_bytes();
    if bytes.is_empty() {
        return (1, 0);
    }
    bytes.shrink_to_fit();
    let mut bytes = ManuallyDrop::new(bytes);
    (bytes.as_mut_ptr() as usize, bytes.len())
}

impl Interface for String {
    const TYPE: &'static Ty = &Ty::String;
    const SIZE: usize = 8;
    const ALIGN: usize = 4;
    unsafe fn load(ptr: *const u8) -> Self {
        unsafe {
            let (data, len) = load_pair(ptr);
            adopt_string(data, len)
        }
    }
    unsafe fn store(self, ptr: *mut u8) {
        let (data, len) = release_string(self);
        unsafe { store_pair(ptr, data, len) }
    }
}

/// The layout of `len` canonical elements of `T`, if it takes any bytes.
fn array_layout<T: Interface>(len: usize) -> Option<Layout> {
    let size = T::SIZE.checked_mul(len)?;
    if size == 0 {
        return None;
    }
    Layout::from_size_align(size, T::ALIGN).ok()
}

/// The list of `len` canonical elements at `data`; takes ownership (a list of
/// plain numbers adopts the buffer, other lists are read and the buffer
/// freed).
///
/// # Safety
/// As [`Interface::load`].
#[doc(hidden)]
pub unsafe fn adopt_list<T: Interface>(data: usize, len: usize) -> Vec<T> {
    if len == 0 {
        return Vec::new();
    }
    if T::PLAIN {
        return unsafe { Vec::from_raw_parts(data as *mut T, len, len) };
    }
    let mut out = Vec::with_capacity(len);
    for i in 0..len {
        out.push(unsafe { T::load((data + i * T::SIZE) as *const u8) });
    }
    if let Some(layout) = array_layout::<T>(len) {
        unsafe { alloc::alloc::dealloc(data as *mut u8, layout) };
    }
    out
}

/// Hands the list over in the canonical layout: `(ptr, len)`.
#[doc(hidden)]
pub fn release_list<T: Interface>(mut v: Vec<T>) -> (usize, usize) {
    let len = v.len();
    if len == 0 {
        return (T::ALIGN, 0);
    }
    if T::PLAIN {
        v.shrink_to_fit();
        let mut v = ManuallyDrop::new(v);
        return (v.as_mut_ptr() as usize, len);
    }
    let Some(layout) = array_layout::<T>(len) else {
        // Zero-sized elements: nothing to write.
        return (T::ALIGN, len);
    };
    let data = unsafe { alloc::alloc::alloc(layout) };
    if data.is_null() {
        alloc::alloc::handle_alloc_error(layout);
    }
    for (i, x) in v.into_iter().enumerate() {
        unsafe { x.store(data.add(i * T::SIZE)) };
    }
    (data as usize, len)
}

impl<T: Interface> Interface for Vec<T> {
    const TYPE: &'static Ty = &Ty::List(T::TYPE);
    const SIZE: usize = 8;
    const ALIGN: usize = 4;
    unsafe fn load(ptr: *const u8) -> Self {
        unsafe {
            let (data, len) = load_pair(ptr);
            adopt_list(data, len)
        }
    }
    unsafe fn store(self, ptr: *mut u8) {
        let (data, len) = release_list(self);
        unsafe { store_pair(ptr, data, len) }
    }
}

impl<T: Interface> Interface for Option<T> {
    const TYPE: &'static Ty = &Ty::Option(T::TYPE);
    const SIZE: usize = variant_layout(&[(0, 1), (T::SIZE, T::ALIGN)]).2;
    const ALIGN: usize = variant_layout(&[(0, 1), (T::SIZE, T::ALIGN)]).3;
    unsafe fn load(ptr: *const u8) -> Self {
        let off = variant_layout(&[(0, 1), (T::SIZE, T::ALIGN)]).1;
        unsafe {
            match *ptr {
                0 => None,
                _ => Some(T::load(ptr.add(off))),
            }
        }
    }
    unsafe fn store(self, ptr: *mut u8) {
        let off = variant_layout(&[(0, 1), (T::SIZE, T::ALIGN)]).1;
        unsafe {
            match self {
                None => *ptr = 0,
                Some(x) => {
                    *ptr = 1;
                    x.store(ptr.add(off));
                }
            }
        }
    }
}

impl<T: Interface, E: Interface> Interface for Result<T, E> {
    const TYPE: &'static Ty = &Ty::Result(T::TYPE, E::TYPE);
    const SIZE: usize = variant_layout(&[(T::SIZE, T::ALIGN), (E::SIZE, E::ALIGN)]).2;
    const ALIGN: usize = variant_layout(&[(T::SIZE, T::ALIGN), (E::SIZE, E::ALIGN)]).3;
    unsafe fn load(ptr: *const u8) -> Self {
        let off = variant_layout(&[(T::SIZE, T::ALIGN), (E::SIZE, E::ALIGN)]).1;
        unsafe {
            match *ptr {
                0 => Ok(T::load(ptr.add(off))),
                _ => Err(E::load(ptr.add(off))),
            }
        }
    }
    unsafe fn store(self, ptr: *mut u8) {
        let off = variant_layout(&[(T::SIZE, T::ALIGN), (E::SIZE, E::ALIGN)]).1;
        unsafe {
            match self {
                Ok(x) => {
                    *ptr = 0;
                    x.store(ptr.add(off));
                }
                Err(e) => {
                    *ptr = 1;
                    e.store(ptr.add(off));
                }
            }
        }
    }
}

macro_rules! tuples {
    ($(($($t:ident $i:tt),+);)*) => {$(
        impl<$($t: Interface),+> Interface for ($($t,)+) {
            const TYPE: &'static Ty = &Ty::Tuple(&[$($t::TYPE),+]);
            const SIZE: usize = record_size(&[$(($t::SIZE, $t::ALIGN)),+]);
            const ALIGN: usize = record_align(&[$(($t::SIZE, $t::ALIGN)),+]);
            unsafe fn load(ptr: *const u8) -> Self {
                let fields = [$(($t::SIZE, $t::ALIGN)),+];
                unsafe { ($($t::load(ptr.add(field_offset(&fields, $i))),)+) }
            }
            unsafe fn store(self, ptr: *mut u8) {
                let fields = [$(($t::SIZE, $t::ALIGN)),+];
                unsafe { $(self.$i.store(ptr.add(field_offset(&fields, $i)));)+ }
            }
        }
    )*};
}

tuples! {
    (A 0);
    (A 0, B 1);
    (A 0, B 1, C 2);
    (A 0, B 1, C 2, D 3);
    (A 0, B 1, C 2, D 3, E 4);
    (A 0, B 1, C 2, D 3, E 4, F 5);
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6);
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
}

/// Size of `n` flags: 0, 1 byte up to 8, 2 up to 16, else ⌈n/32⌉ words
/// (the shared rule in `intertype-format`).
#[doc(hidden)]
pub const fn flags_size(n: usize) -> usize {
    intertype_format::layout::flags_size_align(n).0 as usize
}

#[doc(hidden)]
pub const fn flags_align(n: usize) -> usize {
    intertype_format::layout::flags_size_align(n).1 as usize
}

/// Flag `i` of `n` at `ptr`.
///
/// # Safety
/// `ptr` is readable for `flags_size(n)` bytes.
#[doc(hidden)]
pub unsafe fn flag_get(ptr: *const u8, n: usize, i: usize) -> bool {
    unsafe {
        match n {
            0..=8 => *ptr >> i & 1 == 1,
            9..=16 => ptr.cast::<u16>().read_unaligned() >> i & 1 == 1,
            _ => ptr.cast::<u32>().add(i / 32).read_unaligned() >> (i % 32) & 1 == 1,
        }
    }
}

/// Clears all `n` flags at `ptr`.
///
/// # Safety
/// `ptr` is writable for `flags_size(n)` bytes.
#[doc(hidden)]
pub unsafe fn flags_clear(ptr: *mut u8, n: usize) {
    unsafe { core::ptr::write_bytes(ptr, 0, flags_size(n)) }
}

/// Sets flag `i` of `n` at `ptr` when `on`.
///
/// # Safety
/// `ptr` is writable for `flags_size(n)` bytes.
#[doc(hidden)]
pub unsafe fn flag_set(ptr: *mut u8, n: usize, i: usize, on: bool) {
    if !on {
        return;
    }
    unsafe {
        match n {
            0..=8 => *ptr |= 1 << i,
            9..=16 => {
                let p = ptr.cast::<u16>();
                p.write_unaligned(p.read_unaligned() | 1 << i);
            }
            _ => {
                let p = ptr.cast::<u32>().add(i / 32);
                p.write_unaligned(p.read_unaligned() | 1 << (i % 32));
            }
        }
    }
}

/// `Box<T>` is `T` (the box is the guest's own business).
impl<T: Interface> Interface for alloc::boxed::Box<T> {
    const TYPE: &'static Ty = T::TYPE;
    const SIZE: usize = T::SIZE;
    const ALIGN: usize = T::ALIGN;
    unsafe fn load(ptr: *const u8) -> Self {
        alloc::boxed::Box::new(unsafe { T::load(ptr) })
    }
    unsafe fn store(self, ptr: *mut u8) {
        unsafe { (*self).store(ptr) }
    }
}

/// Maps are lists of `(key, value)` pairs (`list<tuple<K, V>>`), in the
/// map's iteration order; loading a list with a repeated key keeps the last.
impl<K: Interface + Ord, V: Interface> Interface for alloc::collections::BTreeMap<K, V> {
    const TYPE: &'static Ty = &Ty::List(<(K, V) as Interface>::TYPE);
    const SIZE: usize = 8;
    const ALIGN: usize = 4;
    unsafe fn load(ptr: *const u8) -> Self {
        unsafe { Vec::<(K, V)>::load(ptr) }.into_iter().collect()
    }
    unsafe fn store(self, ptr: *mut u8) {
        unsafe { self.into_iter().collect::<Vec<(K, V)>>().store(ptr) }
    }
}

/// As `BTreeMap`: a list of pairs.
#[cfg(feature = "std")]
impl<K, V, S> Interface for std::collections::HashMap<K, V, S>
where
    K: Interface + Eq + core::hash::Hash,
    V: Interface,
    S: core::hash::BuildHasher + Default,
{
    const TYPE: &'static Ty = &Ty::List(<(K, V) as Interface>::TYPE);
    const SIZE: usize = 8;
    const ALIGN: usize = 4;
    unsafe fn load(ptr: *const u8) -> Self {
        unsafe { Vec::<(K, V)>::load(ptr) }.into_iter().collect()
    }
    unsafe fn store(self, ptr: *mut u8) {
        unsafe { self.into_iter().collect::<Vec<(K, V)>>().store(ptr) }
    }
}
