//! The request decoder behind [`super::from_str`] and [`super::from_value`]: JSON → [`Node`]
//! tree → the request type ([`Decode`]), naming the path of the first offending field.
//!
//! Why not serde_json's deserializer wrapped in `serde_path_to_error` (the decoder before)?
//! Each request type's serde code is instantiated once per deserializer it is driven by, and
//! the wrapper's per-visitor forwarding made that code about twice as large: in the wasm
//! module the wrapper alone was 454 KB of 2.2 MB of code (docs/performance.md, wasm,
//! "Session 13"). Here the JSON text is parsed once into a [`Node`] (one instantiation of the
//! parser) and every request type is decoded from the tree by its [`Decode`] impl, which
//! tracks the path by prefixing each error with the key or index it passes on its way out —
//! no tracking state, no cost until something fails.
//!
//! [`Decode`] is derived (`kassa-derive`) from the same `#[serde(...)]` attributes as serde's
//! `Deserialize`, and calls the shared helpers of [`derive`] instead of emitting a visitor per
//! type: in the wasm module serde's derived visitors and the `Content` buffering of internally
//! tagged enums were 530 KB of 1.7 MB of code, the derived decoders are ~160 KB
//! (docs/performance.md, wasm, "Session 14"). Leaf types with a hand-written serde impl
//! (amounts, currencies, dates) decode through it over [`NodeDeserializer`].
//!
//! The error texts are serde_json's own ([`DecodeError`] wraps a `serde_json::Error`), and
//! the paths are written as `serde_path_to_error` wrote them (`items[2].quantity`), so hosts
//! see the same `VALIDATION_ERROR`s as before. [`Node::Map`] keeps the text's key order and
//! duplicate keys, so a duplicate field is still an error, as with the streaming decoder.
//! Inside an internally tagged enum the path now goes on to the field (`action.perUnit`),
//! where serde's buffered decoding stopped at the enum (`action`).

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, Unexpected,
    VariantAccess, Visitor,
};
use serde::Deserialize;
use serde_json::Value;
use std::borrow::Cow;
use std::fmt;

#[doc(hidden)]
pub mod derive;
mod impls;

/// A type the hosts' requests decode into, from the JSON tree ([`Node`]).
///
/// Implemented by `#[derive(kassa_derive::Decode)]` from the type's `#[serde(...)]`
/// attributes (every request type of the core has it beside serde's `Deserialize`), and here
/// for the standard containers and the leaf types (numbers, strings, amounts, dates), which
/// decode through their serde impls. [`super::from_str`] and [`super::from_value`] take it:
/// the wasm module decodes every request with it, native hosts every request serde_json's
/// own decoder refused (for the error's path), so both report the same errors.
pub trait Decode: Sized {
    /// Decodes `node`, or says which field does not fit and why.
    ///
    /// # Errors
    /// The [`DecodeError`] of the first offending field, with its path.
    fn decode(node: &Node<'_>) -> Result<Self, DecodeError>;

    /// The value of an absent field that has no default: `None` for an `Option` (as serde
    /// treats it), else none, and the field is missing.
    #[doc(hidden)]
    fn missing() -> Option<Self> {
        None
    }
}

/// A parsed JSON value that borrows its text where it can and keeps objects as written: what
/// [`Decode`] decodes from.
#[derive(Debug, Clone)]
pub enum Node<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A non-negative integer.
    U64(u64),
    /// A negative integer.
    I64(i64),
    /// A number with a fraction or an exponent.
    F64(f64),
    /// A string.
    Str(Cow<'a, str>),
    /// An array.
    Seq(Vec<Node<'a>>),
    /// Entries in the text's order, duplicates kept.
    Map(Vec<(Cow<'a, str>, Node<'a>)>),
}

impl<'a> Node<'a> {
    /// Parses JSON text (serde_json's parser, with its nesting limit).
    ///
    /// # Errors
    /// serde_json's, for text that is not one JSON value.
    pub fn parse(text: &'a str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// The tree of a `serde_json::Value`, borrowing its strings.
    pub fn of_value(value: &'a Value) -> Self {
        match value {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(*b),
            Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => Node::U64(u),
                (None, Some(i)) => Node::I64(i),
                _ => Node::F64(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => Node::Str(Cow::Borrowed(s)),
            Value::Array(items) => Node::Seq(items.iter().map(Node::of_value).collect()),
            Value::Object(map) => Node::Map(
                map.iter()
                    .map(|(k, v)| (Cow::Borrowed(k.as_str()), Node::of_value(v)))
                    .collect(),
            ),
        }
    }

    fn unexpected(&self) -> Unexpected<'_> {
        match self {
            Node::Null => Unexpected::Unit,
            Node::Bool(b) => Unexpected::Bool(*b),
            Node::U64(u) => Unexpected::Unsigned(*u),
            Node::I64(i) => Unexpected::Signed(*i),
            Node::F64(f) => Unexpected::Float(*f),
            Node::Str(s) => Unexpected::Str(s),
            Node::Seq(_) => Unexpected::Seq,
            Node::Map(_) => Unexpected::Map,
        }
    }
}

impl<'de> Deserialize<'de> for Node<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }
    fn visit_none<E>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node<'de>, D::Error> {
        Node::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Node<'de>, E> {
        Ok(Node::Bool(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Node<'de>, E> {
        Ok(Node::U64(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Node<'de>, E> {
        Ok(match u64::try_from(v) {
            Ok(u) => Node::U64(u),
            Err(_) => Node::I64(v),
        })
    }
    fn visit_f64<E>(self, v: f64) -> Result<Node<'de>, E> {
        Ok(Node::F64(v))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Node<'de>, E> {
        Ok(Node::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Node<'de>, E> {
        Ok(Node::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Node<'de>, E> {
        Ok(Node::Str(Cow::Owned(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node<'de>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node<'de>, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(64));
        while let Some(Text(key)) = map.next_key()? {
            entries.push((key, map.next_value()?));
        }
        Ok(Node::Map(entries))
    }
}

/// A string of the text, borrowed unless it had escapes (`Cow<str>`'s own impl always copies).
struct Text<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(TextVisitor)
    }
}

/// One step of the path to an offending field.
#[derive(Debug)]
enum Segment {
    Key(String),
    Index(usize),
}

/// A decode failure: serde_json's error (so its text is serde_json's) and the path to where
/// it happened, innermost step first.
/// Why a request does not fit its type: serde_json's message and the path of the offending
/// field.
#[derive(Debug)]
pub struct DecodeError {
    error: serde_json::Error,
    path: Vec<Segment>,
}

impl DecodeError {
    fn new(error: serde_json::Error) -> Self {
        DecodeError {
            error,
            path: Vec::new(),
        }
    }

    /// The error as seen from the object holding it under `key`.
    #[cold]
    #[must_use]
    pub fn within_key(mut self, key: &str) -> Self {
        self.path.push(Segment::Key(key.to_owned()));
        self
    }

    /// The error as seen from the array holding it at `index`.
    #[cold]
    #[must_use]
    pub fn within_index(mut self, index: usize) -> Self {
        self.path.push(Segment::Index(index));
        self
    }

    /// The path as hosts address fields (`items[2].quantity`), `None` at the root.
    /// The path of the offending field (`items[2].quantity`), `None` at the root.
    pub fn path(&self) -> Option<String> {
        let mut text = String::new();
        for segment in self.path.iter().rev() {
            match segment {
                Segment::Key(key) => {
                    if !text.is_empty() {
                        text.push('.');
                    }
                    text.push_str(key);
                }
                Segment::Index(index) => {
                    text.push('[');
                    text.push_str(&index.to_string());
                    text.push(']');
                }
            }
        }
        (!text.is_empty()).then_some(text)
    }

    /// The message without a path (serde_json's text).
    /// serde_json's message, without the path.
    pub fn message(&self) -> String {
        self.error.to_string()
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.path() {
            Some(path) => write!(f, "{path}: {}", self.error),
            None => fmt::Display::fmt(&self.error, f),
        }
    }
}

impl std::error::Error for DecodeError {}

// serde_json overrides these three (null for unit, its float format); the rest of the
// trait's messages go through `custom`, as they do for serde_json.
impl de::Error for DecodeError {
    #[cold]
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DecodeError::new(<serde_json::Error as de::Error>::custom(msg))
    }
    #[cold]
    fn invalid_type(unexp: Unexpected, exp: &dyn de::Expected) -> Self {
        de::Error::custom(format_args!(
            "invalid type: {}, expected {}",
            JsonUnexpected(unexp),
            exp
        ))
    }
    #[cold]
    fn invalid_value(unexp: Unexpected, exp: &dyn de::Expected) -> Self {
        de::Error::custom(format_args!(
            "invalid value: {}, expected {}",
            JsonUnexpected(unexp),
            exp
        ))
    }
}

/// What a node was instead of what was expected, worded as serde_json words it (`null`, its
/// float format, serde's words for the rest). Written out rather than delegated to serde's
/// `Display` of `Unexpected`: that one prints a float with std's float printer, which would
/// then be in the wasm module for this message alone (docs/performance.md, wasm,
/// "Session 15").
struct JsonUnexpected<'a>(Unexpected<'a>);

impl fmt::Display for JsonUnexpected<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Unexpected::Bool(b) => write!(f, "boolean `{b}`"),
            Unexpected::Unsigned(i) => write!(f, "integer `{i}`"),
            Unexpected::Signed(i) => write!(f, "integer `{i}`"),
            Unexpected::Float(v) => write!(f, "floating point `{}`", crate::text::Float(v)),
            Unexpected::Char(c) => write!(f, "character `{c}`"),
            Unexpected::Str(s) => write!(f, "string {s:?}"),
            Unexpected::Bytes(_) => f.write_str("byte array"),
            Unexpected::Unit => f.write_str("null"),
            Unexpected::Option => f.write_str("Option value"),
            Unexpected::NewtypeStruct => f.write_str("newtype struct"),
            Unexpected::Seq => f.write_str("sequence"),
            Unexpected::Map => f.write_str("map"),
            Unexpected::Enum => f.write_str("enum"),
            Unexpected::UnitVariant => f.write_str("unit variant"),
            Unexpected::NewtypeVariant => f.write_str("newtype variant"),
            Unexpected::TupleVariant => f.write_str("tuple variant"),
            Unexpected::StructVariant => f.write_str("struct variant"),
            Unexpected::Other(other) => f.write_str(other),
        }
    }
}

/// Decodes a `T` from a tree by its serde impl.
#[cfg(test)]
pub(crate) fn decode<'de, T: Deserialize<'de>>(node: &'de Node<'_>) -> Result<T, DecodeError> {
    T::deserialize(NodeDeserializer(node))
}

/// Drives a type's `Deserialize` over a [`Node`]. Errors leave with the path to the node they
/// came from.
/// A serde `Deserializer` over a [`Node`]: how [`Decode`] decodes the leaf types that have
/// a hand-written serde impl (amounts, currencies, dates) and `#[serde(with)]` fields.
#[derive(Clone, Copy)]
pub struct NodeDeserializer<'de, 'a>(&'de Node<'a>);

/// The error of a node of the wrong kind. Not generic: the visitor is only `&dyn Expected`.
#[cold]
#[inline(never)]
fn mismatch(node: &Node<'_>, expected: &dyn de::Expected) -> DecodeError {
    de::Error::invalid_type(node.unexpected(), expected)
}

impl<'de, 'a> NodeDeserializer<'de, 'a> {
    fn visit_array<V: Visitor<'de>>(
        items: &'de [Node<'a>],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        let mut reader = SeqReader {
            items: items.iter(),
            index: 0,
        };
        let value = visitor.visit_seq(&mut reader)?;
        match reader.items.len() {
            0 => Ok(value),
            _ => Err(de::Error::invalid_length(
                items.len(),
                &"fewer elements in array",
            )),
        }
    }

    fn visit_object<V: Visitor<'de>>(
        entries: &'de [(Cow<'a, str>, Node<'a>)],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        let mut reader = MapReader {
            entries: entries.iter(),
            pending: None,
        };
        let value = visitor.visit_map(&mut reader)?;
        match reader.entries.len() {
            0 => Ok(value),
            _ => Err(de::Error::invalid_length(
                entries.len(),
                &"fewer elements in map",
            )),
        }
    }

    /// A number for a numeric visitor (which checks its range); anything else is a mismatch.
    fn visit_number<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            Node::U64(u) => visitor.visit_u64(*u),
            Node::I64(i) => visitor.visit_i64(*i),
            Node::F64(f) => visitor.visit_f64(*f),
            other => Err(mismatch(other, &visitor)),
        }
    }

    fn visit_text<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            Node::Str(s) => visitor.visit_borrowed_str(s),
            other => Err(mismatch(other, &visitor)),
        }
    }
}

/// Deserializer methods that all read one kind of node through the same helper.
macro_rules! by_kind {
    ($($method:ident => $helper:ident,)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
            self.$helper(visitor)
        }
    )*};
}

// Each method calls only the visitor method its kind of node needs, and reports any other
// node through `mismatch`: forwarding everything to `deserialize_any` would instantiate every
// `visit_*` of every visitor (each an error path), and accepting an array for a struct (as
// serde_json does) a positional decoder per struct, ~150 KB of wasm in all, for forms no
// request uses.
impl<'de> Deserializer<'de> for NodeDeserializer<'de, '_> {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            Node::Null => visitor.visit_unit(),
            Node::Bool(b) => visitor.visit_bool(*b),
            Node::U64(u) => visitor.visit_u64(*u),
            Node::I64(i) => visitor.visit_i64(*i),
            Node::F64(f) => visitor.visit_f64(*f),
            Node::Str(s) => visitor.visit_borrowed_str(s),
            Node::Seq(items) => Self::visit_array(items, visitor),
            Node::Map(entries) => Self::visit_object(entries, visitor),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            Node::Bool(b) => visitor.visit_bool(*b),
            other => Err(mismatch(other, &visitor)),
        }
    }

    by_kind! {
        deserialize_i8 => visit_number,
        deserialize_i16 => visit_number,
        deserialize_i32 => visit_number,
        deserialize_i64 => visit_number,
        deserialize_i128 => visit_number,
        deserialize_u8 => visit_number,
        deserialize_u16 => visit_number,
        deserialize_u32 => visit_number,
        deserialize_u64 => visit_number,
        deserialize_u128 => visit_number,
        deserialize_f32 => visit_number,
        deserialize_f64 => visit_number,
        deserialize_char => visit_text,
        deserialize_str => visit_text,
        deserialize_string => visit_text,
        deserialize_identifier => visit_text,
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            Node::Str(s) => visitor.visit_borrowed_str(s),
            Node::Seq(items) => Self::visit_array(items, visitor),
            other => Err(mismatch(other, &visitor)),
        }
    }
    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            Node::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            Node::Null => visitor.visit_unit(),
            other => Err(mismatch(other, &visitor)),
        }
    }
    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            Node::Seq(items) => Self::visit_array(items, visitor),
            other => Err(mismatch(other, &visitor)),
        }
    }
    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_seq(visitor)
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            Node::Map(entries) => Self::visit_object(entries, visitor),
            other => Err(mismatch(other, &visitor)),
        }
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        match self.0 {
            Node::Str(name) => visitor.visit_enum(VariantReader { name, value: None }),
            Node::Map(entries) => match entries.as_slice() {
                [(name, value)] => visitor.visit_enum(VariantReader {
                    name,
                    value: Some(value),
                }),
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

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_unit()
    }
}

struct SeqReader<'de, 'a> {
    items: std::slice::Iter<'de, Node<'a>>,
    index: usize,
}

impl<'de> SeqAccess<'de> for SeqReader<'de, '_> {
    type Error = DecodeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DecodeError> {
        let Some(item) = self.items.next() else {
            return Ok(None);
        };
        let index = self.index;
        self.index += 1;
        seed.deserialize(NodeDeserializer(item))
            .map(Some)
            .map_err(|e| e.within_index(index))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct MapReader<'de, 'a> {
    entries: std::slice::Iter<'de, (Cow<'a, str>, Node<'a>)>,
    /// The entry whose key was read last, for its value.
    pending: Option<&'de (Cow<'a, str>, Node<'a>)>,
}

impl<'de> MapAccess<'de> for MapReader<'de, '_> {
    type Error = DecodeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DecodeError> {
        let Some(entry) = self.entries.next() else {
            return Ok(None);
        };
        self.pending = Some(entry);
        let key: &'de str = &entry.0;
        seed.deserialize(KeyDeserializer(key))
            .map(Some)
            .map_err(|e| e.within_key(key))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, DecodeError> {
        let Some((key, value)) = self.pending.take() else {
            return Err(de::Error::custom(
                "a map value was asked for before its key",
            ));
        };
        seed.deserialize(NodeDeserializer(value))
            .map_err(|e| e.within_key(key))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// An object's key. Integer and boolean keys (`HashMap<u32, _>`) are read from the text, as
/// serde_json reads them.
#[derive(Clone, Copy)]
struct KeyDeserializer<'de>(&'de str);

macro_rules! parsed_key {
    ($($method:ident => $visit:ident,)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
            match self.0.parse() {
                Ok(parsed) => visitor.$visit(parsed),
                Err(_) => visitor.visit_borrowed_str(self.0),
            }
        }
    )*};
}

impl<'de> Deserializer<'de> for KeyDeserializer<'de> {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_borrowed_str(self.0)
    }

    parsed_key! {
        deserialize_bool => visit_bool,
        deserialize_i8 => visit_i8,
        deserialize_i16 => visit_i16,
        deserialize_i32 => visit_i32,
        deserialize_i64 => visit_i64,
        deserialize_u8 => visit_u8,
        deserialize_u16 => visit_u16,
        deserialize_u32 => visit_u32,
        deserialize_u64 => visit_u64,
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        visitor.visit_enum(VariantReader {
            name: self.0,
            value: None,
        })
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        i128 u128 f32 f64 char str string bytes byte_buf unit unit_struct seq tuple
        tuple_struct map struct identifier
    }
}

/// An enum: its variant's name (a string, or the one key of an object) and, in the object
/// form, the variant's content. Errors inside the content carry the variant's name in their
/// path (`discount.percent.value`).
struct VariantReader<'de, 'a> {
    name: &'de str,
    value: Option<&'de Node<'a>>,
}

impl<'de, 'a> EnumAccess<'de> for VariantReader<'de, 'a> {
    type Error = DecodeError;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Self), DecodeError> {
        let variant = seed.deserialize(KeyDeserializer(self.name))?;
        Ok((variant, self))
    }
}

impl<'de> VariantAccess<'de> for VariantReader<'de, '_> {
    type Error = DecodeError;

    fn unit_variant(self) -> Result<(), DecodeError> {
        match self.value {
            None => Ok(()),
            Some(value) => {
                <()>::deserialize(NodeDeserializer(value)).map_err(|e| e.within_key(self.name))
            }
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<T::Value, DecodeError> {
        match self.value {
            Some(value) => seed
                .deserialize(NodeDeserializer(value))
                .map_err(|e| e.within_key(self.name)),
            None => Err(de::Error::invalid_type(
                Unexpected::UnitVariant,
                &"newtype variant",
            )),
        }
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        match self.value {
            Some(value) => NodeDeserializer(value)
                .deserialize_seq(visitor)
                .map_err(|e| e.within_key(self.name)),
            None => Err(de::Error::invalid_type(
                Unexpected::UnitVariant,
                &"tuple variant",
            )),
        }
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        match self.value {
            Some(value) => NodeDeserializer(value)
                .deserialize_map(visitor)
                .map_err(|e| e.within_key(self.name)),
            None => Err(de::Error::invalid_type(
                Unexpected::UnitVariant,
                &"struct variant",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::KassaError;
    use proptest::prelude::*;
    use rust_decimal::Decimal;
    use serde::de::DeserializeOwned;
    use std::collections::HashMap;

    #[derive(Debug, PartialEq, Deserialize, kassa_derive::Decode)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Order {
        order_id: String,
        items: Vec<Item>,
        #[serde(default)]
        note: Option<String>,
        discount: Option<Discount>,
        shipping: Option<Shipping>,
        #[serde(default)]
        counts: HashMap<u32, String>,
        flag: Option<bool>,
        pair: Option<(u8, String)>,
    }

    #[derive(Debug, PartialEq, Deserialize, kassa_derive::Decode)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Item {
        sku: String,
        quantity: u32,
        price: Decimal,
        ratio: Option<f64>,
    }

    /// Externally tagged, as most of the core's enums.
    #[derive(Debug, PartialEq, Deserialize, kassa_derive::Decode)]
    #[serde(rename_all = "snake_case")]
    enum Discount {
        None,
        Percent(Decimal),
        Fixed { amount: Decimal, currency: String },
    }

    /// Internally tagged (decoded by serde through its buffered `Content`).
    #[derive(Debug, PartialEq, Deserialize, kassa_derive::Decode)]
    #[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
    enum Shipping {
        Flat { amount: Decimal },
        Free,
    }

    /// Through the tree by the type's derived `Decode`, as the hosts decode.
    fn via_tree<T: Decode>(text: &str) -> Result<T, DecodeError> {
        T::decode(&Node::parse(text).map_err(DecodeError::new)?)
    }

    /// Through the tree by the type's serde impl.
    fn via_serde<T: DeserializeOwned>(text: &str) -> Result<T, DecodeError> {
        decode(&Node::parse(text).map_err(DecodeError::new)?)
    }

    /// The host error of a request that is not well formed (`from_str`, which decodes
    /// through the tree after serde_json's own decoder failed).
    fn failure(text: &str) -> (String, String) {
        let e: KassaError = match super::super::from_str::<Order>(text) {
            Ok(v) => panic!("{text} decoded: {v:?}"),
            Err(e) => e,
        };
        let d = e.details.first().expect("a field error");
        (d.field.clone(), d.message.clone())
    }

    const GOOD: &str = r#"{"orderId":"o-1","items":[{"sku":"A","quantity":2,"price":"9.99"},
        {"sku":"B\u00e9","quantity":1,"price":"0.5","ratio":1}],"note":null,
        "discount":{"fixed":{"amount":"5","currency":"EUR"}},"shipping":{"type":"flat","amount":"4.90"},
        "counts":{"3":"three"},"flag":true,"pair":[7,"x"]}"#;

    #[test]
    fn well_formed_requests_decode_as_serde_json_decodes_them() {
        let ours: Order = via_tree(GOOD).unwrap();
        let theirs: Order = serde_json::from_str(GOOD).unwrap();
        assert_eq!(ours, theirs);
        assert_eq!(ours.counts.get(&3).map(String::as_str), Some("three"));
        for (discount, want) in [
            (r#""none""#, Discount::None),
            (
                r#"{"percent":"12.5"}"#,
                Discount::Percent(Decimal::new(125, 1)),
            ),
        ] {
            let text = format!(
                r#"{{"orderId":"o","items":[],"discount":{discount},"shipping":{{"type":"free"}}}}"#
            );
            let ours: Order = via_tree(&text).unwrap();
            assert_eq!(ours.discount, Some(want));
            assert_eq!(ours.shipping, Some(Shipping::Free));
            let from_value =
                Order::decode(&Node::of_value(&serde_json::from_str(&text).unwrap())).unwrap();
            assert_eq!(from_value, ours);
        }
    }

    #[test]
    fn a_failure_names_the_path_and_keeps_serde_jsons_message() {
        let cases = [
            (
                r#"{"orderId":"o","items":[{"sku":"A","quantity":1,"price":"1"},{"sku":"B","quantity":-1,"price":"1"}]}"#,
                "items[1].quantity",
                "invalid value: integer `-1`, expected u32",
            ),
            (
                r#"{"orderId":"o","items":[{"sku":"A","quantity":1.5,"price":"1"}]}"#,
                "items[0].quantity",
                "invalid type: floating point `1.5`, expected u32",
            ),
            (
                r#"{"orderId":"o","items":[{"sku":"A","price":"1"}]}"#,
                "items[0]",
                "missing field `quantity`",
            ),
            (
                r#"{"orderId":"o","items":[{"sku":"A","quantity":1,"price":"1","colour":"red"}]}"#,
                "items[0].colour",
                "unknown field `colour`, expected one of `sku`, `quantity`, `price`, `ratio`",
            ),
            (r#"{"orderId":null,"items":[]}"#, "orderId", "invalid type: null, expected a string"),
            (r#"{"orderId":"o","orderId":"p","items":[]}"#, "input", "duplicate field `orderId`"),
            (r#"{"items":[]}"#, "input", "missing field `orderId`"),
            (r#"[1,2]"#, "input", "invalid type: sequence, expected struct Order"),
            // Positional structs, which serde_json alone would take: refused on every host.
            (
                r#"["o",[]]"#,
                "input",
                "invalid type: sequence, expected struct Order",
            ),
            (
                r#"{"orderId":"o","items":[["A",1,"2",null]]}"#,
                "items[0]",
                "invalid type: sequence, expected struct Item",
            ),
            (
                r#"{"orderId":"o","items":[],"discount":{"fixed":["1","EUR"]}}"#,
                "discount.fixed",
                "invalid type: sequence, expected struct variant Discount::Fixed",
            ),
            (
                r#"{"orderId":"o","items":[],"discount":{"percent":"x"}}"#,
                "discount.percent",
                "invalid value: string \"x\", expected a Decimal type representing a fixed-point number",
            ),
            (
                r#"{"orderId":"o","items":[],"discount":{"fixed":{"amount":"1"}}}"#,
                "discount.fixed",
                "missing field `currency`",
            ),
            (
                r#"{"orderId":"o","items":[],"discount":"half"}"#,
                "discount",
                "unknown variant `half`, expected one of `none`, `percent`, `fixed`",
            ),
            (
                r#"{"orderId":"o","items":[],"discount":{"none":null,"percent":"1"}}"#,
                "discount",
                "invalid value: map, expected map with a single key",
            ),
            (
                r#"{"orderId":"o","items":[],"shipping":{"type":"flat"}}"#,
                "shipping",
                "missing field `amount`",
            ),
            (
                r#"{"orderId":"o","items":[],"counts":{"x":"y"}}"#,
                "counts.x",
                "invalid type: string \"x\", expected u32",
            ),
            (
                r#"{"orderId":"o","items":[],"pair":[1,"a",2]}"#,
                "pair",
                "invalid length 3, expected fewer elements in array",
            ),
        ];
        for (text, field, message) in cases {
            assert_eq!(
                failure(text),
                (field.to_owned(), message.to_owned()),
                "{text}"
            );
        }
    }

    #[test]
    fn a_positional_struct_is_refused_from_a_value_too() {
        for text in [
            r#"["o",[]]"#,
            r#"{"orderId":"o","items":[["A",1,"2",null]]}"#,
        ] {
            let value: Value = serde_json::from_str(text).unwrap();
            let e = super::super::from_value::<Order>(value).expect_err(text);
            let d = e.details.first().expect("a field error");
            assert_eq!(
                (d.field.clone(), d.message.clone()),
                failure(text),
                "{text}"
            );
        }
    }

    #[test]
    fn text_that_is_not_json_is_an_error_on_input() {
        for text in ["", "{", r#"{"orderId":"o","items":[]} x"#, "nul"] {
            let (field, message) = failure(text);
            assert_eq!(field, "input", "{text}");
            assert!(message.starts_with("not valid JSON: "), "{text}: {message}");
        }
    }

    #[test]
    fn nesting_beyond_serde_jsons_limit_is_refused_not_a_stack_overflow() {
        let text = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(Node::parse(&text).is_err());
    }

    fn json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            (-1e12f64..1e12).prop_map(Value::from),
            "[a-zé\"\\\\ ]{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map("[a-z]{0,3}", inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Any JSON text decodes through the tree to the value serde_json reads from it,
        /// and a `Value` through its tree to itself.
        #[test]
        fn any_json_round_trips_through_the_tree(value in json()) {
            let text = value.to_string();
            let ours: Value = via_serde(&text).unwrap();
            prop_assert_eq!(&ours, &serde_json::from_str::<Value>(&text).unwrap());
            let back: Value = decode(&Node::of_value(&value)).unwrap();
            prop_assert_eq!(back, value);
        }
    }
}
