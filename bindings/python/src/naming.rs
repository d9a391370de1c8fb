//! Python names for interface names: the rules live in
//! `intertype::python_names`, shared with `intertype bindgen python`.

pub(crate) use intertype::python_names::{camel, snake, unique, upper};
