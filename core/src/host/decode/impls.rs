//! [`Decode`] for the standard containers (through the tree, so a failing item's path is
//! kept) and the leaf types (through their serde impls, small and shared by every request).

use super::{mismatch, Decode, DecodeError, KeyDeserializer, Node, NodeDeserializer};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{BuildHasher, Hash};
use std::sync::Arc;

/// Leaf types: decoded by their serde impl over the node.
macro_rules! via_serde {
    ($($ty:ty),* $(,)?) => {$(
        impl Decode for $ty {
            fn decode(node: &Node<'_>) -> Result<Self, DecodeError> {
                <$ty as Deserialize>::deserialize(NodeDeserializer(node))
            }
        }
    )*};
}

via_serde!(
    bool,
    u8,
    u16,
    u32,
    u64,
    usize,
    i32,
    i64,
    f64,
    String,
    Arc<str>,
    (),
    rust_decimal::Decimal,
    chrono::DateTime<chrono::Utc>,
    chrono::NaiveDate,
    serde_json::Value,
    serde_json::Map<String, serde_json::Value>,
    crate::money::Money,
    crate::money::Currency,
    crate::access::Grant,
);

impl<T: Decode> Decode for Option<T> {
    fn decode(node: &Node<'_>) -> Result<Self, DecodeError> {
        match node {
            Node::Null => Ok(None),
            _ => T::decode(node).map(Some),
        }
    }

    fn missing() -> Option<Self> {
        Some(None)
    }
}

impl Decode for std::borrow::Cow<'static, str> {
    fn decode(node: &Node<'_>) -> Result<Self, DecodeError> {
        String::decode(node).map(std::borrow::Cow::Owned)
    }
}

impl<T: Decode> Decode for Arc<[T]> {
    fn decode(node: &Node<'_>) -> Result<Self, DecodeError> {
        Vec::<T>::decode(node).map(Arc::from)
    }
}

impl<T: Decode> Decode for Box<T> {
    fn decode(node: &Node<'_>) -> Result<Self, DecodeError> {
        T::decode(node).map(Box::new)
    }
}

impl<T: Decode> Decode for Arc<T> {
    fn decode(node: &Node<'_>) -> Result<Self, DecodeError> {
        T::decode(node).map(Arc::new)
    }
}

/// The items of an array, or the error of a node that is not one.
fn items<'n, 'a>(node: &'n Node<'a>) -> Result<&'n [Node<'a>], DecodeError> {
    match node {
        Node::Seq(items) => Ok(items),
        other => Err(mismatch(other, &"a sequence")),
    }
}

/// Item `i` decoded, its error within its index.
// Plain loops over this rather than `collect` into `Result<Vec<T>, _>`: the iterator adapters
// (`GenericShunt`, `try_fold`, `from_iter`) were ~35 KB of wasm over every decoded item type
// (docs/performance.md, wasm, "Session 15").
fn item<T: Decode>(i: usize, node: &Node<'_>) -> Result<T, DecodeError> {
    T::decode(node).map_err(|e| e.within_index(i))
}

impl<T: Decode> Decode for Vec<T> {
    fn decode(node: &Node<'_>) -> Result<Self, DecodeError> {
        let nodes = items(node)?;
        let mut out = Vec::with_capacity(nodes.len());
        for (i, n) in nodes.iter().enumerate() {
            out.push(item(i, n)?);
        }
        Ok(out)
    }
}

impl<T: Decode + Ord> Decode for BTreeSet<T> {
    fn decode(node: &Node<'_>) -> Result<Self, DecodeError> {
        let mut out = BTreeSet::new();
        for (i, n) in items(node)?.iter().enumerate() {
            out.insert(item(i, n)?);
        }
        Ok(out)
    }
}

impl<A: smallvec::Array> Decode for smallvec::SmallVec<A>
where
    A::Item: Decode,
{
    fn decode(node: &Node<'_>) -> Result<Self, DecodeError> {
        let mut out = Self::new();
        for (i, n) in items(node)?.iter().enumerate() {
            out.push(item(i, n)?);
        }
        Ok(out)
    }
}

/// The entries of an object, or the error of a node that is not one.
fn entries<'n, 'a>(node: &'n Node<'a>) -> Result<&'n [(Cow<'a, str>, Node<'a>)], DecodeError> {
    match node {
        Node::Map(entries) => Ok(entries),
        other => Err(mismatch(other, &"a map")),
    }
}

/// One entry: the key by its serde impl (numeric keys are read from the key's text, as
/// serde_json reads them), the value decoded, errors within the key. A repeated key's last
/// value wins, as with serde's maps.
fn entry<K: DeserializeOwned, V: Decode>(
    key: &str,
    value: &Node<'_>,
) -> Result<(K, V), DecodeError> {
    let k = K::deserialize(KeyDeserializer(key)).map_err(|e| e.within_key(key))?;
    let v = V::decode(value).map_err(|e| e.within_key(key))?;
    Ok((k, v))
}

impl<K: DeserializeOwned + Ord, V: Decode> Decode for BTreeMap<K, V> {
    fn decode(node: &Node<'_>) -> Result<Self, DecodeError> {
        let mut out = BTreeMap::new();
        for (key, value) in entries(node)? {
            let (k, v) = entry(key, value)?;
            out.insert(k, v);
        }
        Ok(out)
    }
}

impl<K, V, S> Decode for HashMap<K, V, S>
where
    K: DeserializeOwned + Eq + Hash,
    V: Decode,
    S: BuildHasher + Default,
{
    fn decode(node: &Node<'_>) -> Result<Self, DecodeError> {
        let mut out = HashMap::default();
        for (key, value) in entries(node)? {
            let (k, v) = entry(key, value)?;
            out.insert(k, v);
        }
        Ok(out)
    }
}

/// Tuples: an array of exactly their size.
macro_rules! tuple {
    ($len:literal => $($name:ident $index:tt)*) => {
        impl<$($name: Decode),*> Decode for ($($name,)*) {
            fn decode(node: &Node<'_>) -> Result<Self, DecodeError> {
                let items = super::derive::Tuple::open(
                    node,
                    concat!("a tuple of size ", $len),
                    concat!("a tuple of size ", $len),
                    $len,
                )?;
                Ok(($(items.item::<$name>($index)?,)*))
            }
        }
    };
}

tuple!(2 => A 0 B 1);
tuple!(3 => A 0 B 1 C 2);
