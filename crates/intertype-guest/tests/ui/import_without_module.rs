use intertype_guest as intertype;

#[intertype::import]
extern "C" {
    fn log(message: &str);
}

fn main() {}
