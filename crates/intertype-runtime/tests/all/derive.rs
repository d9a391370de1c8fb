//! `#[derive(Interface)]` on host types, through typed calls against
//! `tests/corpus/extension/shapes.wat` and `everything.wat`.

use crate::util::load_file;
use intertype_runtime::{Case, Engine, Interface, Lift, Linker, Lower, Type, Value};
use std::sync::{Arc, Mutex};

#[derive(Interface, Clone, Copy, Debug, PartialEq)]
struct Point {
    x: i32,
    y: i32,
}

#[derive(Interface, Debug, PartialEq)]
enum Shape {
    Circle(f32),
    Rect(Point),
    Dot,
}

#[derive(Interface, Clone, Copy, Debug, PartialEq)]
enum Color {
    Red,
    Green,
    Blue,
}

#[derive(Interface, Clone, Copy, Debug, Default, PartialEq)]
#[interface(flags)]
struct Perms {
    read: bool,
    write: bool,
    exec: bool,
}

#[test]
fn records_variants_enums_flags_on_shapes() {
    let engine = Engine::default();
    let module = load_file(&engine, "extension/shapes.wat");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let mut linker = Linker::new(&engine);
    linker.func_wrap("host", "log_point", move |(p,): (Point,)| {
        sink.lock().unwrap().push(p);
        Ok(())
    });
    let mut inst = linker.instantiate(&module).unwrap();

    let flip = inst.typed_func::<(Point,), (Point,)>("flip").unwrap();
    assert_eq!(
        flip.call(&mut inst, (Point { x: 1, y: -2 },)).unwrap().0,
        Point { x: -2, y: 1 }
    );
    let origin = inst.typed_func::<(), (Point,)>("origin").unwrap();
    assert_eq!(origin.call(&mut inst, ()).unwrap().0, Point { x: 3, y: 4 });

    let area = inst.typed_func::<(Shape,), (f32,)>("area").unwrap();
    assert_eq!(area.call(&mut inst, (Shape::Circle(2.0),)).unwrap().0, 13.0);
    let rect = Shape::Rect(Point { x: 3, y: 5 });
    assert_eq!(area.call(&mut inst, (rect,)).unwrap().0, 15.0);
    assert_eq!(area.call(&mut inst, (Shape::Dot,)).unwrap().0, 0.0);

    let next = inst.typed_func::<(Color,), (Color,)>("next_color").unwrap();
    assert_eq!(next.call(&mut inst, (Color::Red,)).unwrap().0, Color::Green);
    assert_eq!(next.call(&mut inst, (Color::Blue,)).unwrap().0, Color::Red);

    let perms = inst.typed_func::<(Perms,), (Perms,)>("same_perms").unwrap();
    for p in [
        Perms::default(),
        Perms {
            read: true,
            write: false,
            exec: true,
        },
        Perms {
            read: true,
            write: true,
            exec: true,
        },
    ] {
        assert_eq!(perms.call(&mut inst, (p,)).unwrap().0, p);
    }

    inst.call("run_", &[]).unwrap();
    assert_eq!(*seen.lock().unwrap(), vec![Point { x: 7, y: -2 }]);
}

/// A type with the wrong field names is refused when the typed function is
/// made, not at call time.
#[test]
fn names_take_part_in_the_signature_check() {
    #[derive(Interface)]
    struct NotAPoint {
        x: i32,
        z: i32,
    }
    let engine = Engine::default();
    let module = load_file(&engine, "extension/shapes.wat");
    let mut linker = Linker::new(&engine);
    linker.func_wrap("host", "log_point", |(_,): (Point,)| Ok(()));
    let inst = linker.instantiate(&module).unwrap();
    let err = inst
        .typed_func::<(NotAPoint,), (Point,)>("flip")
        .err()
        .expect("field names differ");
    assert_eq!(err.kind(), intertype_runtime::ErrorKind::HostType);
}

mod everything {
    use super::*;

    #[derive(Interface, Debug, PartialEq)]
    pub struct Fpair {
        pub a: f32,
        pub b: f64,
    }

    #[derive(Interface, Debug, PartialEq)]
    pub enum Shape {
        Circle(f64),
        Dot,
    }

    #[derive(Interface, Clone, Copy, Debug, PartialEq)]
    #[interface(flags)]
    pub struct Perms {
        pub read: bool,
        pub write: bool,
        pub exec: bool,
    }

    #[test]
    fn everything_typed() {
        let engine = Engine::default();
        let module = load_file(&engine, "extension/everything.wat");
        let mut linker = Linker::new(&engine);
        linker.func_wrap("host", "point", |(): ()| Ok((Point { x: 5, y: 6 },)));
        let mut inst = linker.instantiate(&module).unwrap();

        let fpair = inst.typed_func::<(f32, f64), (Fpair,)>("fpair").unwrap();
        assert_eq!(
            fpair.call(&mut inst, (1.5, 2.25)).unwrap().0,
            Fpair { a: 1.5, b: 2.25 }
        );
        let sum = inst.typed_func::<(Fpair,), (f64,)>("fpair_sum").unwrap();
        assert_eq!(
            sum.call(&mut inst, (Fpair { a: 1.5, b: 2.25 },)).unwrap().0,
            3.75
        );

        let perms = inst.typed_func::<(Perms,), (Perms,)>("perms").unwrap();
        let p = Perms {
            read: false,
            write: true,
            exec: false,
        };
        assert_eq!(perms.call(&mut inst, (p,)).unwrap().0, p);

        let shape = inst.typed_func::<(Shape,), (Shape,)>("shape").unwrap();
        for s in [Shape::Circle(0.125), Shape::Dot] {
            let back = shape.call(&mut inst, (s,)).unwrap().0;
            assert!(matches!(back, Shape::Circle(_) | Shape::Dot));
        }
        assert_eq!(
            shape.call(&mut inst, (Shape::Circle(0.125),)).unwrap().0,
            Shape::Circle(0.125)
        );

        let outcome = inst
            .typed_func::<(Result<String, Color>,), (Result<String, Color>,)>("outcome")
            .unwrap();
        assert_eq!(
            outcome.call(&mut inst, (Ok("fine".into()),)).unwrap().0,
            Ok("fine".to_string())
        );
        assert_eq!(
            outcome.call(&mut inst, (Err(Color::Blue),)).unwrap().0,
            Err(Color::Blue)
        );

        let maybe = inst
            .typed_func::<(Option<Point>,), (Option<Point>,)>("maybe")
            .unwrap();
        let p = Some(Point { x: -1, y: 9 });
        assert_eq!(maybe.call(&mut inst, (p,)).unwrap().0, p);
        assert_eq!(maybe.call(&mut inst, (None,)).unwrap().0, None);

        let first_x = inst.typed_func::<(Point,), (i32,)>("first_x").unwrap();
        assert_eq!(
            first_x.call(&mut inst, (Point { x: 42, y: 0 },)).unwrap().0,
            42
        );
        let host = inst.typed_func::<(), (Point,)>("host_point").unwrap();
        assert_eq!(host.call(&mut inst, ()).unwrap().0, Point { x: 5, y: 6 });
    }
}

/// The mapping itself: kebab-case names, tuple payloads, rejected values.
#[test]
fn derived_types_and_values() {
    #[derive(Interface, Debug, PartialEq)]
    enum KeyEvent {
        KeyDown(u32, char),
        NotFound,
        Named(String),
    }
    #[derive(Interface, Debug, PartialEq)]
    struct Person {
        first_name: String,
        r#type: u8,
        tags: Vec<u8>,
    }
    assert_eq!(
        <KeyEvent as Lower>::ty(),
        Type::Variant(vec![
            Case {
                name: "key-down".into(),
                ty: Some(Type::Tuple(vec![Type::U32, Type::Char])),
            },
            Case {
                name: "not-found".into(),
                ty: None,
            },
            Case {
                name: "named".into(),
                ty: Some(Type::String),
            },
        ])
    );
    assert_eq!(<KeyEvent as Lift>::ty(), <KeyEvent as Lower>::ty());
    for e in [
        KeyEvent::KeyDown(7, 'k'),
        KeyEvent::NotFound,
        KeyEvent::Named("x".into()),
    ] {
        let v = e.to_value();
        assert!(v.has_type(&<KeyEvent as Lower>::ty()), "{v:?}");
        assert_eq!(KeyEvent::from_value(v).unwrap(), e);
    }
    assert_eq!(
        <Person as Lower>::ty(),
        Type::record([
            ("first-name", Type::String),
            ("type", Type::U8),
            ("tags", Type::list(Type::U8)),
        ])
    );
    let p = Person {
        first_name: "Lin".into(),
        r#type: 3,
        tags: vec![1, 2],
    };
    let v = p.to_value();
    assert!(v.has_type(&<Person as Lift>::ty()));
    assert_eq!(Person::from_value(v).unwrap(), p);

    // Wrong shapes are typed errors, never panics.
    for bad in [
        Value::Enum(0),
        Value::Variant(0, None),
        Value::Variant(0, Some(Box::new(Value::U32(1)))),
        Value::Variant(9, None),
    ] {
        assert!(KeyEvent::from_value(bad).is_err());
    }
    assert!(Person::from_value(Value::Record(vec![])).is_err());
    assert!(Color::from_value(Value::Enum(3)).is_err());
    assert!(Perms::from_value(Value::Flags(vec![0b1000])).is_err());
    assert!(Perms::from_value(Value::Flags(vec![])).is_err());
    assert_eq!(
        Perms::from_value(Value::flags(3, [1])).unwrap(),
        Perms {
            read: false,
            write: true,
            exec: false
        }
    );
}
