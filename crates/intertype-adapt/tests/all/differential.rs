//! Fused vs unfused on generated values of every type: the importer's
//! memory after a fused call (adapter module, plain wasmtime) must be byte
//! for byte what it is after the engine's unfused call (host values, B
//! served as a host function), and the value must come back unchanged.

use crate::harness::{echo_exporter, echo_importer, flat_exporter, Linked, Unfused};
use intertype_runtime::Value;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// A test type: written out as WAT type definitions and generated as
/// values.
#[derive(Clone, Debug)]
pub enum T {
    Bool,
    S8,
    U8,
    S16,
    U16,
    S32,
    U32,
    S64,
    U64,
    F32,
    F64,
    Char,
    Str,
    List(Box<T>),
    Record(Vec<T>),
    Tuple(Vec<T>),
    Variant(Vec<Option<T>>),
    Enum(u32),
    Option(Box<T>),
    Result(Option<Box<T>>, Option<Box<T>>),
    Flags(u32),
}

/// The WAT spelling of `t`, defining compound types in `defs`.
pub fn wat(t: &T, defs: &mut Vec<String>) -> String {
    let prim = match t {
        T::Bool => "bool",
        T::S8 => "s8",
        T::U8 => "u8",
        T::S16 => "s16",
        T::U16 => "u16",
        T::S32 => "s32",
        T::U32 => "u32",
        T::S64 => "s64",
        T::U64 => "u64",
        T::F32 => "f32",
        T::F64 => "f64",
        T::Char => "char",
        T::Str => "string",
        _ => "",
    };
    if !prim.is_empty() {
        return prim.to_string();
    }
    let def = match t {
        T::List(e) => format!("(list {})", wat(e, defs)),
        T::Record(fs) => {
            let fields: Vec<String> = fs
                .iter()
                .enumerate()
                .map(|(i, f)| format!("(field \"f{i}\" {})", wat(f, defs)))
                .collect();
            format!("(record {})", fields.join(" "))
        }
        T::Tuple(ts) => {
            let ts: Vec<String> = ts.iter().map(|t| wat(t, defs)).collect();
            format!("(tuple {})", ts.join(" "))
        }
        T::Variant(cs) => {
            let cases: Vec<String> = cs
                .iter()
                .enumerate()
                .map(|(i, c)| match c {
                    Some(t) => format!("(case \"c{i}\" {})", wat(t, defs)),
                    None => format!("(case \"c{i}\")"),
                })
                .collect();
            format!("(variant {})", cases.join(" "))
        }
        T::Enum(n) => {
            let names: Vec<String> = (0..*n).map(|i| format!("\"e{i}\"")).collect();
            format!("(enum {})", names.join(" "))
        }
        T::Option(t) => format!("(option {})", wat(t, defs)),
        T::Result(ok, err) => {
            let ok = ok.as_ref().map(|t| wat(t, defs)).unwrap_or_default();
            let err = err
                .as_ref()
                .map(|t| format!("(error {})", wat(t, defs)))
                .unwrap_or_default();
            format!("(result {ok} {err})")
        }
        T::Flags(n) => {
            let names: Vec<String> = (0..*n).map(|i| format!("\"g{i}\"")).collect();
            format!("(flags {})", names.join(" "))
        }
        _ => unreachable!(),
    };
    let name = format!("$t{}", defs.len());
    defs.push(format!("(@interface type {name} {def})"));
    name
}

/// Values of `t`; strings limited to Latin-1 when `latin1`.
pub fn values(t: &T, latin1: bool) -> BoxedStrategy<Value> {
    let string = if latin1 {
        proptest::collection::vec(0u8..=255, 0..12)
            .prop_map(|b| b.into_iter().map(char::from).collect::<String>())
            .boxed()
    } else {
        ".{0,12}".boxed()
    };
    match t {
        T::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        T::S8 => any::<i8>().prop_map(Value::S8).boxed(),
        T::U8 => any::<u8>().prop_map(Value::U8).boxed(),
        T::S16 => any::<i16>().prop_map(Value::S16).boxed(),
        T::U16 => any::<u16>().prop_map(Value::U16).boxed(),
        T::S32 => any::<i32>().prop_map(Value::S32).boxed(),
        T::U32 => any::<u32>().prop_map(Value::U32).boxed(),
        T::S64 => any::<i64>().prop_map(Value::S64).boxed(),
        T::U64 => any::<u64>().prop_map(Value::U64).boxed(),
        T::F32 => (-1e9f32..1e9).prop_map(Value::F32).boxed(),
        T::F64 => (-1e300f64..1e300).prop_map(Value::F64).boxed(),
        T::Char => any::<char>().prop_map(Value::Char).boxed(),
        T::Str => string.prop_map(Value::String).boxed(),
        T::List(e) => {
            if matches!(**e, T::U8) {
                proptest::collection::vec(any::<u8>(), 0..40)
                    .prop_map(Value::Bytes)
                    .boxed()
            } else {
                proptest::collection::vec(values(e, latin1), 0..5)
                    .prop_map(Value::List)
                    .boxed()
            }
        }
        T::Record(fs) => fields(fs, latin1).prop_map(Value::Record).boxed(),
        T::Tuple(ts) => fields(ts, latin1).prop_map(Value::Tuple).boxed(),
        T::Variant(cs) => {
            let cases: Vec<BoxedStrategy<Value>> = cs
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let i = i as u32;
                    match c {
                        Some(t) => values(t, latin1)
                            .prop_map(move |v| Value::Variant(i, Some(Box::new(v))))
                            .boxed(),
                        None => Just(Value::Variant(i, None)).boxed(),
                    }
                })
                .collect();
            proptest::strategy::Union::new(cases).boxed()
        }
        T::Enum(n) => (0..*n).prop_map(Value::Enum).boxed(),
        T::Option(t) => proptest::option::of(values(t, latin1).prop_map(Box::new))
            .prop_map(Value::Option)
            .boxed(),
        T::Result(ok, err) => {
            let side = |t: &Option<Box<T>>| match t {
                Some(t) => values(t, latin1).prop_map(|v| Some(Box::new(v))).boxed(),
                None => Just(None).boxed(),
            };
            prop_oneof![
                side(ok).prop_map(|v| Value::Result(Ok(v))),
                side(err).prop_map(|v| Value::Result(Err(v))),
            ]
            .boxed()
        }
        T::Flags(n) => {
            let n = *n;
            let words = n.div_ceil(32) as usize;
            proptest::collection::vec(any::<u32>(), words)
                .prop_map(move |mut ws| {
                    if n % 32 != 0 {
                        if let Some(last) = ws.last_mut() {
                            *last &= (1u32 << (n % 32)) - 1;
                        }
                    }
                    Value::Flags(ws)
                })
                .boxed()
        }
    }
}

fn fields(ts: &[T], latin1: bool) -> BoxedStrategy<Vec<Value>> {
    let mut acc: BoxedStrategy<Vec<Value>> = Just(Vec::new()).boxed();
    for t in ts {
        acc = (acc, values(t, latin1))
            .prop_map(|(mut vs, v)| {
                vs.push(v);
                vs
            })
            .boxed();
    }
    acc
}

/// Every type the differential test runs, with the encodings of A and B.
pub fn cases() -> Vec<(&'static str, T, &'static str, &'static str)> {
    use T::*;
    let b = Box::new;
    let person = Record(vec![
        Str,
        List(b(Str)),
        Option(b(Tuple(vec![F64, F64]))),
        Enum(3),
    ]);
    vec![
        (
            "scalars",
            Record(vec![
                Bool, S8, U8, S16, U16, S32, U32, S64, U64, F32, F64, Char,
            ]),
            "utf8",
            "utf8",
        ),
        ("string", Str, "utf8", "utf8"),
        ("string utf8 to utf16", Str, "utf8", "utf16"),
        ("string utf16 to utf8", Str, "utf16", "utf8"),
        ("string utf16 both", Str, "utf16", "utf16"),
        ("string latin1 to utf8", Str, "latin1", "utf8"),
        ("string utf8 to latin1", Str, "utf8", "latin1"),
        ("string latin1 to utf16", Str, "latin1", "utf16"),
        ("string utf16 to latin1", Str, "utf16", "latin1"),
        ("string latin1 both", Str, "latin1", "latin1"),
        ("bytes", List(b(U8)), "utf8", "utf8"),
        (
            "numbers",
            List(b(Record(vec![U32, F64, S16]))),
            "utf8",
            "utf8",
        ),
        ("strings", List(b(Str)), "utf8", "utf16"),
        (
            "chars and bools",
            List(b(Tuple(vec![Char, Bool]))),
            "utf8",
            "utf8",
        ),
        (
            "variant",
            Variant(vec![
                Some(F32),
                Some(F64),
                Some(S64),
                Some(Str),
                None,
                Some(U8),
            ]),
            "utf8",
            "utf16",
        ),
        ("option", Option(b(Str)), "utf16", "utf8"),
        (
            "result",
            Result(Some(b(Str)), Some(b(Enum(4)))),
            "utf8",
            "utf8",
        ),
        ("result empty", Result(None, None), "utf8", "utf8"),
        ("enum", Enum(300), "utf8", "utf8"),
        ("flags", Flags(5), "utf8", "utf8"),
        ("many flags", Flags(40), "utf8", "utf8"),
        ("nested", List(b(person)), "utf8", "utf16"),
        (
            "deep",
            Option(b(Result(Some(b(List(b(Option(b(Char)))))), Some(b(Str))))),
            "utf16",
            "utf8",
        ),
    ]
}

#[test]
fn fused_equals_unfused_on_every_type_through_memory() {
    differential(false);
}

#[test]
fn fused_equals_unfused_on_every_type_through_flat_values() {
    differential(true);
}

/// Runs every case; the exporter keeps the value in memory (and frees it
/// with a deferred call) or passes it through its core code in flat form.
fn differential(flat: bool) {
    for (name, t, a_enc, b_enc) in cases() {
        let pair = Pair::new(&t, a_enc, b_enc, flat);
        let latin1 = a_enc == "latin1" || b_enc == "latin1";
        let mut runner = TestRunner::new(Config {
            cases: 24,
            failure_persistence: None,
            ..Config::default()
        });
        let r = runner.run(&values(&t, latin1), |v| pair.check(name, v));
        if let Err(e) = r {
            panic!("{name}: {e}");
        }
    }
}

/// Strings and byte lists of every length from 0 to 70 bytes (the fused
/// copy's inline widths and both sides of its switch to `memory.copy`),
/// ASCII and not: fused equals unfused.
#[test]
fn fused_equals_unfused_at_every_short_length() {
    use T::{List, Str, U8};
    for (name, t, a_enc, b_enc) in [
        ("string", Str, "utf8", "utf8"),
        ("string utf16 both", Str, "utf16", "utf16"),
        ("bytes", List(Box::new(U8)), "utf8", "utf8"),
    ] {
        let pair = Pair::new(&t, a_enc, b_enc, false);
        for n in 0..=70usize {
            let ascii: String = (0..n).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
            // Two-byte characters, one ASCII byte to make the length `n`.
            let mut wide: String = "é".repeat(n / 2);
            if n % 2 == 1 {
                wide.push('z');
            }
            let values = match t {
                Str => vec![Value::String(ascii), Value::String(wide)],
                _ => vec![Value::Bytes((0..n).map(|i| (i * 37) as u8).collect())],
            };
            for v in values {
                if let Err(e) = pair.check(name, v) {
                    panic!("{name}, {n} bytes: {e}");
                }
            }
        }
    }
}

/// One case's importer and exporter, unfused (the engine, host values) and
/// fused (the adapter module).
struct Pair {
    unfused: std::cell::RefCell<Unfused>,
    linked: std::cell::RefCell<Linked>,
    b_fresh: Vec<u8>,
    flat: bool,
}

impl Pair {
    fn new(t: &T, a_enc: &str, b_enc: &str, flat: bool) -> Pair {
        let mut defs = Vec::new();
        let ty = wat(t, &mut defs);
        let defs = defs.join("\n  ");
        let a = echo_importer(&defs, &ty, a_enc);
        let b = if flat {
            flat_exporter(&defs, &ty, b_enc)
        } else {
            echo_exporter(&defs, &ty, b_enc, None)
        };
        let unfused = std::cell::RefCell::new(Unfused::new(&a, &b));
        let linked = std::cell::RefCell::new(Linked::new(&a, &b));
        let b_fresh = linked.borrow_mut().memory(1);
        Pair {
            unfused,
            linked,
            b_fresh,
            flat,
        }
    }

    /// Echoes `v` both ways: the value comes back, the importer's memory
    /// is the same byte for byte, the deferred free ran once.
    fn check(&self, name: &str, v: Value) -> Result<(), TestCaseError> {
        let flat = self.flat;
        let mut unfused = self.unfused.borrow_mut();
        let mut linked = self.linked.borrow_mut();
        let p = match unfused.a.call("put", std::slice::from_ref(&v)).unwrap()[..] {
            [Value::I32(p)] => p,
            ref other => panic!("put returned {other:?}"),
        };
        let before = unfused.image();
        let q = match unfused.a.call_core("run", &[Value::I32(p)]) {
            Ok(r) => r,
            Err(e) => panic!("{name}: unfused call failed on {v:?}: {e}"),
        };
        let after = unfused.image();
        let back = unfused.a.call("get", &[q[0].clone()]).unwrap();
        prop_assert_eq!(&back[0], &v, "{}: the unfused echo changed the value", name);

        linked.set_memory(0, &before);
        linked.set_memory(1, &self.b_fresh);
        let frees = linked.global(1, "frees");
        let fused = linked
            .call("run", &[p])
            .unwrap_or_else(|f| panic!("{name}: fused call trapped on {v:?}: {f:?}"));
        prop_assert_eq!(
            fused[0].i32(),
            Some(match q[0] {
                Value::I32(q) => q,
                _ => unreachable!(),
            })
        );
        let image = linked.memory(0);
        if let Some(at) = image.iter().zip(&after).position(|(x, y)| x != y) {
            let end = (at + 16).min(image.len());
            prop_assert!(
                false,
                "{}: importer memory differs at {:#x} for {:?}: fused {:02x?}, unfused {:02x?}",
                name,
                at,
                v,
                &image[at..end],
                &after[at..end]
            );
        }
        let freed = if flat { 0 } else { 1 };
        prop_assert_eq!(linked.global(1, "frees"), frees + freed, "{}: frees", name);
        Ok(())
    }
}
