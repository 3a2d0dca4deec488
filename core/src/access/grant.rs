//! Permission grants: `resource:action[:own]` with wildcards.

use crate::error::{KassaError, Result};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// One side of a grant: a name or the wildcard `*`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Pattern {
    /// `*`: matches every name.
    Any,
    /// Matches exactly this name.
    Exact(Box<str>),
}

impl Pattern {
    /// Whether the pattern matches `name`.
    #[inline]
    pub fn matches(&self, name: &str) -> bool {
        match self {
            Pattern::Any => true,
            Pattern::Exact(n) => &**n == name,
        }
    }

    fn parse(s: &str, field: &str) -> Result<Pattern> {
        if s == "*" {
            return Ok(Pattern::Any);
        }
        let valid = !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if !valid {
            return Err(KassaError::validation(
                field,
                format!("'{s}' is not a name ([a-z0-9_-]{{1,64}}) or '*'"),
            ));
        }
        Ok(Pattern::Exact(s.into()))
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pattern::Any => f.write_str("*"),
            Pattern::Exact(n) => f.write_str(n),
        }
    }
}

/// A permission: `resource:action`, optionally restricted to owned resources (`:own`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Grant {
    /// The resource kind pattern.
    pub resource: Pattern,
    /// The action pattern.
    pub action: Pattern,
    /// Whether the grant applies only to resources the principal owns.
    pub own_only: bool,
}

impl Grant {
    /// Parses `resource:action` or `resource:action:own`; `field` names the input in errors.
    pub fn parse(s: &str, field: &str) -> Result<Grant> {
        let mut parts = s.split(':');
        let (Some(r), Some(a)) = (parts.next(), parts.next()) else {
            return Err(KassaError::validation(
                field,
                format!("'{s}' is not 'resource:action' or 'resource:action:own'"),
            ));
        };
        let own_only = match (parts.next(), parts.next()) {
            (None, _) => false,
            (Some("own"), None) => true,
            _ => {
                return Err(KassaError::validation(
                    field,
                    format!("'{s}' is not 'resource:action' or 'resource:action:own'"),
                ))
            }
        };
        Ok(Grant {
            resource: Pattern::parse(r, field)?,
            action: Pattern::parse(a, field)?,
            own_only,
        })
    }

    /// Whether the grant covers `action` on resources of `kind` (ownership aside).
    #[inline]
    pub fn covers(&self, kind: &str, action: &str) -> bool {
        self.resource.matches(kind) && self.action.matches(action)
    }
}

impl fmt::Display for Grant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.resource, self.action)?;
        if self.own_only {
            f.write_str(":own")?;
        }
        Ok(())
    }
}

impl Serialize for Grant {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Grant {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Grant::parse(&s, "permission").map_err(|e| serde::de::Error::custom(e.message))
    }
}
