use intertype_guest as intertype;

#[derive(intertype::Interface)]
pub struct Counter {
    pub value: u32,
}

impl Counter {
    #[intertype::export]
    pub fn new() -> Self {
        Counter { value: 0 }
    }
}

fn main() {}
