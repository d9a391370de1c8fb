use intertype_guest as intertype;

#[derive(intertype::Interface)]
#[interface(flags)]
pub struct Perms {
    pub read: bool,
    pub level: u8,
}

fn main() {}
