//! `componentize IN.wasm OUT.wasm`: wraps a core module that carries a
//! `component-type` custom section (as wit-bindgen emits) into a component,
//! then validates the result.

use anyhow::{bail, Context, Result};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output] = args.as_slice() else {
        bail!("usage: componentize IN.wasm OUT.wasm");
    };
    let module = std::fs::read(input).with_context(|| format!("reading {input}"))?;
    let component = wit_component::ComponentEncoder::default()
        .validate(true)
        .module(&module)
        .context("reading the module's component-type section")?
        .encode()
        .context("encoding the component")?;
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(&component)
        .context("validating the component")?;
    std::fs::write(output, &component).with_context(|| format!("writing {output}"))?;
    eprintln!(
        "componentize: {input} ({} B) -> {output} ({} B)",
        module.len(),
        component.len()
    );
    Ok(())
}
