//! Identity functions for every type a Rust guest can pass: the host's
//! property tests send values in and check that the same values come back.

use intertype::Interface;

#[derive(Interface, Clone, PartialEq, Debug)]
pub struct Point {
    pub x: i32,
    pub y: i32,
}

#[derive(Interface, Clone, PartialEq, Debug)]
pub struct Person {
    pub name: String,
    pub age: u8,
    pub tags: Vec<String>,
    pub home: Option<Point>,
    pub score: f64,
}

#[derive(Interface, Clone, Copy, PartialEq, Debug)]
pub enum Color {
    Red,
    Green,
    Blue,
}

#[derive(Interface, Clone, PartialEq, Debug)]
pub enum Shape {
    Circle(f32),
    Rect(Point),
    Dot,
    Label(u8, String),
    Big(u64),
}

#[derive(Interface, Clone, Copy, PartialEq, Debug)]
#[interface(flags)]
pub struct Perms {
    pub read: bool,
    pub write: bool,
    pub exec: bool,
}

/// More than sixteen flags: stored as 32-bit words.
#[derive(Interface, Clone, Copy, PartialEq, Debug)]
#[interface(flags)]
pub struct Wide {
    pub f0: bool,
    pub f1: bool,
    pub f2: bool,
    pub f3: bool,
    pub f4: bool,
    pub f5: bool,
    pub f6: bool,
    pub f7: bool,
    pub f8: bool,
    pub f9: bool,
    pub f10: bool,
    pub f11: bool,
    pub f12: bool,
    pub f13: bool,
    pub f14: bool,
    pub f15: bool,
    pub f16: bool,
    pub f17: bool,
    pub f18: bool,
    pub f19: bool,
    pub f20: bool,
    pub f21: bool,
    pub f22: bool,
    pub f23: bool,
    pub f24: bool,
    pub f25: bool,
    pub f26: bool,
    pub f27: bool,
    pub f28: bool,
    pub f29: bool,
    pub f30: bool,
    pub f31: bool,
    pub f32: bool,
    pub f33: bool,
}

macro_rules! echo {
    ($($name:ident: $t:ty;)*) => {$(
        #[intertype::export]
        pub fn $name(x: $t) -> $t {
            x
        }
    )*};
}

echo! {
    echo_bool: bool;
    echo_char: char;
    echo_u8: u8;
    echo_s8: i8;
    echo_u16: u16;
    echo_s16: i16;
    echo_u32: u32;
    echo_s32: i32;
    echo_u64: u64;
    echo_s64: i64;
    echo_f32: f32;
    echo_f64: f64;
    echo_string: String;
    echo_bytes: Vec<u8>;
    echo_u64s: Vec<u64>;
    echo_strings: Vec<String>;
    echo_option: Option<String>;
    echo_option_u32: Option<u32>;
    echo_result: Result<String, u32>;
    echo_result_unit: Result<(), String>;
    echo_tuple: (u8, String, f64);
    echo_point: Point;
    echo_person: Person;
    echo_color: Color;
    echo_shape: Shape;
    echo_perms: Perms;
    echo_wide: Wide;
    echo_nested: Option<Vec<Person>>;
    echo_shapes: Vec<Shape>;
    echo_colors: Vec<Color>;
}

/// Borrowed parameters come back as owned results.
#[intertype::export]
pub fn echo_str(s: &str) -> String {
    s.to_string()
}

#[intertype::export]
pub fn echo_slice(b: &[u8]) -> Vec<u8> {
    b.to_vec()
}

#[intertype::export]
pub fn echo_point_ref(p: &Point) -> Point {
    p.clone()
}

/// Several parameters of different classes at once.
#[intertype::export]
pub fn mix(a: u8, s: &str, p: Point, xs: Vec<u16>, f: f32) -> (u8, String, Point, Vec<u16>, f32) {
    (a, s.to_string(), p, xs, f)
}

/// Nothing in, nothing out.
#[intertype::export(name = "nothing")]
pub fn do_nothing() {}

/// Bytes still allocated by the guest allocator (for leak checks).
#[intertype::export]
pub fn heap_in_use() -> u32 {
    intertype::heap_in_use() as u32
}
