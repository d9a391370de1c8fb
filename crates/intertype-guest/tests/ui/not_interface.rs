use intertype_guest as intertype;
use std::collections::HashMap;

#[intertype::export]
pub fn total(prices: HashMap<String, u32>) -> u32 {
    prices.values().sum()
}

fn main() {}
