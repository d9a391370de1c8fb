use intertype_guest as intertype;

#[intertype::export]
pub fn name() -> &'static str {
    "intertype"
}

fn main() {}
