//! Splits SOQL text into words, quoted strings, numbers, datetime literals and symbols.

use expedite_domain::Timestamp;

use crate::errors::ApiError;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Token {
    Word(String),
    Text(String),
    Number(f64),
    DateTime(Timestamp),
    Symbol(&'static str),
}

pub(super) fn tokenize(text: &str) -> Result<Vec<Token>, ApiError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' {
            let (literal, next) = string_literal(&chars, i + 1)?;
            tokens.push(Token::Text(literal));
            i = next;
        } else if c.is_ascii_digit()
            || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let start = i;
            i += 1;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || ":.+-".contains(chars[i]))
            {
                i += 1;
            }
            tokens.push(number_or_datetime(
                &chars[start..i].iter().collect::<String>(),
            )?);
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || "_.".contains(chars[i])) {
                i += 1;
            }
            tokens.push(Token::Word(chars[start..i].iter().collect()));
        } else {
            let two: String = chars[i..chars.len().min(i + 2)].iter().collect();
            let symbol = ["!=", "<>", "<=", ">="]
                .into_iter()
                .find(|s| *s == two)
                .or_else(|| {
                    [",", "(", ")", "=", "<", ">"]
                        .into_iter()
                        .find(|s| s.starts_with(c))
                })
                .ok_or_else(|| ApiError::malformed_query(format!("unexpected token: '{c}'")))?;
            i += symbol.len();
            tokens.push(Token::Symbol(if symbol == "<>" { "!=" } else { symbol }));
        }
    }
    Ok(tokens)
}

fn string_literal(chars: &[char], mut i: usize) -> Result<(String, usize), ApiError> {
    let mut out = String::new();
    while i < chars.len() {
        match chars[i] {
            '\'' => return Ok((out, i + 1)),
            '\\' => {
                let escaped = chars.get(i + 1).copied().ok_or_else(unterminated)?;
                out.push(match escaped {
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    'b' => '\u{8}',
                    'f' => '\u{c}',
                    '\'' | '"' | '\\' | '_' | '%' => escaped,
                    other => {
                        return Err(ApiError::malformed_query(format!(
                            "Invalid string literal: illegal escape sequence \\{other}"
                        )));
                    }
                });
                i += 2;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Err(unterminated())
}

fn unterminated() -> ApiError {
    ApiError::malformed_query("unexpected end of query: unterminated string literal")
}

fn number_or_datetime(text: &str) -> Result<Token, ApiError> {
    if text.len() >= 10 && text.as_bytes()[4] == b'-' {
        return Timestamp::parse(text).map(Token::DateTime).map_err(|_| {
            ApiError::malformed_query(format!(
                "line 1:0 no viable alternative at character '{text}': expected a dateTime literal like 2024-01-01T00:00:00Z"
            ))
        });
    }
    text.parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
        .map(Token::Number)
        .ok_or_else(|| ApiError::malformed_query(format!("unexpected token: '{text}'")))
}

pub(super) fn describe(token: &Token) -> String {
    match token {
        Token::Word(w) => w.clone(),
        Token::Text(t) => format!("'{t}'"),
        Token::Number(n) => n.to_string(),
        Token::DateTime(at) => at.to_rfc3339(),
        Token::Symbol(s) => (*s).to_owned(),
    }
}
