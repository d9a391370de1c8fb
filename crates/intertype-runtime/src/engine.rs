//! The engine: wasmtime's configuration plus the default limits every
//! instance starts with.

use crate::error::Error;
use std::sync::Arc;

/// Resource limits of one instance (its store).
#[derive(Clone, Debug)]
pub struct Limits {
    /// Fuel the instance starts with (wasmtime's instruction-count budget);
    /// `None` for unlimited. Setting it turns fuel metering on in the engine.
    pub fuel: Option<u64>,
    /// Epoch ticks ([`Engine::increment_epoch`]) after which running wasm
    /// stops; `None` for no deadline. Setting it turns epoch interruption on.
    pub epoch_deadline: Option<u64>,
    /// Largest linear memory, in bytes.
    pub max_memory_bytes: Option<usize>,
    /// Largest table, in elements.
    pub max_table_elements: Option<usize>,
    /// Instances per store (a module instance is one).
    pub max_instances: usize,
    /// Most guest bytes one lifted value (`value.lift`, `value.load`) may
    /// span, counting every string and list each time a pointer leads to it
    /// (so aliased pointers cannot make the host allocate far more than the
    /// guest has) and zero-size list elements as one byte each. `None`: the
    /// size of the memory the value is read from, but at least
    /// [`Limits::MIN_VALUE_BYTES`]. Exceeding it is [`crate::Limit::ValueSize`].
    pub max_value_bytes: Option<u64>,
}

impl Limits {
    /// The smallest default budget of one lifted value (16 MiB).
    pub const MIN_VALUE_BYTES: u64 = 16 << 20;
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            fuel: None,
            epoch_deadline: None,
            max_memory_bytes: None,
            max_table_elements: None,
            max_instances: 16,
            max_value_bytes: None,
        }
    }
}

/// How to build an [`Engine`].
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Default limits for every instance; [`crate::Linker::limits`] overrides.
    pub limits: Limits,
    /// Meter fuel even when [`Limits::fuel`] is `None` (so a linker may set
    /// fuel later).
    pub consume_fuel: bool,
    /// Enable epoch interruption even when [`Limits::epoch_deadline`] is `None`.
    pub epoch_interruption: bool,
    /// Maximum wasm stack in bytes (wasmtime's default when `None`).
    pub max_wasm_stack: Option<usize>,
}

/// A compilation and execution environment; cheap to clone.
#[derive(Clone)]
pub struct Engine {
    inner: wasmtime::Engine,
    config: Arc<Config>,
}

impl Engine {
    pub fn new(config: &Config) -> Result<Engine, Error> {
        Engine::with_wasmtime_config(wasmtime::Config::new(), config)
    }

    /// An engine on a wasmtime configuration of the embedder's (compiler,
    /// cache, pooling allocator, profiling, …; [`crate::wasmtime`] is the
    /// version to use). What the engine relies on is set on top of it:
    /// reference types, multi-value, and fuel and epoch interruption as
    /// `config` asks.
    pub fn with_wasmtime_config(mut c: wasmtime::Config, config: &Config) -> Result<Engine, Error> {
        c.wasm_reference_types(true)
            .wasm_multi_value(true)
            .consume_fuel(config.consume_fuel || config.limits.fuel.is_some())
            .epoch_interruption(
                config.epoch_interruption || config.limits.epoch_deadline.is_some(),
            );
        if let Some(s) = config.max_wasm_stack {
            c.max_wasm_stack(s);
        }
        let inner = wasmtime::Engine::new(&c)
            .map_err(|e| Error::load(format!("cannot create the engine: {e:#}")))?;
        Ok(Engine {
            inner,
            config: Arc::new(config.clone()),
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Advances the epoch; instances past their deadline stop with
    /// [`crate::Limit::Deadline`].
    pub fn increment_epoch(&self) {
        self.inner.increment_epoch();
    }

    pub(crate) fn wasmtime(&self) -> &wasmtime::Engine {
        &self.inner
    }

    pub(crate) fn fuel_enabled(&self) -> bool {
        self.config.consume_fuel || self.config.limits.fuel.is_some()
    }

    pub(crate) fn epoch_enabled(&self) -> bool {
        self.config.epoch_interruption || self.config.limits.epoch_deadline.is_some()
    }
}

impl Default for Engine {
    fn default() -> Self {
        // The default configuration is always valid for wasmtime.
        match Engine::new(&Config::default()) {
            Ok(e) => e,
            Err(e) => panic!("default engine configuration rejected: {e}"),
        }
    }
}
