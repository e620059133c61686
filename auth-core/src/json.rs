//! Reading documented fields out of a JSON response, tolerant of numbers sent as strings.

use std::borrow::Cow;

use serde_json::Value;

use crate::error::ProtocolProblem;
use crate::spec::{Expected, FieldPath, SuccessRule};

/// Why a body was not accepted as JSON.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Unparsable {
    /// Not JSON at all: not UTF-8, truncated, nested too deep, a number out of range...
    NotJson,
    /// An object names the same key twice: which one a vendor meant is unknowable, and two
    /// parsers could each read a different one.
    DuplicateKey(String),
}

const DUPLICATE: &str = "duplicate key ";

/// The body as JSON, refusing an object with a repeated key (serde_json keeps the last one
/// silently). Nesting is bounded by serde_json's recursion limit (128).
pub(crate) fn parse_strict(bytes: &[u8]) -> Result<Value, Unparsable> {
    match serde_json::from_slice::<Strict>(bytes) {
        Ok(Strict(value)) => Ok(value),
        Err(err) => {
            let text = err.to_string();
            match text.strip_prefix(DUPLICATE) {
                // The key is the vendor's text: kept short and printable for the message.
                Some(rest) => Err(Unparsable::DuplicateKey(
                    rest.split(" at line ")
                        .next()
                        .unwrap_or("")
                        .chars()
                        .filter(|c| !c.is_control())
                        .take(64)
                        .collect(),
                )),
                None => Err(Unparsable::NotJson),
            }
        }
    }
}

/// A `Value` built by a visitor that checks each object's keys.
struct Strict(Value);

impl<'de> serde::Deserialize<'de> for Strict {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        // JSON has no NaN or infinity; serde_json refuses out-of-range numbers before this.
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(serde::de::Error::custom(format!("{DUPLICATE}{key}")));
            }
            let Strict(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

/// The value at `path`; `null` counts as absent.
pub(crate) fn lookup(root: &Value, path: FieldPath) -> Option<&Value> {
    let mut current = root;
    for segment in path.segments() {
        current = match current {
            Value::Object(object) => object.get(*segment)?,
            // `errors.0.code`: a segment of digits indexes an array.
            Value::Array(items) => items.get(segment.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    (!current.is_null()).then_some(current)
}

pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A string, or a number's decimal text.
pub(crate) fn scalar_text(value: &Value) -> Option<Cow<'_, str>> {
    match value {
        Value::String(s) => Some(Cow::Borrowed(s)),
        Value::Number(n) => Some(Cow::Owned(n.to_string())),
        Value::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
        _ => None,
    }
}

/// A required string field.
pub(crate) fn required_str(root: &Value, path: FieldPath) -> Result<&str, ProtocolProblem> {
    let value = lookup(root, path).ok_or_else(|| ProtocolProblem::MissingField {
        field: path.to_string(),
    })?;
    value.as_str().ok_or_else(|| ProtocolProblem::WrongType {
        field: path.to_string(),
        expected: "a string",
        found: type_name(value),
    })
}

/// An optional string field: absent is `None`, another type is an error.
pub(crate) fn optional_str(root: &Value, path: FieldPath) -> Result<Option<&str>, ProtocolProblem> {
    match lookup(root, path) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(ProtocolProblem::WrongType {
            field: path.to_string(),
            expected: "a string",
            found: type_name(other),
        }),
    }
}

/// A non-negative whole number, sent as a JSON number or as a string of digits.
pub(crate) fn whole_number(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64().or_else(|| {
            let f = n.as_f64()?;
            (f >= 0.0 && f.fract() == 0.0 && f < 1.0e19).then_some(f as u64)
        }),
        Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => None,
    }
}

/// Whether every success rule holds in `json` (none declared: it holds).
pub(crate) fn success_holds(rules: &[SuccessRule], json: &Value) -> bool {
    rules
        .iter()
        .all(|rule| lookup(json, rule.path).is_some_and(|v| matches(v, rule.expected)))
}

/// Whether `value` is what a success rule expects.
pub(crate) fn matches(value: &Value, expected: Expected) -> bool {
    match (expected, value) {
        (Expected::Bool(b), Value::Bool(v)) => b == *v,
        (Expected::Bool(_), _) => false,
        (Expected::Int(i), Value::Number(n)) => n.as_i64() == Some(i),
        (Expected::Int(i), Value::String(s)) => s.trim().parse::<i64>().ok() == Some(i),
        (Expected::Int(_), _) => false,
        (Expected::Str(s), Value::String(v)) => s == v,
        (Expected::Str(s), Value::Number(n)) => n.to_string() == s,
        (Expected::Str(_), _) => false,
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn strict_parsing_refuses_repeated_keys_at_any_depth_only() {
        use super::{Unparsable, parse_strict};
        let fine = parse_strict(br#"{"a":[{"k":1},{"k":2}],"b":{"k":{"k":null}},"c":1.5}"#);
        assert_eq!(
            fine,
            Ok(serde_json::json!({"a":[{"k":1},{"k":2}],"b":{"k":{"k":null}},"c":1.5}))
        );
        assert_eq!(
            parse_strict(br#"{"a":[{"k":1,"k":2}]}"#),
            Err(Unparsable::DuplicateKey("k".into()))
        );
        assert_eq!(parse_strict(b"{\"a\":1"), Err(Unparsable::NotJson));
        assert_eq!(parse_strict(b""), Err(Unparsable::NotJson));
    }

    use super::*;
    use serde_json::json;

    const PATH: FieldPath = FieldPath::new(&["data", "expiresIn"]);

    #[test]
    fn lookup_walks_objects_and_treats_null_as_absent() {
        let v = json!({"data": {"expiresIn": 7200, "n": null}});
        assert_eq!(lookup(&v, PATH), Some(&json!(7200)));
        assert_eq!(lookup(&v, FieldPath::new(&["data", "n"])), None);
        assert_eq!(lookup(&json!({"data": [1]}), PATH), None);
    }

    #[test]
    fn numbers_may_be_strings() {
        assert_eq!(whole_number(&json!(7200)), Some(7200));
        assert_eq!(whole_number(&json!("7200000")), Some(7_200_000));
        assert_eq!(whole_number(&json!(" 60 ")), Some(60));
        assert_eq!(whole_number(&json!(7200.0)), Some(7200));
        assert_eq!(whole_number(&json!(-1)), None);
        assert_eq!(whole_number(&json!("7e3")), None);
        assert_eq!(whole_number(&json!(1.5)), None);
        assert_eq!(whole_number(&json!(true)), None);
    }

    #[test]
    fn success_values_compare_across_number_and_string() {
        assert!(matches(&json!("0000"), Expected::Str("0000")));
        assert!(!matches(&json!(0), Expected::Str("0000")));
        assert!(matches(&json!(0), Expected::Str("0")));
        assert!(matches(&json!(200), Expected::Int(200)));
        assert!(matches(&json!("200"), Expected::Int(200)));
        assert!(!matches(&json!(201), Expected::Int(200)));
        assert!(matches(&json!(true), Expected::Bool(true)));
        assert!(!matches(&json!("true"), Expected::Bool(true)));
    }

    proptest::proptest! {
        #[test]
        fn whole_numbers_read_alike_as_numbers_and_as_text(n: u64, pad in " {0,3}") {
            proptest::prop_assert_eq!(whole_number(&json!(n)), Some(n));
            proptest::prop_assert_eq!(whole_number(&json!(format!("{pad}{n}{pad}"))), Some(n));
            proptest::prop_assert_eq!(whole_number(&json!(format!("-{n}"))), None);
        }

        #[test]
        fn integer_rules_match_numbers_and_their_text_and_nothing_else(i: i64, other: i64) {
            proptest::prop_assert!(matches(&json!(i), Expected::Int(i)));
            proptest::prop_assert!(matches(&json!(i.to_string()), Expected::Int(i)));
            proptest::prop_assert_eq!(matches(&json!(other), Expected::Int(i)), other == i);
            let (number, text) = (json!(i), json!(i.to_string()));
            proptest::prop_assert_eq!(scalar_text(&number), scalar_text(&text));
        }
    }
}
