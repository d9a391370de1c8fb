//! The C API's tests: the checked-in header is what cbindgen generates
//! (`header`), and C programs compiled with the system C compiler run
//! against `libintertype` under valgrind memcheck (`c`).

mod c;
mod header;
