//! What `#[derive(Decode)]` (kassa-derive) emits calls into: the key matching, the duplicate
//! and unknown key checks, the enum forms and the error paths, once for every type, where
//! serde's derive emits them into each type's own visitor.
//!
//! The messages are serde's (through `serde::de::Error`'s constructors, which format as
//! serde_json formats them) and name what serde's derived visitors name (`struct Order`,
//! `internally tagged enum Action`), so a request refused here reads as it did when serde
//! decoded it. One difference in order: an object's unknown and duplicate keys are reported
//! before any of its values is decoded, then its fields in declaration order, where serde
//! interleaves them in the text's order; either way one error is reported, the same one when
//! a request has one problem.

use super::{mismatch, Decode, DecodeError, Node, NodeDeserializer};
use serde::de::{self, Unexpected};
use std::borrow::Cow;

type Entries<'n, 'a> = &'n [(Cow<'a, str>, Node<'a>)];

/// The serde deserializer of a node, for a `#[serde(with)]` field's function.
pub fn deserializer<'n, 'a>(node: &'n Node<'a>) -> NodeDeserializer<'n, 'a> {
    NodeDeserializer(node)
}

/// An object's entries matched to a struct's fields.
pub struct Object<'n, 'a> {
    entries: Entries<'n, 'a>,
    fields: &'static [&'static str],
    // Inline up to 16 fields: most request objects, without an allocation each.
    slots: smallvec::SmallVec<[Option<&'n Node<'a>>; 16]>,
    skip: Option<&'static str>,
    error: std::cell::Cell<Option<DecodeError>>,
}

impl<'n, 'a> Object<'n, 'a> {
    /// Matches the entries of the object `node` to `fields`; `skip` is the tag key an
    /// internally tagged enum's variant leaves to its enum.
    ///
    /// # Errors
    /// `node` is not an object (`invalid type: ..., expected <expecting>`), a field is given
    /// twice, or (`deny` unknown fields) a key is not a field.
    #[inline(never)]
    pub fn open(
        node: &'n Node<'a>,
        expecting: &'static str,
        fields: &'static [&'static str],
        deny: bool,
        skip: Option<&'static str>,
    ) -> Result<Self, DecodeError> {
        let Node::Map(entries) = node else {
            return Err(mismatch(node, &expecting));
        };
        let mut slots = smallvec::smallvec![None; fields.len()];
        for (key, value) in entries {
            let key: &str = key;
            match fields.iter().position(|field| *field == key) {
                Some(index) => match slots.get_mut(index) {
                    Some(slot @ None) => *slot = Some(value),
                    _ => return Err(de::Error::duplicate_field(name_of(fields, index))),
                },
                None if skip == Some(key) || !deny => {}
                None => {
                    return Err(
                        <DecodeError as de::Error>::unknown_field(key, fields).within_key(key)
                    )
                }
            }
        }
        Ok(Object {
            entries,
            fields,
            slots,
            skip,
            error: std::cell::Cell::new(None),
        })
    }

    fn slot(&self, index: usize) -> Option<&'n Node<'a>> {
        self.slots.get(index).copied().flatten()
    }

    fn name(&self, index: usize) -> &'static str {
        name_of(self.fields, index)
    }

    /// Stores the first error of the struct's decode; the field helpers answer `None` then.
    // Not generic (every helper answers its own `None`): one copy in the module.
    #[cold]
    #[inline(never)]
    fn fail(&self, error: DecodeError) {
        if let Some(previous) = self.error.replace(Some(error)) {
            self.error.set(Some(previous));
        }
    }

    /// The error that made a field helper answer `None`.
    #[cold]
    #[inline(never)]
    pub fn error(&self) -> DecodeError {
        self.error
            .take()
            .unwrap_or_else(|| de::Error::custom("a field failed without an error"))
    }

    /// The absent field `index`, which has no default: stores its missing-field error and
    /// answers `None` (`match __o.missing(i)? {}` in a derived decode).
    #[cold]
    #[inline(never)]
    pub fn missing(&self, index: usize) -> Option<std::convert::Infallible> {
        self.fail(de::Error::missing_field(self.name(index)));
        None
    }

    /// Stores the error of field `index`, within its key.
    #[cold]
    #[inline(never)]
    fn fail_within(&self, index: usize, error: DecodeError) {
        self.fail(error.within_key(self.name(index)));
    }

    // The helpers answer `Option` and keep the error in the object: a struct's decode then
    // only tests each field for `None` (a niche, no error to move), and takes the error once
    // at the end; with `Result` every field of every struct copied the error out (about a
    // third of the derived code in the wasm module).

    /// Field `index`: decoded, `None` for an absent `Option`, else a missing field.
    // Not inlined: one copy per field type, a call per struct field.
    #[inline(never)]
    pub fn field<T: Decode>(&self, index: usize) -> Option<T> {
        match self.slot(index) {
            Some(node) => match T::decode(node) {
                Ok(value) => Some(value),
                Err(e) => {
                    self.fail_within(index, e);
                    None
                }
            },
            None => match T::missing() {
                Some(value) => Some(value),
                None => {
                    self.missing(index);
                    None
                }
            },
        }
    }

    /// Field `index` decoded (`Some(None)` when absent: the caller has its default).
    #[inline(never)]
    pub fn field_opt<T: Decode>(&self, index: usize) -> Option<Option<T>> {
        match self.slot(index) {
            Some(node) => match T::decode(node) {
                Ok(value) => Some(Some(value)),
                Err(e) => {
                    self.fail_within(index, e);
                    None
                }
            },
            None => Some(None),
        }
    }

    /// Field `index` decoded, or `default()` when absent.
    #[inline(never)]
    pub fn field_or<T: Decode>(&self, index: usize, default: fn() -> T) -> Option<T> {
        match self.slot(index) {
            Some(node) => match T::decode(node) {
                Ok(value) => Some(value),
                Err(e) => {
                    self.fail_within(index, e);
                    None
                }
            },
            None => Some(default()),
        }
    }

    /// Field `index` decoded by its `#[serde(with)]` function (`Some(None)` when absent).
    pub fn with<T>(
        &self,
        index: usize,
        decode: impl FnOnce(&'n Node<'a>) -> Result<T, DecodeError>,
    ) -> Option<Option<T>> {
        match self.slot(index) {
            Some(node) => match decode(node) {
                Ok(value) => Some(Some(value)),
                Err(e) => {
                    self.fail_within(index, e);
                    None
                }
            },
            None => Some(None),
        }
    }

    /// A `#[serde(flatten)]` field: decoded from the entries no field of this struct took.
    pub fn flatten<T: Decode>(&self) -> Option<T> {
        let rest = self
            .entries
            .iter()
            .filter(|(key, _)| {
                let key: &str = key;
                !self.fields.contains(&key) && self.skip != Some(key)
            })
            .cloned()
            .collect();
        match T::decode(&Node::Map(rest)) {
            Ok(value) => Some(value),
            Err(e) => {
                self.fail(e);
                None
            }
        }
    }
}

fn name_of(fields: &'static [&'static str], index: usize) -> &'static str {
    fields.get(index).copied().unwrap_or("")
}

/// A JSON array of exactly a tuple's length.
pub struct Tuple<'n, 'a> {
    items: &'n [Node<'a>],
}

impl<'n, 'a> Tuple<'n, 'a> {
    /// `too_short` is what a shorter array is told it lacks (serde's texts differ: "a tuple
    /// of size 2", "tuple struct X with 2 elements").
    ///
    /// # Errors
    /// `node` is not an array of `len` items.
    #[inline(never)]
    pub fn open(
        node: &'n Node<'a>,
        expecting: &'static str,
        too_short: &'static str,
        len: usize,
    ) -> Result<Self, DecodeError> {
        let Node::Seq(items) = node else {
            return Err(mismatch(node, &expecting));
        };
        if items.len() < len {
            return Err(de::Error::invalid_length(items.len(), &too_short));
        }
        if items.len() > len {
            return Err(de::Error::invalid_length(
                items.len(),
                &"fewer elements in array",
            ));
        }
        Ok(Tuple { items })
    }

    /// Item `index` decoded.
    ///
    /// # Errors
    /// The item's own, within its index.
    pub fn item<T: Decode>(&self, index: usize) -> Result<T, DecodeError> {
        match self.items.get(index) {
            Some(node) => T::decode(node).map_err(|e| e.within_index(index)),
            None => Err(de::Error::invalid_length(index, &"more elements in array")),
        }
    }
}

/// A unit struct: `null`.
///
/// # Errors
/// Anything else.
pub fn unit(node: &Node<'_>, expecting: &'static str) -> Result<(), DecodeError> {
    match node {
        Node::Null => Ok(()),
        other => Err(mismatch(other, &expecting)),
    }
}

#[inline(never)]
fn variant_index(name: &str, variants: &'static [&'static str]) -> Result<usize, DecodeError> {
    variants
        .iter()
        .position(|v| *v == name)
        .ok_or_else(|| de::Error::unknown_variant(name, variants))
}

/// An externally tagged enum: `"variant"` or `{"variant": content}`; the variant's index,
/// its content and the key errors inside the content are reported within.
///
/// # Errors
/// Another shape, or an unknown variant.
#[inline(never)]
pub fn external<'n, 'a>(
    node: &'n Node<'a>,
    variants: &'static [&'static str],
) -> Result<(usize, Option<&'n Node<'a>>, &'n str), DecodeError> {
    match node {
        Node::Str(name) => Ok((variant_index(name, variants)?, None, name)),
        Node::Map(entries) => match entries.as_slice() {
            [(name, value)] => Ok((variant_index(name, variants)?, Some(value), name)),
            _ => Err(de::Error::invalid_value(
                Unexpected::Map,
                &"map with a single key",
            )),
        },
        other => Err(de::Error::invalid_type(
            other.unexpected(),
            &"string or map",
        )),
    }
}

/// An internally tagged enum's variant index, from its `tag` key.
///
/// # Errors
/// `node` is not an object; the tag is absent, given twice or not a variant's name.
#[inline(never)]
pub fn internal(
    node: &Node<'_>,
    expecting: &'static str,
    tag: &'static str,
    variants: &'static [&'static str],
) -> Result<usize, DecodeError> {
    let Node::Map(entries) = node else {
        return Err(mismatch(node, &expecting));
    };
    let mut found = None;
    for (key, value) in entries.iter().filter(|(key, _)| key == tag) {
        if found.is_some() {
            return Err(de::Error::duplicate_field(tag));
        }
        found = Some(tag_index(value, variants).map_err(|e| e.within_key(key))?);
    }
    found.ok_or_else(|| de::Error::missing_field(tag))
}

fn tag_index(value: &Node<'_>, variants: &'static [&'static str]) -> Result<usize, DecodeError> {
    match value {
        Node::Str(name) => variant_index(name, variants),
        other => Err(mismatch(other, &"variant identifier")),
    }
}

/// An adjacently tagged enum, `{"<tag>": "variant", "<content>": ...}`: the variant's index
/// and its content.
///
/// # Errors
/// `node` is not an object; the tag is absent, given twice or not a variant's name; the
/// content is given twice; (`deny`) another key.
#[inline(never)]
pub fn adjacent<'n, 'a>(
    node: &'n Node<'a>,
    expecting: &'static str,
    tag: &'static str,
    content: &'static str,
    variants: &'static [&'static str],
    deny: bool,
) -> Result<(usize, Option<&'n Node<'a>>), DecodeError> {
    let Node::Map(entries) = node else {
        return Err(mismatch(node, &expecting));
    };
    let (mut index, mut value) = (None, None);
    for (key, node) in entries {
        if key == tag {
            if index.is_some() {
                return Err(de::Error::duplicate_field(tag));
            }
            index = Some(tag_index(node, variants).map_err(|e| e.within_key(tag))?);
        } else if key == content {
            if value.is_some() {
                return Err(de::Error::duplicate_field(content));
            }
            value = Some(node);
        } else if deny {
            let key: &str = key;
            // serde's `unknown_field` text, for a list that is not `'static`.
            let error = <DecodeError as de::Error>::custom(format_args!(
                "unknown field `{key}`, expected `{tag}` or `{content}`"
            ));
            return Err(error.within_key(key));
        }
    }
    match index {
        Some(index) => Ok((index, value)),
        None => Err(de::Error::missing_field(tag)),
    }
}

/// A unit variant's content: none, or `null`.
///
/// # Errors
/// Any other content, within `key`.
pub fn unit_content(content: Option<&Node<'_>>, key: &str) -> Result<(), DecodeError> {
    match content {
        None | Some(Node::Null) => Ok(()),
        Some(other) => Err(mismatch(other, &"unit").within_key(key)),
    }
}

/// A newtype variant's content, decoded.
///
/// # Errors
/// No content (as [`content`]), or the content's own error within `key`.
pub fn newtype_content<T: Decode>(
    content: Option<&Node<'_>>,
    key: &str,
    adjacent: bool,
) -> Result<T, DecodeError> {
    match (content, adjacent) {
        (Some(node), _) => T::decode(node).map_err(|e| e.within_key(key)),
        // serde decodes an absent adjacent content as an absent field: `None` for an Option.
        (None, true) => T::missing().ok_or_else(|| missing_content(key, "newtype variant", true)),
        (None, false) => Err(missing_content(key, "newtype variant", false)),
    }
}

/// A struct or tuple variant's content (`kind` names which, for the error).
///
/// # Errors
/// There is none: the variant was given as a bare name (externally tagged), or without its
/// content key (`adjacent`ly tagged, `key` being that key).
#[inline(never)]
pub fn content<'n, 'a>(
    content: Option<&'n Node<'a>>,
    key: &str,
    kind: &'static str,
    adjacent: bool,
) -> Result<&'n Node<'a>, DecodeError> {
    content.ok_or_else(|| missing_content(key, kind, adjacent))
}

#[cold]
#[inline(never)]
fn missing_content(key: &str, kind: &'static str, adjacent: bool) -> DecodeError {
    match adjacent {
        true => <DecodeError as de::Error>::custom(format_args!("missing field `{key}`")),
        false => de::Error::invalid_type(Unexpected::UnitVariant, &kind),
    }
}

/// An internally tagged enum's newtype variant: its type decoded from the object without
/// the tag.
///
/// # Errors
/// The type's own.
pub fn untagged_rest<T: Decode>(node: &Node<'_>, tag: &'static str) -> Result<T, DecodeError> {
    let rest = match node {
        Node::Map(entries) => entries
            .iter()
            .filter(|(key, _)| key != tag)
            .cloned()
            .collect(),
        _ => Vec::new(),
    };
    T::decode(&Node::Map(rest))
}

/// The error of a variant index no arm has (not reachable from the helpers above).
#[cold]
pub fn no_variant(index: usize) -> DecodeError {
    de::Error::custom(format_args!("variant index {index} out of range"))
}

#[cfg(test)]
mod tests {
    use super::super::Decode;
    use super::*;
    use proptest::prelude::*;
    use serde::Deserialize;
    use serde_json::{json, Value};
    use std::collections::BTreeMap;

    /// Every attribute the derive reads, on one request.
    #[derive(Debug, PartialEq, Deserialize, kassa_derive::Decode)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Request {
        request_id: String,
        #[serde(rename = "qty")]
        quantity: u32,
        #[serde(default)]
        tags: Vec<String>,
        #[serde(default = "seven")]
        limit: u8,
        note: Option<String>,
        #[serde(with = "crate::money::decimal_string")]
        rate: rust_decimal::Decimal,
        #[serde(default, with = "crate::money::decimal_string::option")]
        cap: Option<rust_decimal::Decimal>,
        #[serde(skip)]
        cached: u64,
        subject: Subject,
        #[serde(default)]
        action: Option<Action>,
        #[serde(default)]
        mode: Mode,
        #[serde(default)]
        extra: BTreeMap<String, Id>,
        #[serde(default)]
        window: Option<Window>,
    }

    fn seven() -> u8 {
        7
    }

    #[derive(Debug, PartialEq, Deserialize, kassa_derive::Decode)]
    struct Id(String);

    #[derive(Debug, PartialEq, Default, Deserialize, kassa_derive::Decode)]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    enum Mode {
        #[default]
        HalfEven,
        Up,
    }

    /// Adjacently tagged.
    #[derive(Debug, PartialEq, Deserialize, kassa_derive::Decode)]
    #[serde(rename_all = "snake_case", tag = "kind", content = "id")]
    enum Subject {
        Anonymous,
        Customer(String),
        Session(Option<String>),
    }

    /// Internally tagged, fields renamed by `rename_all_fields`, a newtype variant.
    #[derive(Debug, PartialEq, Deserialize, kassa_derive::Decode)]
    #[serde(
        tag = "type",
        rename_all = "snake_case",
        rename_all_fields = "camelCase",
        deny_unknown_fields
    )]
    enum Action {
        PercentOff { per_unit: bool, value: u32 },
        Nothing,
        Window(Window),
    }

    /// Container default, with a flattened part.
    #[derive(Debug, PartialEq, Deserialize, kassa_derive::Decode)]
    #[serde(rename_all = "camelCase", default)]
    struct Window {
        starts_at: u32,
        ends_at: u32,
        #[serde(flatten)]
        rest: BTreeMap<String, Value>,
    }

    impl Default for Window {
        fn default() -> Self {
            Window {
                starts_at: 1,
                ends_at: 99,
                rest: BTreeMap::new(),
            }
        }
    }

    fn good() -> Value {
        json!({
            "requestId": "r-1", "qty": 3, "tags": ["a"], "rate": "0.25", "cap": "9.5",
            "subject": {"kind": "customer", "id": "c-1"},
            "action": {"type": "percent_off", "perUnit": true, "value": 10},
            "mode": "UP", "extra": {"x": "i-1"},
            "window": {"endsAt": 5, "colour": "red"}
        })
    }

    fn ours(value: &Value) -> Result<Request, DecodeError> {
        Request::decode(&Node::of_value(value))
    }

    fn error(value: Value) -> (String, String) {
        let e = ours(&value).expect_err("an error");
        (e.path().unwrap_or_default(), e.message())
    }

    #[test]
    fn every_attribute_decodes_as_serde_decodes_it() {
        let value = good();
        let decoded = ours(&value).unwrap();
        assert_eq!(decoded, serde_json::from_value::<Request>(value).unwrap());
        assert_eq!(decoded.limit, 7);
        assert_eq!(decoded.cached, 0);
        let window = decoded.window.unwrap();
        assert_eq!((window.starts_at, window.ends_at), (1, 5));
        assert_eq!(window.rest.get("colour"), Some(&json!("red")));

        for (key, variant) in [
            ("subject", json!({"kind": "anonymous"})),
            ("subject", json!({"kind": "session"})),
            ("subject", json!({"kind": "session", "id": null})),
            ("action", json!({"type": "nothing", "whatever": 1})),
            ("action", json!({"type": "window", "startsAt": 4})),
            ("action", json!(null)),
        ] {
            let mut value = good();
            value[key] = variant;
            let theirs = serde_json::from_value::<Request>(value.clone()).unwrap();
            assert_eq!(ours(&value).unwrap(), theirs, "{value}");
        }
    }

    #[test]
    fn a_failure_names_the_path_and_serdes_message() {
        let cases = [
            (json!({"qty": 1}), "", "missing field `requestId`"),
            (json!({"requestId": "r", "qty": 1, "rate": "1", "subject": {"kind": "anonymous"}, "bogus": 1}),
                "bogus", "unknown field `bogus`, expected one of `requestId`, `qty`, `tags`, `limit`, `note`, `rate`, `cap`, `subject`, `action`, `mode`, `extra`, `window`"),
            (json!({"requestId": "r", "qty": 1, "rate": 1, "subject": {"kind": "anonymous"}}),
                "rate", "invalid type: integer `1`, expected a string"),
            (json!({"requestId": "r", "qty": 1, "subject": {"kind": "anonymous"}}), "", "missing field `rate`"),
            (json!({"requestId": "r", "qty": 1, "rate": "1", "subject": {"kind": "boss"}}),
                "subject.kind", "unknown variant `boss`, expected one of `anonymous`, `customer`, `session`"),
            (json!({"requestId": "r", "qty": 1, "rate": "1", "subject": {"kind": "customer"}}),
                "subject", "missing field `id`"),
            (json!({"requestId": "r", "qty": 1, "rate": "1", "subject": {"kind": "customer", "id": 5}}),
                "subject.id", "invalid type: integer `5`, expected a string"),
            (json!({"requestId": "r", "qty": 1, "rate": "1", "subject": {"id": "x"}}),
                "subject", "missing field `kind`"),
            (json!({"requestId": "r", "qty": 1, "rate": "1", "subject": {"kind": "anonymous"}, "action": {"value": 1}}),
                "action", "missing field `type`"),
            (json!({"requestId": "r", "qty": 1, "rate": "1", "subject": {"kind": "anonymous"}, "action": {"type": "percent_off", "value": 1}}),
                "action", "missing field `perUnit`"),
            (json!({"requestId": "r", "qty": 1, "rate": "1", "subject": {"kind": "anonymous"}, "action": {"type": "percent_off", "perUnit": 1, "value": 1}}),
                "action.perUnit", "invalid type: integer `1`, expected a boolean"),
            (json!({"requestId": "r", "qty": 1, "rate": "1", "subject": {"kind": "anonymous"}, "action": {"type": "percent_off", "perUnit": true, "value": 1, "x": 0}}),
                "action.x", "unknown field `x`, expected `perUnit` or `value`"),
            (json!({"requestId": "r", "qty": 1, "rate": "1", "subject": {"kind": "anonymous"}, "action": "nothing"}),
                "action", "invalid type: string \"nothing\", expected internally tagged enum Action"),
            (json!({"requestId": "r", "qty": 1, "rate": "1", "subject": {"kind": "anonymous"}, "mode": "DOWN"}),
                "mode", "unknown variant `DOWN`, expected `HALF_EVEN` or `UP`"),
            (json!({"requestId": "r", "qty": 1, "rate": "1", "subject": {"kind": "anonymous"}, "extra": {"k": 1}}),
                "extra.k", "invalid type: integer `1`, expected a string"),
            (json!({"requestId": "r", "qty": 1, "rate": "1", "subject": {"kind": "anonymous"}, "window": {"endsAt": "x"}}),
                "window.endsAt", "invalid type: string \"x\", expected u32"),
            (json!({"requestId": "r", "qty": 1, "rate": "1", "subject": {"kind": "anonymous"}, "cap": "x"}),
                "cap", "VALIDATION_ERROR: amount: 'x' is not a decimal amount"),
        ];
        for (value, path, message) in cases {
            let text = value.to_string();
            assert_eq!(
                error(value),
                (path.to_owned(), message.to_owned()),
                "{text}"
            );
        }
    }

    #[test]
    fn positional_forms_are_refused_as_natively() {
        for (key, form) in [
            ("subject", json!(["customer", "c-1"])),
            ("action", json!(["nothing"])),
            ("action", json!(["percent_off", true, 1])),
            ("window", json!([1, 2])),
        ] {
            let mut value = good();
            value[key] = form;
            let native = Request::deserialize(crate::host::strict::Strict(&value));
            assert!(ours(&value).is_err(), "{value}");
            assert!(native.is_err(), "{value}: {native:?}");
        }
    }

    /// A JSON value: a leaf or a small array or object.
    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            (-3i64..300).prop_map(Value::from),
            prop::sample::select(vec!["", "x", "UP", "customer", "percent_off", "1.5"])
                .prop_map(Value::from),
        ];
        leaf.prop_recursive(2, 8, 3, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
                prop::collection::btree_map("[a-z]{1,2}|kind|id|type", inner, 0..3)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    /// A request with some of its fields (at any depth of one) removed or replaced.
    fn mutated() -> impl Strategy<Value = Value> {
        let keys: Vec<String> = good()
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        prop::collection::vec(
            (
                prop::sample::select(keys),
                prop::option::of("[a-zA-Z]{1,8}"),
                prop::option::of(json_value()),
            ),
            0..4,
        )
        .prop_map(|edits| {
            let mut value = good();
            for (key, inner, replacement) in edits {
                let target = match (&inner, value.get_mut(&key)) {
                    (Some(inner), Some(Value::Object(map))) => {
                        let inner = inner.clone();
                        match replacement {
                            Some(r) => map.insert(inner, r),
                            None => map.remove(&inner),
                        };
                        continue;
                    }
                    _ => value.as_object_mut(),
                };
                if let Some(map) = target {
                    match replacement {
                        Some(r) => map.insert(key, r),
                        None => map.remove(&key),
                    };
                }
            }
            value
        })
    }

    proptest! {
        /// The derived decoder takes exactly what native hosts take (serde's derive behind
        /// the `Strict` guard), to the same value, whatever was removed, replaced or added.
        #[test]
        fn decode_accepts_what_serde_accepts(value in mutated()) {
            // What native hosts accept: serde's derive behind the `Strict` guard.
            let theirs = Request::deserialize(crate::host::strict::Strict(&value));
            let mine = ours(&value);
            match (theirs, mine) {
                (Ok(t), Ok(m)) => prop_assert_eq!(t, m),
                (Err(_), Err(_)) => {}
                (t, m) => prop_assert!(false, "{}: serde {:?}, derive {:?}", value, t, m),
            }
        }
    }
}
