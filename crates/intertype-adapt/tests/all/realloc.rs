//! An exporter whose allocator has the four-parameter `cabi_realloc` form
//! (`old_ptr, old_size, align, new_size`, as wit-bindgen guests export it):
//! the fused function calls it as `(0, 0, align, size)`.

use crate::harness::{echo_exporter_with, echo_importer_with, Linked, MALLOC};

/// `$malloc` in the `cabi_realloc` form: refuses a reallocation, records
/// the alignment asked for (global `aligns`, OR of every alignment) and
/// bump-allocates like the fixtures' allocator.
const REALLOC: &str = r#"
  (data (i32.const 0) "\40\00\00\00")
  (global $aligns (export "aligns") (mut i32) (i32.const 0))
  (func $malloc (export "cabi_realloc")
        (param $old i32) (param $old_size i32) (param $align i32) (param $size i32) (result i32)
    (local $p i32)
    (if (i32.or (local.get $old) (local.get $old_size)) (then unreachable))
    (global.set $aligns (i32.or (global.get $aligns) (local.get $align)))
    (local.set $p
      (i32.and
        (i32.add (i32.load (i32.const 0)) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
    (i32.store (i32.const 0) (i32.add (local.get $p) (local.get $size)))
    (local.get $p))
"#;

/// Stores `(ptr, len)` at 3008 with the payload at 3000 + 64 in A, runs the
/// echo and returns the result's payload bytes.
fn echo(l: &mut Linked, payload: &[u8], len: i32) -> Vec<u8> {
    let mut image = l.memory(0);
    image[3064..3064 + payload.len()].copy_from_slice(payload);
    image[3008..3012].copy_from_slice(&3064i32.to_le_bytes());
    image[3012..3016].copy_from_slice(&len.to_le_bytes());
    l.set_memory(0, &image);
    let r = l
        .call("run", &[3008])
        .unwrap_or_else(|f| panic!("trapped: {f:?}"));
    let at = r[0].unwrap_i32() as usize;
    let image = l.memory(0);
    let p = i32::from_le_bytes(image[at..at + 4].try_into().unwrap()) as usize;
    let n = payload.len();
    image[p..p + n].to_vec()
}

#[test]
fn a_cabi_realloc_allocator_is_called_with_zero_old_block_and_the_alignment() {
    // A string (its bytes: alignment 1; its (ptr, len) pair: 4) and a list
    // of u32 (both 4).
    for (ty, payload, len, align) in [
        (
            "string",
            "Zoë ✓".as_bytes().to_vec(),
            "Zoë ✓".len() as i32,
            1 | 4,
        ),
        (
            "(list u32)",
            [7u32, 0, u32::MAX]
                .iter()
                .flat_map(|x| x.to_le_bytes())
                .collect(),
            3,
            4,
        ),
    ] {
        let a = echo_importer_with("", ty, "utf8", MALLOC);
        let b = echo_exporter_with("", ty, "utf8", None, REALLOC);
        let mut l = Linked::new(&a, &b);
        assert_eq!(echo(&mut l, &payload, len), payload, "{ty}");
        assert_eq!(l.global(1, "aligns"), align, "{ty}");
    }
}
