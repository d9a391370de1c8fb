use intertype_guest as intertype;

#[intertype::export(name = "evil\u{1b}[2Jname")]
pub fn f() {}

fn main() {}
