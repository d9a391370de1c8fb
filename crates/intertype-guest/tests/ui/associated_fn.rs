use intertype_guest as intertype;

pub struct Counter;

impl Counter {
    #[intertype::export]
    pub fn start() -> u32 {
        0
    }
}

fn main() {}
