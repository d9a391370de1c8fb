//! Echoes a value of every supported WIT type back, through the canonical
//! ABI (memory for strings and lists, a return area for wide results,
//! parameters through memory for `sum-many`'s 17 flat values).

wit_bindgen::generate!({
    world: "every",
    path: "wit/every.wit",
});

struct Every;

impl Guest for Every {
    fn echo_point(p: Point) -> Point {
        p
    }
    fn echo_shape(s: Shape) -> Shape {
        s
    }
    fn echo_color(c: Color) -> Color {
        c
    }
    fn echo_perms(p: Perms) -> Perms {
        p
    }
    fn echo_strings(l: Vec<String>) -> Vec<String> {
        l
    }
    fn echo_bytes(b: Vec<u8>) -> Vec<u8> {
        b
    }
    fn echo_option(o: Option<u64>) -> Option<u64> {
        o
    }
    fn echo_result(r: Result<String, u8>) -> Result<String, u8> {
        r
    }
    fn echo_tuple(t: (bool, char, i8, u16, i64, f32)) -> (bool, char, i8, u16, i64, f32) {
        t
    }
    #[allow(clippy::too_many_arguments)]
    fn sum_many(
        a: u32, b: u32, c: u32, d: u32, e: u32, f: u32, g: u32, h: u32, i: u32, j: u32,
        k: u32, l: u32, m: u32, n: u32, o: u32, p: u32, q: u64,
    ) -> u64 {
        [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p]
            .iter()
            .map(|&x| x as u64)
            .sum::<u64>()
            + q
    }
    fn nothing() {}
}

export!(Every);
