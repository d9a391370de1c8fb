use intertype_guest as intertype;

#[intertype::export]
pub fn show() -> impl std::fmt::Display {
    42
}

fn main() {}
