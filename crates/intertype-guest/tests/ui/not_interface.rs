use intertype_guest as intertype;
use std::time::Duration;

#[intertype::export]
pub fn seconds(d: Duration) -> u64 {
    d.as_secs()
}

fn main() {}
