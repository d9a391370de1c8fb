//! The one error type of this crate: a boxed, one-word value that says what
//! went wrong and where (byte offset, source position, or adapter and
//! instruction).

use std::fmt;

/// What part of the toolchain rejected the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The core module itself is not valid WebAssembly.
    Core,
    /// The `wasm-interface-types` section is malformed.
    Binary,
    /// The text format could not be parsed or resolved.
    Text,
    /// The booklet is well-formed but ill-typed or inconsistent with the core
    /// module.
    Validation,
}

/// An error from decoding, parsing or validating interface types.
pub struct Error {
    inner: Box<ErrorInner>,
}

struct ErrorInner {
    kind: ErrorKind,
    message: String,
    offset: Option<usize>,
    func: Option<u32>,
    instr: Option<usize>,
}

impl Error {
    #[cold]
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            inner: Box::new(ErrorInner {
                kind,
                message: message.into(),
                offset: None,
                func: None,
                instr: None,
            }),
        }
    }

    /// A malformed-binary error at `offset` (bytes from the start of the file).
    #[cold]
    pub(crate) fn binary(offset: usize, message: impl Into<String>) -> Error {
        let mut e = Error::new(ErrorKind::Binary, message);
        e.inner.offset = Some(offset);
        e
    }

    /// An invalid-core-module error.
    #[cold]
    pub(crate) fn core(offset: Option<usize>, message: impl Into<String>) -> Error {
        let mut e = Error::new(ErrorKind::Core, message);
        e.inner.offset = offset;
        e
    }

    /// A validation error; `func` is the adapter function index and `instr` the
    /// instruction index in its body, when the error is inside one.
    #[cold]
    pub(crate) fn validation(
        func: Option<u32>,
        instr: Option<usize>,
        message: impl Into<String>,
    ) -> Error {
        let mut e = Error::new(ErrorKind::Validation, message);
        e.inner.func = func;
        e.inner.instr = instr;
        e
    }

    /// A text error, already rendered with its file, line, column and source
    /// line.
    #[cold]
    pub(crate) fn text(rendered: impl Into<String>) -> Error {
        Error::new(ErrorKind::Text, rendered)
    }

    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The message without location.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// Byte offset in the module, for binary and core errors.
    pub fn offset(&self) -> Option<usize> {
        self.inner.offset
    }

    /// Adapter function index, for validation errors inside an adapter.
    pub fn func(&self) -> Option<u32> {
        self.inner.func
    }

    /// Instruction index within the adapter, for validation errors.
    pub fn instr(&self) -> Option<usize> {
        self.inner.instr
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.inner.kind {
            ErrorKind::Text => f.write_str(&self.inner.message),
            ErrorKind::Binary | ErrorKind::Core => {
                let what = if self.inner.kind == ErrorKind::Binary {
                    "malformed interface-types section"
                } else {
                    "invalid core module"
                };
                match self.inner.offset {
                    Some(o) => write!(
                        f,
                        "{what} at byte offset {o} (0x{o:x}): {}",
                        self.inner.message
                    ),
                    None => write!(f, "{what}: {}", self.inner.message),
                }
            }
            ErrorKind::Validation => f.write_str(&self.inner.message),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for Error {}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    #[test]
    fn error_is_one_word() {
        assert_eq!(
            std::mem::size_of::<super::Error>(),
            std::mem::size_of::<usize>()
        );
    }
}
