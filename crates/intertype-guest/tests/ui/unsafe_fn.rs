use intertype_guest as intertype;

#[intertype::export]
pub unsafe fn first(bytes: &[u8]) -> u8 {
    unsafe { *bytes.get_unchecked(0) }
}

fn main() {}
