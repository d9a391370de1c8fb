use intertype_guest as intertype;

#[intertype::export]
pub fn big(x: Option<u128>) -> bool {
    x.is_some()
}

fn main() {}
