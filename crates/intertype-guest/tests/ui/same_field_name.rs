use intertype_guest as intertype;

#[derive(intertype::Interface)]
pub struct Span {
    pub start: u32,
    #[interface(rename = "start")]
    pub begin: u32,
}

fn main() {}
