use intertype_guest as intertype;

#[derive(intertype::Interface)]
pub enum Shape {
    Circle { radius: f64 },
    Dot,
}

fn main() {}
