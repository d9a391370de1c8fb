//! `bindgen!`: typed bindings generated from a booklet at compile time, on
//! the extension corpus's `shapes.wat` (records, variants, enums, flags,
//! options, results, lists, a host import taking a record).

use intertype_runtime::{Caller, Engine, Error, Linker, Module};

mod shapes {
    intertype_runtime::bindgen!("../../tests/corpus/extension/shapes.wat");
}

use shapes::{Color, Perms, Point, Shape, Shapes, ShapesImports};

#[derive(Default)]
struct Seen {
    points: Vec<Point>,
}

impl ShapesImports for Seen {
    fn log_point(caller: &mut Caller<'_, Self>, p: Point) -> Result<(), Error> {
        caller.data_mut().points.push(p);
        Ok(())
    }
}

fn shapes() -> Shapes<Seen> {
    let engine = Engine::default();
    let module = Module::from_file(&engine, Shapes::<Seen>::PATH.as_ref()).unwrap();
    let mut linker = Linker::<Seen>::with_data_type(&engine);
    Shapes::add_to_linker(&mut linker);
    Shapes::instantiate(&linker, &module, Seen::default()).unwrap()
}

#[test]
fn generated_methods_and_types() {
    let mut s = shapes();
    assert_eq!(s.flip(&Point { x: 1, y: 2 }).unwrap(), Point { x: 2, y: 1 });
    assert_eq!(s.origin().unwrap(), Point { x: 3, y: 4 });
    assert_eq!(s.reverse(b"abc").unwrap(), b"cba");
    assert_eq!(s.checked_div(7, 2).unwrap(), Ok(3));
    assert_eq!(
        s.checked_div(7, 0).unwrap(),
        Err("division by zero".to_string())
    );
    assert_eq!(s.area(&Shape::Rect(Point { x: 2, y: 3 })).unwrap(), 6.0);
    assert_eq!(s.area(&Shape::Dot).unwrap(), 0.0);
    assert_eq!(s.next_color(&Color::Blue).unwrap(), Color::Red);
    let perms = Perms {
        read: true,
        write: false,
        exec: true,
    };
    assert_eq!(s.same_perms(&perms).unwrap(), perms);
    assert_eq!(s.maybe(Some("x")).unwrap(), Some("x".to_string()));
    assert_eq!(s.maybe(None).unwrap(), None);
    assert!(s.not(false).unwrap());
    assert_eq!(s.next_char('λ').unwrap(), 'λ');
    // Short-lived strings.
    for i in 0..3 {
        let text = format!("{i}é");
        assert_eq!(s.echo16(&text).unwrap(), text);
    }
}

#[test]
fn generated_imports_reach_the_data() {
    let mut s = shapes();
    // `run_` is a core export outside the booklet: through the instance.
    s.instance_mut().call("run_", &[]).unwrap();
    assert_eq!(s.data().points, [Point { x: 7, y: -2 }]);
}

mod hostile_names {
    intertype_runtime::bindgen!("tests/all/fixtures/hostile-names.wat");
}

#[test]
fn hostile_names_become_plain_identifiers() {
    use hostile_names::{HostileNames, Self2, Self_};
    let engine = Engine::default();
    let module = Module::from_file(&engine, HostileNames::<()>::PATH.as_ref()).unwrap();
    let mut m = HostileNames::new(Linker::new(&engine).instantiate(&module).unwrap()).unwrap();
    assert_eq!(m.new_2(7).unwrap(), 7);
    assert_eq!(m.type_(8).unwrap(), 8);
    assert_eq!(m._2_j(&Self2::None2).unwrap(), Self2::None2);
    assert_eq!(m._2_j(&Self2::Self_).unwrap(), Self2::Self_);
    // Core `i32` has no Rust form in the typed API: dynamic values.
    assert_eq!(
        m.raw(&[intertype_runtime::Value::I32(5)]).unwrap(),
        [intertype_runtime::Value::I32(5)]
    );
    let _ = Self_ {
        type_: 0,
        self_: 0,
        a_b: 0,
        a_b_2: 0,
        _31m: 0,
        _0x: 0,
    };
}
