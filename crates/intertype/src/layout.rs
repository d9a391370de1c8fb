//! The canonical memory layout and flattening of interface types.
//! (stub: being written)
