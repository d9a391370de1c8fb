use intertype_guest as intertype;

#[intertype::export]
pub fn shout(text: &mut String) {
    text.make_ascii_uppercase();
}

fn main() {}
