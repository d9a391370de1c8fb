//! Every module of `tests/corpus` runs and gives the right values.

use crate::util::{corpus, load_file};
use intertype_runtime::{Engine, ErrorKind, ExternRef, FuncType, Linker, Misbehavior, Type, Value};
use std::sync::{Arc, Mutex};

#[test]
fn article_greeting() {
    let engine = Engine::default();
    let module = load_file(&engine, "article/greeting.wat");
    let mut inst = Linker::new(&engine).instantiate(&module).unwrap();
    assert_eq!(
        inst.call("greeting", &[]).unwrap(),
        vec![Value::String("Hello, world!".into())]
    );
    // The adapted core export is hidden from the interface view ...
    assert!(inst.func("greeting_").is_none());
    // ... but stays reachable, as for an engine without interface types.
    assert_eq!(
        inst.call_core("greeting_", &[]).unwrap(),
        vec![Value::I32(16), Value::I32(13)]
    );
}

#[test]
fn article_greeting_param() {
    let engine = Engine::default();
    let module = load_file(&engine, "article/greeting-param.wat");
    let mut inst = Linker::new(&engine).instantiate(&module).unwrap();
    let out = inst
        .call("greeting", &[Value::String("Lin".into())])
        .unwrap();
    assert_eq!(out, vec![Value::String("Hello, Lin!".into())]);
    let typed = inst.typed_func::<(&str,), (String,)>("greeting").unwrap();
    assert_eq!(typed.call(&mut inst, ("wasm",)).unwrap().0, "Hello, wasm!");
    assert_eq!(typed.call(&mut inst, ("",)).unwrap().0, "Hello, !");
    assert_eq!(
        typed.call(&mut inst, ("日本語",)).unwrap().0,
        "Hello, 日本語!"
    );
}

#[test]
fn reference_a_greeting() {
    let engine = Engine::default();
    let mut inst = Linker::new(&engine)
        .instantiate(&load_file(&engine, "reference/a-greeting.wat"))
        .unwrap();
    assert_eq!(
        inst.call("greeting", &[]).unwrap(),
        vec![Value::String("Hello, world!".into())]
    );
}

#[test]
fn reference_b_string_param() {
    let engine = Engine::default();
    let mut inst = Linker::new(&engine)
        .instantiate(&load_file(&engine, "reference/b-string-param.wat"))
        .unwrap();
    let out = inst
        .call("byte_len", &[Value::String("héllo".into())])
        .unwrap();
    assert_eq!(out, vec![Value::U32(6)]);
    let f = inst.typed_func::<(&str,), (u32,)>("byte_len").unwrap();
    assert_eq!(f.call(&mut inst, ("",)).unwrap(), (0,));
}

#[test]
fn reference_c_import_implement() {
    let engine = Engine::default();
    let module = load_file(&engine, "reference/c-import-implement.wat");
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut linker = Linker::new(&engine);
    let sink = log.clone();
    linker.func_new(
        "",
        "log",
        FuncType::new([Type::String], []),
        move |args, _| {
            if let [Value::String(s)] = args {
                sink.lock().unwrap().push(s.clone());
            }
            Ok(())
        },
    );
    let mut inst = linker.instantiate(&module).unwrap();
    // `run` is a core export no adapter touches: it stays callable.
    assert_eq!(inst.call("run", &[]).unwrap(), vec![]);
    assert_eq!(*log.lock().unwrap(), vec!["hello from wasm".to_string()]);
}

#[test]
fn reference_c_missing_import_is_a_link_error() {
    let engine = Engine::default();
    let module = load_file(&engine, "reference/c-import-implement.wat");
    let err = Linker::new(&engine).instantiate(&module).err().unwrap();
    assert_eq!(err.kind(), ErrorKind::Link);
    assert!(err.to_string().contains("`` `log`"), "{err}");
    // Wrong type: also a link error.
    let mut linker = Linker::new(&engine);
    linker.func_new("", "log", FuncType::new([Type::U32], []), |_, _| Ok(()));
    let err = linker.instantiate(&module).err().unwrap();
    assert_eq!(err.kind(), ErrorKind::Link);
    // Trapping unknown imports: instantiation works, the call traps.
    let mut linker = Linker::new(&engine);
    linker.trap_unknown_imports(true);
    let mut inst = linker.instantiate(&module).unwrap();
    let err = inst.call("run", &[]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Trap);
    assert!(err.to_string().contains("unknown import"), "{err}");
}

#[test]
fn reference_d_int_conversions() {
    let engine = Engine::default();
    let mut inst = Linker::new(&engine)
        .instantiate(&load_file(&engine, "reference/d-int-conversions.wat"))
        .unwrap();
    let mut call = |name: &str, v: Value| inst.call(name, &[v]).map(|mut r| r.remove(0));
    use Value::*;
    assert_eq!(call("i32_to_s8", I32(0x1ff)).unwrap(), S8(-1));
    assert_eq!(call("i32_to_u8", I32(-1)).unwrap(), U8(255));
    assert_eq!(call("i32_to_s16", I32(0x18000)).unwrap(), S16(-32768));
    assert_eq!(call("i32_to_u16", I32(-1)).unwrap(), U16(65535));
    assert_eq!(call("i32_to_s32", I32(-5)).unwrap(), S32(-5));
    assert_eq!(call("i32_to_u32", I32(-1)).unwrap(), U32(u32::MAX));
    assert_eq!(call("i32_to_s64", I32(-1)).unwrap(), S64(-1));
    assert_eq!(call("i32_to_u64", I32(-1)).unwrap(), U64(u32::MAX as u64));
    assert_eq!(call("i32_to_s8x", I32(-128)).unwrap(), S8(-128));
    assert_eq!(call("i32_to_s16x", I32(32767)).unwrap(), S16(32767));
    assert_eq!(call("i64_to_s8", I64(0x180)).unwrap(), S8(-128));
    assert_eq!(call("i64_to_u8", I64(-1)).unwrap(), U8(255));
    assert_eq!(call("i64_to_s16", I64(-1)).unwrap(), S16(-1));
    assert_eq!(call("i64_to_u16", I64(0x1_0001)).unwrap(), U16(1));
    assert_eq!(call("i64_to_s32", I64(0x1_0000_0000)).unwrap(), S32(0));
    assert_eq!(
        call("i64_to_s32x", I64(i32::MIN as i64)).unwrap(),
        S32(i32::MIN)
    );
    assert_eq!(call("i64_to_u32", I64(-1)).unwrap(), U32(u32::MAX));
    assert_eq!(call("i64_to_s64", I64(i64::MIN)).unwrap(), S64(i64::MIN));
    assert_eq!(call("i64_to_u64", I64(-1)).unwrap(), U64(u64::MAX));
    assert_eq!(call("i64_to_s8x", I64(127)).unwrap(), S8(127));
    assert_eq!(call("i64_to_s16x", I64(-32768)).unwrap(), S16(-32768));
    assert_eq!(call("s8_to_i32", S8(-1)).unwrap(), I32(-1));
    assert_eq!(call("u8_to_i32", U8(255)).unwrap(), I32(255));
    assert_eq!(call("s16_to_i32", S16(-2)).unwrap(), I32(-2));
    assert_eq!(call("u16_to_i32", U16(65535)).unwrap(), I32(65535));
    assert_eq!(call("s32_to_i32", S32(7)).unwrap(), I32(7));
    assert_eq!(call("u32_to_i32", U32(u32::MAX)).unwrap(), I32(-1));
    assert_eq!(call("s64_to_i32", S64(0x1_0000_0005)).unwrap(), I32(5));
    assert_eq!(call("s64_to_i32x", S64(-7)).unwrap(), I32(-7));
    assert_eq!(call("u64_to_i32", U64(u64::MAX)).unwrap(), I32(-1));
    assert_eq!(call("u64_to_i32x", U64(u32::MAX as u64)).unwrap(), I32(-1));
    assert_eq!(call("s8_to_i64", S8(-1)).unwrap(), I64(-1));
    assert_eq!(call("u8_to_i64", U8(200)).unwrap(), I64(200));
    assert_eq!(call("s16_to_i64", S16(-1)).unwrap(), I64(-1));
    assert_eq!(call("u16_to_i64", U16(65535)).unwrap(), I64(65535));
    assert_eq!(call("s32_to_i64", S32(-1)).unwrap(), I64(-1));
    assert_eq!(
        call("u32_to_i64", U32(u32::MAX)).unwrap(),
        I64(u32::MAX as i64)
    );
    assert_eq!(call("s64_to_i64", S64(-9)).unwrap(), I64(-9));
    assert_eq!(call("u64_to_i64", U64(u64::MAX)).unwrap(), I64(-1));
}

#[test]
fn reference_d_checked_conversions_fail_typed() {
    let engine = Engine::default();
    let module = load_file(&engine, "reference/d-int-conversions.wat");
    let linker = Linker::new(&engine);
    for (name, arg, kind) in [
        (
            "i32_to_s8x",
            Value::I32(128),
            ErrorKind::Guest(Misbehavior::InvalidValue),
        ),
        (
            "i32_to_s16x",
            Value::I32(-40000),
            ErrorKind::Guest(Misbehavior::InvalidValue),
        ),
        (
            "i64_to_s32x",
            Value::I64(1 << 40),
            ErrorKind::Guest(Misbehavior::InvalidValue),
        ),
        ("s64_to_i32x", Value::S64(1 << 40), ErrorKind::HostType),
        ("u64_to_i32x", Value::U64(1 << 32), ErrorKind::HostType),
    ] {
        let mut inst = linker.instantiate(&module).unwrap();
        let err = inst.call(name, &[arg]).unwrap_err();
        assert_eq!(err.kind(), kind, "{name}: {err}");
        assert!(
            err.to_string().contains(name.replace('_', "-").as_str()),
            "{name}: {err}"
        );
    }
}

#[test]
fn reference_e_defer_free() {
    let engine = Engine::default();
    let mut inst = Linker::new(&engine)
        .instantiate(&load_file(&engine, "reference/e-defer-free.wat"))
        .unwrap();
    assert_eq!(
        inst.call("make", &[]).unwrap(),
        vec![Value::String("owned string".into())]
    );
}

#[test]
fn reference_f_externref_passes_through() {
    let engine = Engine::default();
    let module = load_file(&engine, "reference/f-externref.wat");
    let mut linker = Linker::new(&engine);
    let handle = ExternRef::new(String::from("host object"));
    let given = handle.clone();
    linker.func_new(
        "host",
        "get",
        FuncType::new([], [Type::Externref]),
        move |_, out| {
            out.push(Value::Externref(Some(given.clone())));
            Ok(())
        },
    );
    let mut inst = linker.instantiate(&module).unwrap();
    let out = inst
        .call("keep", &[Value::Externref(Some(handle.clone()))])
        .unwrap();
    match &out[..] {
        [Value::Externref(Some(r))] => {
            assert!(r.ptr_eq(&handle), "identity is preserved");
            assert_eq!(r.downcast_ref::<String>().unwrap(), "host object");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        inst.call("keep_anyref", &[Value::Externref(None)]).unwrap(),
        vec![Value::Externref(None)]
    );
    assert_eq!(inst.call("pump", &[]).unwrap(), vec![]);
    // Many calls do not accumulate GC roots.
    for _ in 0..1000 {
        inst.call("keep", &[Value::Externref(Some(handle.clone()))])
            .unwrap();
    }
}

#[test]
fn wasm_bindgen_markdown() {
    let engine = Engine::default();
    let bytes = std::fs::read(corpus("wasm-bindgen/markdown.wasm")).unwrap();
    let module = intertype_runtime::Module::new(&engine, &bytes).unwrap();
    let mut inst = Linker::new(&engine).instantiate(&module).unwrap();
    let names: Vec<&str> = module.exports().iter().map(|e| e.name.as_str()).collect();
    assert!(names.contains(&"render"), "{names:?}");
    let out = inst
        .call("render", &[Value::String("# hi".into())])
        .unwrap();
    assert_eq!(out, vec![Value::String("<h1>hi</h1>\n".into())]);
    let render = inst.typed_func::<(&str,), (String,)>("render").unwrap();
    let html = render
        .call(&mut inst, ("*emphasis* and **strong**\n\n- a\n- b",))
        .unwrap()
        .0;
    assert_eq!(html, "<p><em>emphasis</em> and <strong>strong</strong></p>\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n");
}

#[test]
fn host_type_errors_are_reported_before_wasm_runs() {
    let engine = Engine::default();
    let mut inst = Linker::new(&engine)
        .instantiate(&load_file(&engine, "article/greeting-param.wat"))
        .unwrap();
    let err = inst.call("greeting", &[Value::U32(1)]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::HostType);
    let err = inst.call("greeting", &[]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::HostType);
    assert!(inst.typed_func::<(u32,), (String,)>("greeting").is_err());
    assert!(!inst.is_poisoned());
    assert_eq!(
        inst.call("greeting", &[Value::String("ok".into())])
            .unwrap()
            .len(),
        1
    );
    assert_eq!(inst.call("nope", &[]).unwrap_err().kind(), ErrorKind::Usage);
}
