//! Stack-level records (`record.lift` / `record.lower`) meeting flat and
//! in-memory values on the other side, against the engine: results and the
//! importer's memory afterwards.

use crate::harness::{Linked, Unfused, IMAGE, MALLOC};
use intertype_runtime::Value;

fn pair() -> (Vec<u8>, Vec<u8>) {
    let a = format!(
        r#"(module
  (import "lib" "f1_" (func $f1_ (param i32 f64 i32 i32) (result i32 f64 i32 i32)))
  (import "lib" "f2_" (func $f2_ (param i32 f64 i32 i32) (result i32 f64 i32 i32)))
  (import "lib" "f3_" (func $f3_ (param i32 i32 f64 i32 i32)))
  (memory (export "memory") 4)
  {MALLOC}
  (data (i32.const 100) "h\c3\a9llo")
  (func (export "run1") (param i32 f64 i32 i32) (result i32 f64 i32 i32)
    local.get 0 local.get 1 local.get 2 local.get 3 call $f1_)
  (func (export "run2") (param i32 f64 i32 i32) (result i32 f64 i32 i32)
    local.get 0 local.get 1 local.get 2 local.get 3 call $f2_)
  (func (export "run3") (param i32 i32 f64 i32 i32)
    local.get 0 local.get 1 local.get 2 local.get 3 local.get 4 call $f3_)
  (func $dump_ (export "dump_") (result i32 i32) i32.const 0 i32.const {IMAGE})
  (@interface type $p (record (field "x" s32) (field "y" f64) (field "name" string)))
  (@interface type $q (record (field "a" i32) (field "b" f64) (field "c" string)))
  (@interface type $image (list u8))
  (@interface import "lib" "f1" (func $f1 (param $p) (result $p)))
  (@interface import "lib" "f2" (func $f2 (param $q) (result $q)))
  (@interface implement (import "lib" "f1_") (param i32 f64 i32 i32) (result i32 f64 i32 i32)
    arg.get 0 i32-to-s32 arg.get 1 arg.get 2 arg.get 3 memory-to-string
    record.lift $p
    call-adapter $f1
    value.lower $p $malloc)
  (@interface implement (import "lib" "f2_") (param i32 f64 i32 i32) (result i32 f64 i32 i32)
    arg.get 0 arg.get 1 arg.get 2 arg.get 3
    value.lift $q
    call-adapter $f2
    value.lower $q $malloc)
  (@interface implement (import "lib" "f3_") (param i32 i32 f64 i32 i32)
    arg.get 0
    arg.get 1 arg.get 2 arg.get 3 arg.get 4
    value.lift $q
    call-adapter $f2
    value.store $q $malloc)
  (@interface func (export "dump") (result $image)
    call-core $dump_
    value.lift $image))"#
    );
    let b = format!(
        r#"(module
  (memory (export "memory") 4)
  {MALLOC}
  (func $id4 (export "id4") (param i32 f64 i32 i32) (result i32 f64 i32 i32)
    local.get 0 local.get 1 local.get 2 local.get 3)
  (func $neg (export "neg") (param i32 f64 i32 i32) (result i32 f64 i32 i32)
    i32.const 0 local.get 0 i32.sub local.get 1 f64.neg local.get 2 local.get 3)
  (@interface type $p (record (field "x" s32) (field "y" f64) (field "name" string)))
  (@interface type $q (record (field "a" i32) (field "b" f64) (field "c" string)))
  (@interface func (export "f1") (param $p) (result $p)
    arg.get 0
    value.lower $p $malloc utf16
    call-core $neg
    value.lift $p utf16)
  (@interface func (export "f2") (param $q) (result $q)
    arg.get 0
    record.lower $q
    string-to-memory $malloc1
    call-core $neg
    memory-to-string
    record.lift $q))"#
    );
    let parse = |t: &str| intertype::parse_str(t, None).unwrap_or_else(|e| panic!("{e}\n{t}"));
    (parse(&a), parse(&b))
}

#[test]
fn stack_level_records_meet_flat_and_memory_values() {
    let (a, b) = pair();
    let mut unfused = Unfused::new_serving(&a, &b, &["f1", "f2"]);
    let mut linked = Linked::new(&a, &b);
    let start = unfused.image();
    linked.set_memory(0, &start);
    let calls: [(&str, Vec<Value>); 3] = [
        (
            "run1",
            vec![
                Value::I32(-7),
                Value::F64(2.5),
                Value::I32(100),
                Value::I32(6),
            ],
        ),
        (
            "run2",
            vec![
                Value::I32(41),
                Value::F64(-1.0),
                Value::I32(100),
                Value::I32(6),
            ],
        ),
        (
            "run3",
            vec![
                Value::I32(2048),
                Value::I32(9),
                Value::F64(0.5),
                Value::I32(100),
                Value::I32(6),
            ],
        ),
    ];
    for (name, args) in calls {
        let engine = unfused.a.call_core(name, &args).unwrap();
        let f = linked.a.get_func(&mut linked.store, name).unwrap();
        let wargs: Vec<wasmtime::Val> = args
            .iter()
            .map(|v| match v {
                Value::I32(x) => wasmtime::Val::I32(*x),
                Value::F64(x) => wasmtime::Val::F64(x.to_bits()),
                _ => unreachable!(),
            })
            .collect();
        let mut out = vec![wasmtime::Val::I32(0); engine.len()];
        f.call(&mut linked.store, &wargs, &mut out).unwrap();
        let fused: Vec<Value> = out
            .iter()
            .map(|v| match v {
                wasmtime::Val::I32(x) => Value::I32(*x),
                wasmtime::Val::F64(x) => Value::F64(f64::from_bits(*x)),
                v => panic!("{v:?}"),
            })
            .collect();
        assert_eq!(fused, engine, "{name}");
        assert!(
            linked.memory(0) == unfused.image(),
            "{name}: importer memory differs"
        );
    }
    // The negation and the string made it through.
    let image = linked.memory(0);
    let at = 2048;
    let neg = i32::from_le_bytes(image[at..at + 4].try_into().unwrap());
    assert_eq!(neg, -9);
    let (p, l) = (
        u32::from_le_bytes(image[at + 16..at + 20].try_into().unwrap()) as usize,
        u32::from_le_bytes(image[at + 20..at + 24].try_into().unwrap()) as usize,
    );
    assert_eq!(&image[p..p + l], "héllo".as_bytes());
}

#[test]
fn externrefs_pass_through_untouched() {
    let a = intertype::parse_str(
        r#"(module
  (import "lib" "id_" (func $id_ (param externref i32) (result externref)))
  (memory (export "memory") 1)
  (func (export "run") (param externref i32) (result externref)
    local.get 0 local.get 1 call $id_)
  (@interface import "lib" "id" (func $id (param externref u8) (result externref)))
  (@interface implement (import "lib" "id_") (param externref i32) (result externref)
    arg.get 0 arg.get 1 i32-to-u8 call-adapter $id))"#,
        None,
    )
    .unwrap();
    let b = intertype::parse_str(
        r#"(module (memory (export "memory") 1)
  (func $id_ (export "id_") (param externref i32) (result externref) local.get 0)
  (@interface func (export "id") (param externref u8) (result externref)
    arg.get 0 arg.get 1 u8-to-i32 call-core $id_))"#,
        None,
    )
    .unwrap();
    let mut l = Linked::new(&a, &b);
    let r = wasmtime::ExternRef::new(&mut l.store, 42u32).unwrap();
    let f = l.a.get_func(&mut l.store, "run").unwrap();
    let mut out = [wasmtime::Val::I32(0)];
    f.call(
        &mut l.store,
        &[wasmtime::Val::ExternRef(Some(r)), wasmtime::Val::I32(300)],
        &mut out,
    )
    .unwrap();
    let wasmtime::Val::ExternRef(Some(back)) = &out[0] else {
        panic!("{:?}", out[0]);
    };
    let data = back.data(&l.store).unwrap().unwrap();
    assert_eq!(data.downcast_ref::<u32>(), Some(&42));
}
