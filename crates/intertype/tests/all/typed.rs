//! The typed adapter IR (`intertype::typed`): the stack effect validation
//! records for every instruction, checked against hand-worked examples and,
//! on the whole corpus, against the adapters' signatures.

use intertype::typed::typed;
use intertype::{Instruction, ValType};
use std::path::Path;

fn module(text: &str) -> intertype::Module {
    let bytes = intertype::parse_str(text, None).unwrap_or_else(|e| panic!("{e}"));
    intertype::Module::from_binary(&bytes).unwrap()
}

#[test]
fn greeting_stack_effects() {
    let m = module(
        r#"(module
          (memory (export "mem") 1)
          (func (export "malloc") (param i32) (result i32) i32.const 0)
          (func (export "greet_") (param i32 i32) (result i32 i32) local.get 0 local.get 1)
          (@interface func (export "greet") (param string) (result string)
            arg.get 0
            string-to-memory "mem" "malloc"
            call-export "greet_"
            memory-to-string "mem"))"#,
    );
    let t = typed(&m.booklet, &m.core).unwrap();
    let a = &t.adapters[0];
    assert_eq!(a.func, 0);
    let effects: Vec<(usize, Vec<ValType>, Vec<ValType>)> = a
        .instrs
        .iter()
        .map(|i| {
            (
                i.effect.height,
                i.effect.pops.to_vec(),
                i.effect.pushes.to_vec(),
            )
        })
        .collect();
    use ValType::{String as S, I32};
    assert_eq!(
        effects,
        vec![
            (0, vec![], vec![S]),
            (1, vec![S], vec![I32, I32]),
            (2, vec![I32, I32], vec![I32, I32]),
            (2, vec![I32, I32], vec![S]),
        ]
    );
    assert_eq!(a.stack_before(2), vec![I32, I32]);
    assert_eq!(a.stack_before(4), vec![S]);
    assert!(matches!(
        a.instrs[3].instr,
        Instruction::MemoryToString { .. }
    ));
    let facts = &t.types[&S];
    assert_eq!(facts.layout.map(|l| (l.size, l.align)), Some((8, 4)));
    assert_eq!(facts.flat.as_ref().map(Vec::len), Some(2));
}

#[test]
fn defer_pops_nothing_and_records_keep_their_index() {
    let m = module(
        r#"(module
          (memory (export "memory") 1)
          (func (export "free") (param i32 i32))
          (func (export "f_") (result i32 i32) i32.const 0 i32.const 0)
          (@interface type $p (record (field "x" s32) (field "y" s32)))
          (@interface func (export "f") (result $p)
            call-core "f_"
            defer-call-core "free"
            value.lift $p))"#,
    );
    let t = typed(&m.booklet, &m.core).unwrap();
    let a = &t.adapters[0];
    assert!(a.instrs[1].effect.pops.is_empty());
    assert_eq!(a.instrs[1].effect.height, 2);
    assert_eq!(&a.instrs[2].effect.pushes[..], &[ValType::Type(0)]);
    let facts = &t.types[&ValType::Type(0)];
    assert_eq!(facts.layout.map(|l| (l.size, l.align)), Some((8, 4)));
}

#[test]
fn corpus_stacks_end_in_the_results() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus");
    let mut checked = 0;
    for dir in ["article", "reference", "extension", "wasm-bindgen"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for e in entries {
            let path = e.unwrap().path();
            let Ok(bytes) = intertype::parse_file(&path) else {
                continue;
            };
            let Ok(m) = intertype::validate_module(&bytes) else {
                continue;
            };
            let t = typed(&m.booklet, &m.core).unwrap();
            assert_eq!(t.adapters.len(), m.booklet.funcs.len());
            for a in &t.adapters {
                let mut cx = intertype::layout::Layouts::new(&m.booklet.types);
                let end = a.stack_before(a.instrs.len());
                assert_eq!(end.len(), a.ty.results.len(), "{}", path.display());
                for (x, y) in end.iter().zip(&a.ty.results) {
                    assert!(cx.same_type(*x, *y), "{}", path.display());
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 10, "only {checked} adapters checked");
}

#[test]
fn equal_stack_effects_share_their_type_lists() {
    let calls = "call-core \"f_\" ".repeat(1000);
    let m = module(&format!(
        r#"(module
          (func (export "f_") (param i32 i32 i32) (result i32 i32 i32) local.get 0 local.get 1 local.get 2)
          (@interface func (export "f") (param i32 i32 i32) (result i32 i32 i32)
            arg.get 0 arg.get 1 arg.get 2 {calls}))"#
    ));
    let t = typed(&m.booklet, &m.core).unwrap();
    let a = &t.adapters[0];
    let first = &a.instrs[3].effect;
    for i in &a.instrs[4..] {
        assert!(std::sync::Arc::ptr_eq(&i.effect.pops, &first.pops));
        assert!(std::sync::Arc::ptr_eq(&i.effect.pushes, &first.pushes));
    }
    assert_eq!(first.pops.len(), 3);
}
