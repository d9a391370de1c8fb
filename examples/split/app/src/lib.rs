//! A guest made of two crates.

pub use split_lib::Point;

/// Scales a point (defined in the cdylib crate).
#[intertype::export]
pub fn scale(p: Point, k: i32) -> Point {
    split_lib::log("scaling");
    Point {
        x: p.x * k,
        y: p.y * k,
    }
}
