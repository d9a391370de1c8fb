//! Integration tests of the component-model bridge.

mod adopt;
mod every_type;
mod new;
mod round_trip;
