//! Byte-exact encodings, round trips and robustness of the reader and
//! writer. Error cases are data: `tests/errors/binary/`.

use super::writer::Encode;
use super::*;
use crate::core::CoreModule;
use crate::{
    Case, Conversion, Export, Field, Func, FuncType, Implement, Import, Instruction, MemArg,
    StringEncoding, TypeDef, ValType,
};
use std::collections::BTreeMap;

/// Where payloads sit in the pretend module, so offsets are checked to be
/// absolute.
const BASE: usize = 1000;

fn func(params: Vec<ValType>, results: Vec<ValType>) -> TypeDef {
    TypeDef::Func(FuncType { params, results })
}

/// The article's greeting: `() -> string`, core function 0, memory 0.
fn greeting() -> Booklet {
    Booklet {
        types: vec![func(vec![], vec![ValType::String])],
        funcs: vec![Func {
            ty: 0,
            instrs: vec![
                Instruction::CallCore(0),
                Instruction::MemoryToString {
                    mem: 0,
                    encoding: StringEncoding::Utf8,
                },
            ],
        }],
        exports: vec![Export {
            name: "greeting".into(),
            func: 0,
        }],
        ..Booklet::default()
    }
}

#[test]
fn greeting_bytes() {
    #[rustfmt::skip]
    let expected = [
        0x05, b'0', b'.', b'1', b'.', b'0', // version "0.1.0"
        0x00, 0x04,             // types subsection, 4 bytes
          0x01,                 // 1 type
            0x00,               // no params
            0x01, 0x0a,         // 1 result: string
        // (no imports subsection: empty subsections are omitted)
        0x02, 0x08,             // funcs subsection, 8 bytes
          0x01,                 // 1 func
            0x06,               // body size 6
            0x00,               // type 0
            0x01, 0x00,         // call-core 0
            0x03, 0x00,         // memory-to-string 0
            0x02,               // end
        0x03, 0x0b,             // exports subsection, 11 bytes
          0x01,                 // 1 export
            0x00,               // func 0 (index first)
            0x08, b'g', b'r', b'e', b'e', b't', b'i', b'n', b'g',
    ];
    assert_eq!(greeting().encode(), expected);
    assert_eq!(Booklet::decode(&expected, BASE).unwrap(), greeting());
}

/// The reference writer, driven through its own API, writes the same bytes.
#[test]
fn greeting_matches_wit_writer() {
    let mut w = wit_writer::Writer::new();
    w.types(1).add(0, |_| {}, 1, |t| t.string());
    {
        let mut funcs = w.funcs(1);
        let mut f = funcs.add(0);
        f.call_core(0);
        f.memory_to_string(0);
    }
    w.imports(0);
    w.exports(1).add("greeting", 0);
    w.implements(0);
    assert_eq!(greeting().encode(), w.into_payload());
}

/// A booklet touching every reference item, compared with `wit-writer`.
#[test]
fn reference_items_match_wit_writer() {
    let booklet = Booklet {
        types: vec![
            func(
                ValType::REFERENCE.to_vec(),
                vec![ValType::I64, ValType::F64],
            ),
            func(vec![ValType::String], vec![]),
        ],
        imports: vec![Import {
            module: "host".into(),
            name: "log".into(),
            ty: 1,
        }],
        funcs: vec![Func {
            ty: 0,
            instrs: vec![
                Instruction::ArgGet(200),
                Instruction::StringToMemory {
                    malloc: 300,
                    mem: 1,
                    encoding: StringEncoding::Utf8,
                },
                Instruction::CallAdapter(0),
                Instruction::DeferCallCore(7),
                Instruction::Convert(Conversion::U64ToI64),
            ],
        }],
        exports: vec![Export {
            name: "run".into(),
            func: 1,
        }],
        implements: vec![Implement {
            core_func: 3,
            adapter_func: 1,
        }],
        type_names: BTreeMap::new(),
        docs: BTreeMap::new(),
        param_names: BTreeMap::new(),
    };
    let mut w = wit_writer::Writer::new();
    {
        let mut types = w.types(2);
        types.add(
            14,
            |t| {
                t.s8();
                t.s16();
                t.s32();
                t.s64();
                t.u8();
                t.u16();
                t.u32();
                t.u64();
                t.f32();
                t.f64();
                t.string();
                t.externref();
                t.i32();
                t.i64();
            },
            2,
            |t| {
                t.i64();
                t.f64();
            },
        );
        types.add(1, |t| t.string(), 0, |_| {});
    }
    w.imports(1).add("host", "log", 1);
    {
        let mut funcs = w.funcs(1);
        let mut f = funcs.add(0);
        f.arg_get(200);
        f.string_to_memory(300, 1);
        f.call_adapter(0);
        f.defer_call_core(7);
        f.u64_to_i64();
    }
    w.exports(1).add("run", 1);
    w.implements(1).add(3, 1);
    let expected = w.into_payload();
    assert_eq!(booklet.encode(), expected);
    assert_eq!(Booklet::decode(&expected, 0).unwrap(), booklet);
}

fn reference_payload(module: &[u8]) -> Vec<u8> {
    let core = CoreModule::parse(module).unwrap();
    let [section] = core.interface_sections.as_slice() else {
        panic!("expected one interface section");
    };
    module[section.payload.clone()].to_vec()
}

/// Every reference case, written by `wit-text`, decodes and re-encodes to
/// the same bytes; so does the section wasm-bindgen wrote.
#[test]
fn reference_corpus_round_trips() {
    let cases = [
        include_str!("../../../../tests/corpus/reference/a-greeting.wat"),
        include_str!("../../../../tests/corpus/reference/b-string-param.wat"),
        include_str!("../../../../tests/corpus/reference/c-import-implement.wat"),
        include_str!("../../../../tests/corpus/reference/d-int-conversions.wat"),
        include_str!("../../../../tests/corpus/reference/e-defer-free.wat"),
        include_str!("../../../../tests/corpus/reference/f-externref.wat"),
    ];
    let mut modules: Vec<Vec<u8>> = cases
        .iter()
        .map(|wat| wit_text::parse_str(wat).unwrap())
        .collect();
    modules.push(include_bytes!("../../../../tests/corpus/wasm-bindgen/markdown.wasm").to_vec());
    for module in &modules {
        let payload = reference_payload(module);
        let booklet = Booklet::decode(&payload, 0).unwrap();
        assert!(booklet.is_reference_subset());
        assert_eq!(booklet.encode(), payload);
    }
}

/// A record type, a named type, a bool result and an extension opcode.
fn point() -> Booklet {
    let mut type_names = BTreeMap::new();
    type_names.insert(0, "point".to_string());
    Booklet {
        types: vec![
            TypeDef::Record(vec![
                Field {
                    name: "x".into(),
                    ty: ValType::S32,
                },
                Field {
                    name: "y".into(),
                    ty: ValType::S32,
                },
            ]),
            func(vec![ValType::Type(0)], vec![ValType::Bool]),
        ],
        funcs: vec![Func {
            ty: 1,
            instrs: vec![
                Instruction::ArgGet(0),
                Instruction::RecordLower(ValType::Type(0)),
                Instruction::CallCore(0),
                Instruction::Convert(Conversion::I32ToBool),
            ],
        }],
        exports: vec![Export {
            name: "f".into(),
            func: 0,
        }],
        type_names,
        ..Booklet::default()
    }
}

#[test]
fn extension_bytes() {
    #[rustfmt::skip]
    let expected = [
        0x0b, b'i', b'n', b't', b'e', b'r', b't', b'y', b'p', b'e', b'/', b'1',
        0x00, 0x0f,                 // types subsection, 15 bytes
          0x02,                     // 2 types
            0x41,                   // record
              0x02,                 // 2 fields
                0x01, b'x', 0x02,   // "x" s32
                0x01, b'y', 0x02,   // "y" s32
            0x40,                   // func
              0x01, 0x10, 0x00,     // params: (type 0)
              0x01, 0x0e,           // results: bool
        0x02, 0x0c,                 // funcs subsection, 12 bytes
          0x01,                     // 1 func
            0x0a,                   // body size 10
            0x01,                   // type 1
            0x00, 0x00,             // arg.get 0
            0x47, 0x10, 0x00,       // record.lower (type 0)
            0x01, 0x00,             // call-core 0
            0x40,                   // i32-to-bool
            0x02,                   // end
        0x03, 0x04,                 // exports subsection, 4 bytes
          0x01, 0x00, 0x01, b'f',   // func 0 as "f"
        0x05, 0x08,                 // type names subsection, 8 bytes
          0x01,                     // 1 name
            0x00,                   // type 0
            0x05, b'p', b'o', b'i', b'n', b't',
    ];
    assert_eq!(point().encode(), expected);
    assert_eq!(Booklet::decode(&expected, BASE).unwrap(), point());
}

#[test]
fn extension_instruction_bytes() {
    let cases: Vec<(Instruction, &[u8])> = vec![
        (
            Instruction::MemoryToString {
                mem: 1,
                encoding: StringEncoding::Utf16,
            },
            &[0x44, 0x01, 0x01], // opcode, enc utf16, mem 1
        ),
        (
            Instruction::StringToMemory {
                malloc: 5,
                mem: 0,
                encoding: StringEncoding::Latin1,
            },
            &[0x45, 0x05, 0x02, 0x00], // opcode, malloc 5, enc latin1, mem 0
        ),
        (
            Instruction::RecordLift(ValType::Type(3)),
            &[0x46, 0x10, 0x03],
        ),
        (
            Instruction::ValueLift {
                ty: ValType::Type(2),
                mem: MemArg::default(),
            },
            &[0x48, 0x10, 0x02, 0x00, 0x00], // valtype, enc utf8, mem 0
        ),
        (
            Instruction::ValueLower {
                ty: ValType::String,
                malloc: 4,
                mem: MemArg {
                    mem: 1,
                    encoding: StringEncoding::Utf16,
                },
            },
            &[0x49, 0x0a, 0x04, 0x01, 0x01], // valtype, malloc, enc, mem
        ),
        (
            Instruction::ValueLoad {
                ty: ValType::Char,
                mem: MemArg::default(),
            },
            &[0x4a, 0x0f, 0x00, 0x00],
        ),
        (
            Instruction::ValueStore {
                ty: ValType::Type(0x80),
                malloc: 1,
                mem: MemArg::default(),
            },
            &[0x4b, 0x10, 0x80, 0x01, 0x01, 0x00, 0x00], // type index 128 is 2 bytes
        ),
        (
            Instruction::ValueStoreNew {
                ty: ValType::Bool,
                malloc: 1,
                mem: MemArg::default(),
            },
            &[0x4c, 0x0e, 0x01, 0x00, 0x00],
        ),
        (Instruction::Convert(Conversion::CharToI32), &[0x43]),
    ];
    for (instr, bytes) in cases {
        let mut sink = Vec::new();
        instr.encode(&mut sink);
        assert_eq!(sink, bytes, "{instr:?}");
    }
}

/// A booklet with every type form, value type and instruction.
fn everything() -> Booklet {
    let mut instrs: Vec<Instruction> = Conversion::ALL
        .iter()
        .map(|c| Instruction::Convert(*c))
        .collect();
    let mem = MemArg {
        mem: 70000,
        encoding: StringEncoding::Latin1,
    };
    instrs.extend([
        Instruction::ArgGet(u32::MAX),
        Instruction::CallCore(128),
        Instruction::MemoryToString {
            mem: 0,
            encoding: StringEncoding::Utf8,
        },
        Instruction::MemoryToString {
            mem: 2,
            encoding: StringEncoding::Latin1,
        },
        Instruction::StringToMemory {
            malloc: 1,
            mem: 2,
            encoding: StringEncoding::Utf8,
        },
        Instruction::StringToMemory {
            malloc: 1,
            mem: 2,
            encoding: StringEncoding::Utf16,
        },
        Instruction::CallAdapter(0),
        Instruction::DeferCallCore(9),
        Instruction::RecordLift(ValType::Type(1)),
        Instruction::RecordLower(ValType::Type(8)),
        Instruction::ValueLift {
            ty: ValType::Type(2),
            mem,
        },
        Instruction::ValueLower {
            ty: ValType::Type(3),
            malloc: 6,
            mem,
        },
        Instruction::ValueLoad {
            ty: ValType::Type(4),
            mem: MemArg::default(),
        },
        Instruction::ValueStore {
            ty: ValType::Type(5),
            malloc: 6,
            mem,
        },
        Instruction::ValueStoreNew {
            ty: ValType::Type(6),
            malloc: 6,
            mem,
        },
    ]);
    let mut all_valtypes = ValType::REFERENCE.to_vec();
    all_valtypes.extend([ValType::Bool, ValType::Char, ValType::Type(1)]);
    let mut type_names = BTreeMap::new();
    type_names.insert(1, "r".to_string());
    type_names.insert(7, "ünïcode name".to_string());
    Booklet {
        types: vec![
            func(all_valtypes.clone(), all_valtypes.clone()),
            TypeDef::Record(vec![Field {
                name: "a".into(),
                ty: ValType::U8,
            }]),
            TypeDef::Variant(vec![
                Case {
                    name: "none".into(),
                    ty: None,
                },
                Case {
                    name: "some".into(),
                    ty: Some(ValType::Type(1)),
                },
            ]),
            TypeDef::Enum(vec!["a".into(), "b".into()]),
            TypeDef::Flags(vec![]),
            TypeDef::List(ValType::U8),
            TypeDef::Option(ValType::String),
            TypeDef::Result {
                ok: Some(ValType::S64),
                err: None,
            },
            TypeDef::Tuple(all_valtypes),
        ],
        imports: vec![Import {
            module: "".into(),
            name: "ñ".into(),
            ty: 0,
        }],
        funcs: vec![
            Func { ty: 0, instrs },
            Func {
                ty: 0,
                instrs: vec![],
            },
        ],
        exports: vec![
            Export {
                name: "x".into(),
                func: 1,
            },
            Export {
                name: "y".into(),
                func: 1,
            },
        ],
        implements: vec![Implement {
            core_func: u32::MAX,
            adapter_func: 2,
        }],
        type_names,
        docs: BTreeMap::from([(0, "The first adapter.\nSecond line.".to_string())]),
        // One name per parameter of type 0 (17 parameters): unnamed ones
        // are empty, and names are the booklet's data (any text).
        param_names: BTreeMap::from([(
            2,
            (0..17)
                .map(|i| match i {
                    0 => "first".to_string(),
                    16 => "the \"last\" one".to_string(),
                    _ => String::new(),
                })
                .collect(),
        )]),
    }
}

#[test]
fn everything_round_trips() {
    let b = everything();
    let bytes = b.encode();
    assert!(bytes.starts_with(b"\x0bintertype/1"));
    let decoded = Booklet::decode(&bytes, 0).unwrap();
    assert_eq!(decoded, b);
    assert_eq!(decoded.encode(), bytes);
}

#[test]
fn empty_booklet() {
    let bytes = Booklet::default().encode();
    assert_eq!(bytes, b"\x050.1.0");
    assert_eq!(Booklet::decode(&bytes, 0).unwrap(), Booklet::default());
}

// Error cases are files: `tests/errors/binary/*.hex` (see
// `tests/all/errors.rs`). What is left here reads back what decodes.

const EXT: &[u8] = b"\x0bintertype/1";

/// Parameter names decode to the booklet's map; unnamed ones are empty.
#[test]
fn param_names_decode() {
    // types: (func (param u8 u8)); funcs: one, body `end`; param names:
    // func 0: "a", "".
    let p = [
        EXT,
        &[0x00, 0x06, 0x01, 0x40, 0x02, 0x04, 0x04, 0x00],
        &[0x02, 0x04, 0x01, 0x02, 0x00, 0x02],
        &[0x08, 0x06, 0x01, 0x00, 0x02, 0x01, b'a', 0x00],
    ]
    .concat();
    let b = Booklet::decode(&p, 0).unwrap();
    assert_eq!(b.param_names[&0], ["a", ""]);
    assert_eq!((b.param_name(0, 0), b.param_name(0, 1)), (Some("a"), None));
    assert_eq!(Booklet::decode(&b.encode(), 0).unwrap(), b);
}

/// Type names decode to the booklet's map.
#[test]
fn type_names_decode() {
    // types: two empty enums; type names: 0 "a", 1 "b".
    let p = [
        EXT,
        &[0x00, 0x05, 0x02, 0x43, 0x00, 0x43, 0x00],
        &[0x05, 0x07, 0x02, 0x00, 0x01, b'a', 0x01, 0x01, b'b'],
    ]
    .concat();
    let b = Booklet::decode(&p, 0).unwrap();
    assert_eq!(b.type_names.get(&1).map(String::as_str), Some("b"));
}

/// Every prefix and every one-byte change of valid payloads is decoded
/// or rejected, never a panic; whatever decodes re-encodes and decodes to
/// the same booklet.
#[test]
fn mutations_never_panic() {
    for b in [greeting(), point(), everything()] {
        let bytes = b.encode();
        for len in 0..bytes.len() {
            let _ = Booklet::decode(&bytes[..len], BASE);
        }
        for i in 0..bytes.len() {
            for v in [0x00, 0x01, 0x02, 0x0e, 0x10, 0x40, 0x44, 0x7f, 0x80, 0xff] {
                let mut m = bytes.clone();
                m[i] = v;
                match Booklet::decode(&m, BASE) {
                    Ok(d) => assert_eq!(Booklet::decode(&d.encode(), 0).unwrap(), d),
                    Err(e) => assert!(e.offset().unwrap() >= BASE),
                }
            }
        }
    }
}
