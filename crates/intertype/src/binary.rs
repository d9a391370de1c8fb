//! Reading and writing the `wasm-interface-types` section payload.
//! (stub: being written)

use crate::{Booklet, Result};

impl Booklet {
    /// Decodes a section payload found at byte `offset` of the module.
    pub fn decode(payload: &[u8], offset: usize) -> Result<Booklet> {
        let _ = (payload, offset);
        todo!()
    }

    /// Encodes the section payload: version `0.1.0` and the reference bytes when
    /// [`Booklet::is_reference_subset`], else the extension version.
    pub fn encode(&self) -> Vec<u8> {
        todo!()
    }
}
