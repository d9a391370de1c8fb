use intertype_guest as intertype;

#[intertype::export]
pub fn same<T>(x: T) -> T {
    x
}

fn main() {}
