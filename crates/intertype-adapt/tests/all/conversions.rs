//! Every scalar conversion, on both sides of a link, at boundary values:
//! the fused function and the engine's unfused path agree on the result or
//! both refuse the value.

use crate::harness::{Linked, Unfused};
use intertype::{Conversion, ValType};
use intertype_runtime::Value;

/// For each interface type: the combinations `(A lifts with, A lowers
/// with, B lowers with, B lifts with)` of conversions through that type.
fn combos(t: ValType) -> Vec<[Conversion; 4]> {
    let all = Conversion::ALL;
    let lifts = |w: ValType| {
        all.iter()
            .copied()
            .filter(move |c| c.from() == w && c.to() == t)
    };
    let lowers = |w: ValType| {
        all.iter()
            .copied()
            .filter(move |c| c.from() == t && c.to() == w)
    };
    let mut out = Vec::new();
    for wa in [ValType::I32, ValType::I64] {
        for a_lift in lifts(wa) {
            for a_lower in lowers(wa) {
                for wb in [ValType::I32, ValType::I64] {
                    for b_lower in lowers(wb) {
                        for b_lift in lifts(wb) {
                            out.push([a_lift, a_lower, b_lower, b_lift]);
                        }
                    }
                }
            }
        }
    }
    out
}

fn pair(t: ValType, combos: &[[Conversion; 4]]) -> (Vec<u8>, Vec<u8>) {
    let (mut a, mut b) = (String::new(), String::new());
    for (k, [a_lift, a_lower, b_lower, b_lift]) in combos.iter().enumerate() {
        let wa = a_lift.from();
        let wb = b_lower.to();
        a += &format!(
            r#"
  (import "lib" "f{k}_" (func $f{k}_ (param {wa}) (result {wa})))
  (func (export "run{k}") (param {wa}) (result {wa}) local.get 0 call $f{k}_)
  (@interface import "lib" "f{k}" (func $f{k} (param {t}) (result {t})))
  (@interface implement (import "lib" "f{k}_") (param {wa}) (result {wa})
    arg.get 0 {a_lift} call-adapter $f{k} {a_lower})"#
        );
        b += &format!(
            r#"
  (@interface func (export "f{k}") (param {t}) (result {t})
    arg.get 0 {b_lower} call-core $id_{wb} {b_lift})"#
        );
    }
    // Core imports come first in a module's text.
    let (imports, rest): (Vec<&str>, Vec<&str>) = a
        .lines()
        .partition(|l| l.trim_start().starts_with("(import"));
    let a = format!(
        "(module {}\n (memory (export \"memory\") 1) {})",
        imports.join("\n"),
        rest.join("\n")
    );
    let b = format!(
        r#"(module (memory (export "memory") 1)
  (func $id_i32 (export "id_i32") (param i32) (result i32) local.get 0)
  (func $id_i64 (export "id_i64") (param i64) (result i64) local.get 0)
  {b})"#
    );
    let parse = |t: &str| intertype::parse_str(t, None).unwrap_or_else(|e| panic!("{e}\n{t}"));
    (parse(&a), parse(&b))
}

const VALUES: &[i64] = &[
    0,
    1,
    -1,
    127,
    128,
    -128,
    -129,
    255,
    256,
    32767,
    32768,
    -32768,
    -32769,
    65535,
    65536,
    0x7fff_ffff,
    -0x8000_0000,
    0xffff_ffff,
    0x1_0000_0000,
    0xd800,
    0xdfff,
    0x10_ffff,
    0x11_0000,
    i64::MAX,
    i64::MIN,
];

#[test]
fn every_conversion_agrees_with_the_engine() {
    use ValType::*;
    let mut checked = 0;
    for t in [S8, U8, S16, U16, S32, U32, S64, U64, Bool, Char] {
        let combos = combos(t);
        assert!(!combos.is_empty(), "{t}");
        let (a, b) = pair(t, &combos);
        let mut linked = Linked::new(&a, &b);
        let names: Vec<&'static str> = (0..combos.len())
            .map(|k| &*Box::leak(format!("f{k}").into_boxed_str()))
            .collect();
        let mut unfused = Unfused::new_serving(&a, &b, &names);
        for (k, c) in combos.iter().enumerate() {
            let wide = c[0].from() == I64;
            for &x in VALUES {
                let arg = if wide {
                    Value::I64(x)
                } else {
                    Value::I32(x as i32)
                };
                let engine = unfused.a.call_core(&format!("run{k}"), &[arg]);
                let f = linked
                    .a
                    .get_func(&mut linked.store, &format!("run{k}"))
                    .unwrap();
                let mut out = [wasmtime::Val::I32(0)];
                let arg = if wide {
                    wasmtime::Val::I64(x)
                } else {
                    wasmtime::Val::I32(x as i32)
                };
                let fused = f.call(&mut linked.store, &[arg], &mut out);
                match (&engine, &fused) {
                    (Ok(e), Ok(())) => {
                        let got = match out[0] {
                            wasmtime::Val::I32(v) => Value::I32(v),
                            wasmtime::Val::I64(v) => Value::I64(v),
                            ref v => panic!("{v:?}"),
                        };
                        assert_eq!(e[0], got, "{t} via {c:?} on {x:#x}");
                    }
                    (Err(e), Err(_)) => {
                        use intertype_adapt::FaultKind as F;
                        use intertype_runtime::ErrorKind as E;
                        let want = match e.kind() {
                            E::Guest(intertype_runtime::Misbehavior::InvalidValue) => {
                                F::InvalidValue
                            }
                            E::HostType => F::Unrepresentable,
                            _ => panic!("{t} via {c:?} on {x:#x}: {e}"),
                        };
                        let g = linked
                            .adapter
                            .get_global(&mut linked.store, intertype_adapt::TRAP_CODE_GLOBAL)
                            .unwrap();
                        let code = g.get(&mut linked.store).i32().unwrap() as u32;
                        let fault = intertype_adapt::Fault::from_code(code);
                        assert_eq!(fault.map(|f| f.kind), Some(want), "{t} via {c:?} on {x:#x}");
                        g.set(&mut linked.store, wasmtime::Val::I32(0)).unwrap();
                        unfused.a.clear_poison();
                        unfused.b.lock().unwrap().clear_poison();
                    }
                    _ => panic!("{t} via {c:?} on {x:#x}: engine {engine:?}, fused {fused:?}"),
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 1000, "{checked}");
}
