//! The runtime's one error type: what went wrong, whose fault it was, and
//! where (adapter, instruction, wasm backtrace).

use std::fmt;

/// Whose fault an error is; see `docs/runtime.md` ("Error model").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The module could not be loaded: invalid core module, malformed or
    /// ill-typed booklet, or a feature the engine does not support.
    Load,
    /// An import is missing or has the wrong type.
    Link,
    /// The host passed a value that does not have the expected type (checked
    /// before entering wasm), or one that cannot be lowered (a `u64` that
    /// does not fit an `i32x`, a string outside Latin-1, a host function's
    /// result of the wrong type).
    HostType,
    /// Core wasm trapped (`unreachable`, out-of-bounds access, …); see
    /// [`Error::trap_code`] and [`Error::backtrace`].
    Trap,
    /// The guest broke the interface contract; see [`Misbehavior`].
    Guest(Misbehavior),
    /// A resource limit was hit.
    Limit(Limit),
    /// A host function returned an error.
    Host,
    /// The instance trapped earlier and refuses further calls.
    Poisoned,
    /// No such function, or a call with the wrong number of arguments.
    Usage,
    /// A WASI guest called `proc_exit` with this code.
    Exit(i32),
    /// An invariant inside the engine failed (a value of the wrong type
    /// reached an adapter step, a plan slot is missing): neither the host's
    /// nor the guest's fault, a bug to report.
    Internal,
}

/// How a guest broke the interface contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Misbehavior {
    /// A `(ptr, len)` or pointer outside linear memory.
    OutOfBounds,
    /// A pointer that is not aligned as the data it points to requires.
    Misaligned,
    /// Bytes that are not valid UTF-8 / UTF-16.
    InvalidEncoding,
    /// An allocator result that is out of bounds, misaligned or too small.
    BadAllocation,
    /// A length whose byte size overflows the address space.
    LengthOverflow,
    /// A value outside the range of the interface type: a checked conversion,
    /// a `char` that is not a Unicode scalar value, a discriminant past the
    /// last case, flag bits past the last flag.
    InvalidValue,
}

/// Which limit was hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    Fuel,
    Deadline,
    Memory,
    Table,
    /// Instances, memories or tables per store.
    Resources,
    /// A lifted value spans more guest bytes than [`crate::Limits::max_value_bytes`].
    ValueSize,
}

/// A runtime error. One word wide.
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    message: String,
    context: Vec<String>,
    trap: Option<wasmtime::Trap>,
    backtrace: Option<String>,
    /// A host function's own error (any `std::error::Error`, or an
    /// `anyhow::Error`), kept for [`std::error::Error::source`] and
    /// [`Error::downcast_ref`].
    source: Option<anyhow::Error>,
}

impl Error {
    #[cold]
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                context: Vec::new(),
                trap: None,
                backtrace: None,
                source: None,
            }),
        }
    }

    #[cold]
    pub(crate) fn load(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Load, message)
    }

    #[cold]
    pub(crate) fn link(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Link, message)
    }

    #[cold]
    pub(crate) fn host_type(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::HostType, message)
    }

    /// An engine invariant failed; see [`ErrorKind::Internal`].
    #[cold]
    pub(crate) fn internal(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Internal, message)
    }

    #[cold]
    pub(crate) fn guest(what: Misbehavior, message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Guest(what), message)
    }

    #[cold]
    pub(crate) fn limit(limit: Limit, message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Limit(limit), message)
    }

    #[cold]
    pub(crate) fn usage(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Usage, message)
    }

    /// A host function's own error, surfaced as [`ErrorKind::Host`].
    #[cold]
    pub fn host(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Host, message)
    }

    /// A host function's failure caused by `source` (any
    /// `std::error::Error + Send + Sync`, an `anyhow::Error`, a
    /// `Box<dyn Error>`): [`ErrorKind::Host`] with `source`'s message, and
    /// `source` itself kept as [`std::error::Error::source`] and reachable
    /// with [`Error::downcast_ref`].
    #[cold]
    pub fn host_error(source: impl Into<anyhow::Error>) -> Error {
        let source = source.into();
        let mut e = Error::new(ErrorKind::Host, format!("{source:#}"));
        e.inner.source = Some(source);
        e
    }

    /// A host function panicked (the payload's message when it has one).
    #[cold]
    pub(crate) fn panicked(payload: &(dyn std::any::Any + Send)) -> Error {
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a non-string payload".to_string());
        Error::new(
            ErrorKind::Host,
            format!("the host function panicked: {msg}"),
        )
    }

    /// The host function's own error, when it is an `E` (see
    /// [`Error::host_error`]).
    pub fn downcast_ref<E>(&self) -> Option<&E>
    where
        E: fmt::Display + fmt::Debug + Send + Sync + 'static,
    {
        self.inner.source.as_ref()?.downcast_ref::<E>()
    }

    /// Adds an outer location ("in adapter `greet` …").
    #[cold]
    pub(crate) fn context(mut self, what: impl Into<String>) -> Error {
        self.inner.context.push(what.into());
        self
    }

    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The message without context.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// For [`ErrorKind::Trap`] and limits that wasmtime reports as traps.
    pub fn trap_code(&self) -> Option<wasmtime::Trap> {
        self.inner.trap
    }

    /// The wasm backtrace at the trap, rendered, when there is one.
    pub fn backtrace(&self) -> Option<&str> {
        self.inner.backtrace.as_deref()
    }

    /// Converts an error out of wasmtime (a trap, a limit, or one of ours that
    /// travelled through wasm frames from an `implement` adapter).
    #[cold]
    pub(crate) fn from_wasmtime(err: wasmtime::Error, limit_hit: Option<LimitHit>) -> Error {
        let backtrace = err
            .downcast_ref::<wasmtime::WasmBacktrace>()
            .map(|bt| bt.to_string())
            .filter(|s| !s.trim().is_empty());
        let trap = err.downcast_ref::<wasmtime::Trap>().copied();
        if let Some(exit) = err.downcast_ref::<wasmtime_wasi::I32Exit>() {
            return Error::new(
                ErrorKind::Exit(exit.0),
                format!("the guest exited with status {}", exit.0),
            );
        }
        let mut e = match err.downcast::<Error>() {
            Ok(ours) => ours,
            Err(err) => {
                if let Some(hit) = limit_hit {
                    Error::new(
                        ErrorKind::Limit(hit.limit),
                        format!("{}: {}", limit_message(hit.limit), hit.detail),
                    )
                } else {
                    match trap {
                        Some(wasmtime::Trap::OutOfFuel) => {
                            Error::new(ErrorKind::Limit(Limit::Fuel), "all fuel consumed")
                        }
                        Some(wasmtime::Trap::Interrupt) => {
                            Error::new(ErrorKind::Limit(Limit::Deadline), "epoch deadline reached")
                        }
                        Some(t) => Error::new(ErrorKind::Trap, t.to_string()),
                        None => Error::new(ErrorKind::Trap, format!("{err:#}")),
                    }
                }
            }
        };
        if e.inner.trap.is_none() {
            e.inner.trap = trap;
        }
        if e.inner.backtrace.is_none() {
            e.inner.backtrace = backtrace;
        }
        e
    }

    /// A trap that ended a guest's panic: the guest's message (`panicked at
    /// src/lib.rs:3:5:\nboom`) becomes the error's, the trap its context.
    #[cold]
    pub(crate) fn with_guest_panic(mut self, message: &str) -> Error {
        let message = message.replacen(":\n", ": ", 1);
        let trap = std::mem::replace(&mut self.inner.message, format!("the guest {message}"));
        self.inner.context.insert(0, format!("({trap})"));
        self
    }

    /// Whether this error leaves the instance poisoned (wasm ran and did not
    /// finish normally).
    pub(crate) fn poisons(&self) -> bool {
        !matches!(
            self.kind(),
            ErrorKind::Usage | ErrorKind::Poisoned | ErrorKind::Load | ErrorKind::Link
        )
    }
}

fn limit_message(limit: Limit) -> &'static str {
    match limit {
        Limit::Fuel => "all fuel consumed",
        Limit::Deadline => "epoch deadline reached",
        Limit::Memory => "memory limit exceeded",
        Limit::Table => "table limit exceeded",
        Limit::Resources => "instance/memory/table count limit exceeded",
        Limit::ValueSize => "lifted value size limit exceeded",
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.inner.kind {
            ErrorKind::Load => "cannot load module",
            ErrorKind::Link => "link error",
            ErrorKind::HostType => "host type error",
            ErrorKind::Trap => "trap",
            ErrorKind::Guest(_) => "guest misbehaved",
            ErrorKind::Limit(_) => "limit exceeded",
            ErrorKind::Host => "host function failed",
            ErrorKind::Poisoned => "instance poisoned",
            ErrorKind::Usage => "usage error",
            ErrorKind::Exit(_) => "exit",
            ErrorKind::Internal => "internal error (a bug in intertype-runtime)",
        };
        write!(f, "{what}: {}", self.inner.message)?;
        for c in &self.inner.context {
            write!(f, "\n    {c}")?;
        }
        if f.alternate() {
            if let Some(bt) = &self.inner.backtrace {
                write!(f, "\n{bt}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:#} [{:?}]", self.inner.kind)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        let s: &(dyn std::error::Error + Send + Sync + 'static) =
            self.inner.source.as_ref()?.as_ref();
        Some(s)
    }
}

/// `?` on an `anyhow::Result` in a host function.
impl From<anyhow::Error> for Error {
    fn from(e: anyhow::Error) -> Self {
        Error::host_error(e)
    }
}

/// `?` in a host function on the standard library's common errors (I/O,
/// parsing, conversions); any other error goes through
/// [`Error::host_error`] or `anyhow`.
macro_rules! host_error_from {
    ($($e:ty),* $(,)?) => {$(
        impl From<$e> for Error {
            fn from(e: $e) -> Self {
                Error::host_error(e)
            }
        }
    )*};
}

host_error_from!(
    std::io::Error,
    std::fmt::Error,
    std::num::ParseIntError,
    std::num::ParseFloatError,
    std::num::TryFromIntError,
    std::str::Utf8Error,
    std::string::FromUtf8Error,
    std::char::CharTryFromError,
);

/// `?` on a `Result<_, Box<dyn Error + Send + Sync>>` in a host function.
impl From<Box<dyn std::error::Error + Send + Sync>> for Error {
    fn from(e: Box<dyn std::error::Error + Send + Sync>) -> Self {
        Error::host_error(anyhow::Error::from_boxed(e))
    }
}

impl From<intertype::Error> for Error {
    fn from(e: intertype::Error) -> Self {
        Error::load(e.to_string())
    }
}

/// A refused growth: which limit, and the sizes involved.
#[derive(Clone, Debug)]
pub(crate) struct LimitHit {
    pub limit: Limit,
    pub detail: String,
}

#[cfg(test)]
mod tests {
    #[test]
    fn error_is_one_word() {
        assert_eq!(
            std::mem::size_of::<super::Error>(),
            std::mem::size_of::<usize>()
        );
    }

    #[test]
    fn invariant_failures_are_internal_not_the_callers_fault() {
        let e = super::Error::internal("register 3");
        assert_eq!(e.kind(), super::ErrorKind::Internal);
        assert!(e.to_string().starts_with("internal error"), "{e}");
        assert!(e.poisons());
    }
}
