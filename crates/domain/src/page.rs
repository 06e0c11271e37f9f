//! Cursor pagination: a page of items and an opaque cursor for the next one.

use serde::{Deserialize, Serialize};

/// One page of a listing. `next_cursor` is absent on the last page; `prev_cursor`, where a
/// listing offers it, is present when items come before this page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub next_cursor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub prev_cursor: Option<String>,
}

/// What a client asks for: where to continue and how many items at most.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PageRequest {
    pub cursor: Option<String>,
    pub limit: Limit,
}

/// A page size between 1 and [`Limit::MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit(u32);

impl Limit {
    pub const DEFAULT: Self = Self(25);
    pub const MAX: u32 = 100;

    /// `None` gives the default; out-of-range values are refused.
    pub fn parse(value: Option<u32>) -> Result<Self, LimitError> {
        match value {
            None => Ok(Self::DEFAULT),
            Some(n) if (1..=Self::MAX).contains(&n) => Ok(Self(n)),
            Some(n) => Err(LimitError(n)),
        }
    }

    pub const fn get(self) -> u32 {
        self.0
    }
}

impl Default for Limit {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A page size out of range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("limit must be between 1 and {max}, got {0}", max = Limit::MAX)]
pub struct LimitError(pub u32);
