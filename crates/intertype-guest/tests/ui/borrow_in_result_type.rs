use intertype_guest as intertype;

#[intertype::export]
pub fn parse(r: Result<&str, u32>) -> u32 {
    r.map(|s| s.len() as u32).unwrap_or(0)
}

fn main() {}
