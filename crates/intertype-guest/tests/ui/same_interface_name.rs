use intertype_guest as intertype;

#[derive(intertype::Interface)]
pub struct Point {
    pub x: i32,
}

// A different type with the same interface name in the same module.
#[derive(intertype::Interface)]
#[interface(rename = "point")]
pub struct Place {
    pub x: f64,
}

fn main() {}
