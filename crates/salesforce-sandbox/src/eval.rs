//! Running a parsed SOQL filter and order over Accounts, with SOQL's comparison rules:
//! text compares case-insensitively, `!=` matches nulls, ascending puts nulls first.

use std::cmp::Ordering;
use std::sync::Arc;

use crate::account::{Account, Field, Kind, Value};
use crate::soql::{Expr, Literal, Op, OrderKey};

pub(crate) fn matches(expr: &Expr, account: &Account) -> bool {
    match expr {
        Expr::And(items) => items.iter().all(|e| matches(e, account)),
        Expr::Or(items) => items.iter().any(|e| matches(e, account)),
        Expr::Not(inner) => !matches(inner, account),
        Expr::Compare(field, op, literal) => compare(*field, account.get(*field), *op, literal),
        Expr::In {
            field,
            negated,
            values,
        } => {
            let value = account.get(*field);
            let found = values.iter().any(|l| compare(*field, value, Op::Eq, l));
            found != *negated
        }
        Expr::Like(field, pattern) => match account.get(*field) {
            Value::Text(text) => like(&lower(text), &lower(pattern)),
            _ => false,
        },
    }
}

fn compare(field: Field, value: Value<'_>, op: Op, literal: &Literal) -> bool {
    let ordering = match (value, literal) {
        (Value::Null, Literal::Null) => return matches!(op, Op::Eq),
        (_, Literal::Null) => return matches!(op, Op::Ne),
        (Value::Null, _) => return matches!(op, Op::Ne),
        (Value::Text(a), Literal::Text(b)) if field.kind() == Kind::Id => Some(a.cmp(b.as_str())),
        (Value::Text(a), Literal::Text(b)) => Some(cmp_text(a, b)),
        (Value::Number(a), Literal::Number(b)) => a.partial_cmp(b),
        (Value::Boolean(a), Literal::Boolean(b)) => Some(a.cmp(b)),
        (Value::DateTime(a), Literal::DateTime(b)) => Some(a.cmp(b)),
        _ => None,
    };
    let Some(ordering) = ordering else {
        return false;
    };
    match op {
        Op::Eq => ordering == Ordering::Equal,
        Op::Ne => ordering != Ordering::Equal,
        Op::Lt => ordering == Ordering::Less,
        Op::Le => ordering != Ordering::Greater,
        Op::Gt => ordering == Ordering::Greater,
        Op::Ge => ordering != Ordering::Less,
    }
}

fn cmp_text(a: &str, b: &str) -> Ordering {
    a.chars()
        .flat_map(char::to_lowercase)
        .cmp(b.chars().flat_map(char::to_lowercase))
}

fn lower(text: &str) -> Vec<char> {
    text.chars().flat_map(char::to_lowercase).collect()
}

/// SOQL `LIKE`: `%` is any run of characters, `_` exactly one.
fn like(text: &[char], pattern: &[char]) -> bool {
    // Classic two-pointer wildcard match with backtracking to the last `%`.
    let (mut t, mut p) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '_' || pattern[p] == text[t]) {
            t += 1;
            p += 1;
        } else if p < pattern.len() && pattern[p] == '%' {
            star = Some((p, t));
            p += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == '%')
}

/// Sorts rows by the ORDER BY keys; rows equal on every key keep their id order.
pub(crate) fn sort(rows: &mut [Arc<Account>], order: &[OrderKey]) {
    if order.is_empty() {
        return;
    }
    rows.sort_by(|a, b| {
        order
            .iter()
            .map(|key| order_values(key, a.get(key.field), b.get(key.field)))
            .find(|o| *o != Ordering::Equal)
            .unwrap_or(Ordering::Equal)
    });
}

fn order_values(key: &OrderKey, a: Value<'_>, b: Value<'_>) -> Ordering {
    let nulls = |a_is_null: bool| {
        if a_is_null == key.nulls_last {
            Ordering::Greater
        } else {
            Ordering::Less
        }
    };
    let ordering = match (a, b) {
        (Value::Null, Value::Null) => return Ordering::Equal,
        // Null placement does not flip with DESC: NULLS FIRST/LAST says where they go.
        (Value::Null, _) => return nulls(true),
        (_, Value::Null) => return nulls(false),
        (Value::Text(x), Value::Text(y)) if key.field.kind() == Kind::Id => x.cmp(y),
        (Value::Text(x), Value::Text(y)) => cmp_text(x, y),
        (Value::Number(x), Value::Number(y)) => x.total_cmp(&y),
        (Value::Boolean(x), Value::Boolean(y)) => x.cmp(&y),
        (Value::DateTime(x), Value::DateTime(y)) => x.cmp(&y),
        _ => Ordering::Equal,
    };
    if key.descending {
        ordering.reverse()
    } else {
        ordering
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_handles_wildcards() {
        let m = |t: &str, p: &str| like(&lower(t), &lower(p));
        assert!(m("Acme Corp", "acme%"));
        assert!(m("Acme Corp", "%CORP"));
        assert!(m("Acme", "A_me"));
        assert!(!m("Acme", "A_e"));
        assert!(m("", "%"));
        assert!(!m("Acme", "b%"));
    }
}
