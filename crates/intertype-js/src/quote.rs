//! Every string from a module that reaches the generated JS or TypeScript goes
//! through one of these: names are untrusted input (`docs/security.md`), and
//! a name containing a line terminator, a quote or `*/` must not end a
//! comment or a literal and run as code.

/// Names `Object.prototype` owns. A plain object *inherits* them, so reading
/// one from a user's object must check that the property is the object's own,
/// and `__proto__` in an object literal sets the prototype instead of a field.
const PROTOTYPE_NAMES: &[&str] = &[
    "__proto__",
    "__defineGetter__",
    "__defineSetter__",
    "__lookupGetter__",
    "__lookupSetter__",
    "constructor",
    "hasOwnProperty",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toLocaleString",
    "toString",
    "valueOf",
];

/// A JS (and TypeScript) string literal of `s`: JSON's escaping plus the two
/// line terminators JSON leaves raw (U+2028, U+2029; older engines end a
/// line there).
pub(crate) fn js_str(s: &str) -> String {
    let mut out = serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    if out.contains(['\u{2028}', '\u{2029}']) {
        out = out
            .replace('\u{2028}', "\\u2028")
            .replace('\u{2029}', "\\u2029");
    }
    out
}

/// The key of a property `name` in an object literal. `__proto__` is written
/// computed (`["__proto__"]`), which defines an own property; plain
/// `"__proto__": v` would set the object's prototype and drop the field.
pub(crate) fn js_key(name: &str) -> String {
    if name == "__proto__" {
        format!("[{}]", js_str(name))
    } else {
        js_str(name)
    }
}

/// A JS expression reading property `name` of the object expression `obj`
/// (evaluated more than once only for prototype names): only an own
/// property counts, so a missing `toString` field is `undefined`, not
/// `Object.prototype.toString`.
pub(crate) fn js_get(obj: &str, name: &str) -> String {
    let key = js_str(name);
    if PROTOTYPE_NAMES.contains(&name) {
        format!("(Object.hasOwn({obj}, {key}) ? {obj}[{key}] : undefined)")
    } else {
        format!("{obj}[{key}]")
    }
}

/// `s` made safe for the inside of a `//` or `/** */` comment: printable,
/// one line, no `*/`. Quoted like a string so nothing is lost to a reader.
pub(crate) fn comment(s: &str) -> String {
    js_str(s).replace("*/", "*\\/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_terminators_are_escaped() {
        let s = js_str("a\nb\u{2028}c\u{2029}d\re\u{0}");
        assert!(
            !s.contains(['\n', '\r', '\u{2028}', '\u{2029}', '\0']),
            "{s}"
        );
        assert_eq!(comment("x*/y"), "\"x*\\/y\"");
    }

    #[test]
    fn prototype_names_are_own_properties() {
        assert_eq!(js_key("__proto__"), "[\"__proto__\"]");
        assert_eq!(js_key("x"), "\"x\"");
        assert!(js_get("v", "toString").contains("Object.hasOwn"));
        assert_eq!(js_get("v", "x"), "v[\"x\"]");
    }
}
