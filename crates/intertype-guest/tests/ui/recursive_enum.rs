use intertype_guest as intertype;

#[derive(intertype::Interface)]
pub enum Tree {
    Leaf(u32),
    Node(Box<Tree>, Box<Tree>),
}

fn main() {}
