//! Exports and an import defined in a library crate.

use intertype::Interface;

#[derive(Interface, Clone, PartialEq, Debug)]
pub struct Point {
    pub x: i32,
    pub y: i32,
}

#[intertype::import(module = "host")]
extern "C" {
    /// Writes a line to the host's log.
    pub fn log(message: &str);
}

/// Adds two points (defined in the library crate).
#[intertype::export]
pub fn add_points(a: Point, b: Point) -> Point {
    Point {
        x: a.x + b.x,
        y: a.y + b.y,
    }
}
