//! The README's Rust host example, run as written: the lines between the
//! `README` markers are the README's block verbatim (the runtime's test
//! `readme::host_example_is_the_one_ci_runs` checks they still match). The
//! guest is the README's `greeting` (same interface), written in text here
//! so the example needs no wasm32 build.
//!
//! Run: `cargo run -p intertype-runtime --example readme-host`.

const GREETING: &str = r#"
(module
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 1024))
  (data (i32.const 16) "Hello, ")
  (func $malloc (param $n i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (local.get $n)))
    (local.get $p))
  ;; "Hello, " + name + "!"
  (func $greeting_ (param $p i32) (param $n i32) (result i32 i32)
    (local $out i32)
    (local.set $out (call $malloc (i32.add (local.get $n) (i32.const 8))))
    (memory.copy (local.get $out) (i32.const 16) (i32.const 7))
    (memory.copy (i32.add (local.get $out) (i32.const 7)) (local.get $p) (local.get $n))
    (i32.store8 (i32.add (local.get $out) (i32.add (local.get $n) (i32.const 7))) (i32.const 33))
    (local.get $out)
    (i32.add (local.get $n) (i32.const 8)))
  (@interface func (export "greeting") (param string) (result string)
    arg.get 0
    string-to-memory $malloc
    call-core $greeting_
    memory-to-string))
"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("intertype-readme-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    std::fs::write(
        dir.join("greeting.wasm"),
        intertype::parse_str(GREETING, None)?,
    )?;
    std::env::set_current_dir(&dir)?;

    // README begin
    use intertype_runtime::{Engine, Linker, Module};
    let engine = Engine::default();
    let module = Module::from_file(&engine, "greeting.wasm".as_ref())?;
    let mut instance = Linker::new(&engine).instantiate(&module)?;
    let greet = instance.typed_func::<(&str,), (String,)>("greeting")?;
    let (text,) = greet.call(&mut instance, ("Lin",))?;
    // README end

    println!("{text}");
    assert_eq!(text, "Hello, Lin!");
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
