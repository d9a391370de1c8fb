use intertype_guest as intertype;

#[derive(intertype::Interface)]
pub struct Point {
    #[interface(skip)]
    pub x: i32,
    pub y: i32,
}

fn main() {}
