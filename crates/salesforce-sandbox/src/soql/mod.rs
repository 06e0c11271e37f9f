//! A parser for the SOQL a sync sends: one object, plain fields (and `Owner.Name` in the
//! select list), a boolean filter, an order and a limit. Anything else is refused with the
//! error Salesforce gives.

use expedite_domain::Timestamp;

use crate::account::{Field, Kind};
use crate::errors::ApiError;
use crate::render::Column;
use lexer::{Token, describe, tokenize};
use typing::{column, field};

mod lexer;
mod typing;

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Soql {
    pub(crate) selection: Selection,
    pub(crate) filter: Option<Expr>,
    pub(crate) order: Vec<OrderKey>,
    pub(crate) limit: Option<usize>,
    pub(crate) offset: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Selection {
    /// `SELECT COUNT() …`: only `totalSize` matters.
    Count,
    Columns(Vec<Column>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Compare(Field, Op, Literal),
    In {
        field: Field,
        negated: bool,
        values: Vec<Literal>,
    },
    Like(Field, String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Literal {
    Null,
    Text(String),
    Number(f64),
    Boolean(bool),
    DateTime(Timestamp),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OrderKey {
    pub(crate) field: Field,
    pub(crate) descending: bool,
    pub(crate) nulls_last: bool,
}

/// Parses `text`, checking the object and every field against the Account schema.
pub(crate) fn parse(text: &str) -> Result<Soql, ApiError> {
    let tokens = tokenize(text)?;
    Parser { tokens, pos: 0 }.query()
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Result<Token, ApiError> {
        let token = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        token.ok_or_else(|| ApiError::malformed_query("unexpected end of query"))
    }

    fn at_keyword(&self, keyword: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(keyword))
    }

    fn eat_keyword(&mut self, keyword: &str) -> bool {
        let found = self.at_keyword(keyword);
        self.pos += usize::from(found);
        found
    }

    fn expect_keyword(&mut self, keyword: &str) -> Result<(), ApiError> {
        if self.eat_keyword(keyword) {
            Ok(())
        } else {
            Err(self.unexpected(&format!("expecting {keyword}")))
        }
    }

    fn eat_symbol(&mut self, symbol: &str) -> bool {
        let found = matches!(self.peek(), Some(Token::Symbol(s)) if *s == symbol);
        self.pos += usize::from(found);
        found
    }

    fn unexpected(&self, expecting: &str) -> ApiError {
        match self.peek() {
            Some(token) => ApiError::malformed_query(format!(
                "unexpected token: {}, {expecting}",
                describe(token)
            )),
            None => ApiError::malformed_query(format!("unexpected end of query, {expecting}")),
        }
    }

    fn word(&mut self) -> Result<String, ApiError> {
        match self.next()? {
            Token::Word(w) => Ok(w),
            other => Err(ApiError::malformed_query(format!(
                "unexpected token: {}",
                describe(&other)
            ))),
        }
    }

    fn query(mut self) -> Result<Soql, ApiError> {
        self.expect_keyword("SELECT")?;
        let names = if self.at_keyword("COUNT")
            && self.tokens.get(self.pos + 1) == Some(&Token::Symbol("("))
        {
            self.pos += 2;
            if !self.eat_symbol(")") {
                return Err(self.unexpected("COUNT() takes no field here"));
            }
            None
        } else {
            let mut names = vec![self.word()?];
            while self.eat_symbol(",") {
                names.push(self.word()?);
            }
            Some(names)
        };
        self.expect_keyword("FROM")?;
        let object = self.word()?;
        if !object.eq_ignore_ascii_case("Account") {
            return Err(ApiError::bad_request(
                "INVALID_TYPE",
                format!(
                    "sObject type '{object}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names."
                ),
            ));
        }
        let selection = match names {
            None => Selection::Count,
            Some(names) => {
                Selection::Columns(names.iter().map(|n| column(n)).collect::<Result<_, _>>()?)
            }
        };
        let filter = if self.eat_keyword("WHERE") {
            Some(self.condition()?)
        } else {
            None
        };
        let mut order = Vec::new();
        if self.eat_keyword("ORDER") {
            self.expect_keyword("BY")?;
            loop {
                order.push(self.order_key()?);
                if !self.eat_symbol(",") {
                    break;
                }
            }
        }
        let limit = if self.eat_keyword("LIMIT") {
            Some(self.count("LIMIT")?)
        } else {
            None
        };
        let offset = if self.eat_keyword("OFFSET") {
            self.count("OFFSET")?
        } else {
            0
        };
        if offset > 2000 {
            return Err(ApiError::bad_request(
                "NUMBER_OUTSIDE_VALID_RANGE",
                format!("Maximum SOQL offset allowed is 2000, got {offset}"),
            ));
        }
        if self.peek().is_some() {
            return Err(self.unexpected("expecting end of query"));
        }
        Ok(Soql {
            selection,
            filter,
            order,
            limit,
            offset,
        })
    }

    fn count(&mut self, clause: &str) -> Result<usize, ApiError> {
        match self.next()? {
            Token::Number(n) if n >= 0.0 && n.fract() == 0.0 && n <= f64::from(u32::MAX) => {
                Ok(n as usize)
            }
            other => Err(ApiError::malformed_query(format!(
                "unexpected token: {}, {clause} takes a non-negative integer",
                describe(&other)
            ))),
        }
    }

    fn order_key(&mut self) -> Result<OrderKey, ApiError> {
        let field = field(&self.word()?)?;
        let descending = self.eat_keyword("DESC");
        if !descending {
            self.eat_keyword("ASC");
        }
        let nulls_last = if self.eat_keyword("NULLS") {
            if self.eat_keyword("LAST") {
                true
            } else {
                self.expect_keyword("FIRST")?;
                false
            }
        } else {
            descending
        };
        Ok(OrderKey {
            field,
            descending,
            nulls_last,
        })
    }

    /// `a AND b AND c` or `a OR b OR c`; mixing needs parentheses, as in Salesforce.
    fn condition(&mut self) -> Result<Expr, ApiError> {
        let first = self.unary()?;
        let (is_and, mut items) = if self.at_keyword("AND") {
            (true, vec![first])
        } else if self.at_keyword("OR") {
            (false, vec![first])
        } else {
            return Ok(first);
        };
        let (same, other) = if is_and { ("AND", "OR") } else { ("OR", "AND") };
        while self.eat_keyword(same) {
            items.push(self.unary()?);
        }
        if self.at_keyword(other) {
            return Err(self.unexpected("mixing AND and OR requires parentheses"));
        }
        Ok(if is_and {
            Expr::And(items)
        } else {
            Expr::Or(items)
        })
    }

    fn unary(&mut self) -> Result<Expr, ApiError> {
        if self.eat_keyword("NOT") {
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.eat_symbol("(") {
            let inner = self.condition()?;
            if !self.eat_symbol(")") {
                return Err(self.unexpected("expecting ')'"));
            }
            return Ok(inner);
        }
        let field = field(&self.word()?)?;
        let negated = self.eat_keyword("NOT");
        if self.eat_keyword("IN") {
            if !self.eat_symbol("(") {
                return Err(self.unexpected("expecting '('"));
            }
            let mut values = vec![self.literal(field)?];
            while self.eat_symbol(",") {
                values.push(self.literal(field)?);
            }
            if !self.eat_symbol(")") {
                return Err(self.unexpected("expecting ')'"));
            }
            return Ok(Expr::In {
                field,
                negated,
                values,
            });
        }
        if negated {
            return Err(self.unexpected("expecting IN after NOT"));
        }
        if self.eat_keyword("LIKE") {
            return match (field.kind(), self.next()?) {
                (Kind::Text | Kind::Id, Token::Text(pattern)) => Ok(Expr::Like(field, pattern)),
                _ => Err(ApiError::invalid_field(format!(
                    "invalid operator on field '{}': LIKE needs a text field and a quoted pattern",
                    field.name()
                ))),
            };
        }
        let op = match self.next()? {
            Token::Symbol("=") => Op::Eq,
            Token::Symbol("!=") => Op::Ne,
            Token::Symbol("<") => Op::Lt,
            Token::Symbol("<=") => Op::Le,
            Token::Symbol(">") => Op::Gt,
            Token::Symbol(">=") => Op::Ge,
            other => {
                return Err(ApiError::malformed_query(format!(
                    "unexpected token: {}, expecting a comparison operator",
                    describe(&other)
                )));
            }
        };
        Ok(Expr::Compare(field, op, self.literal(field)?))
    }

    /// A literal, checked against the type of the field it is compared with.
    fn literal(&mut self, field: Field) -> Result<Literal, ApiError> {
        let token = self.next()?;
        let literal = match token {
            Token::Word(w) if w.eq_ignore_ascii_case("null") => return Ok(Literal::Null),
            Token::Word(w) if w.eq_ignore_ascii_case("true") => Literal::Boolean(true),
            Token::Word(w) if w.eq_ignore_ascii_case("false") => Literal::Boolean(false),
            Token::Word(w) => {
                return Err(ApiError::malformed_query(format!(
                    "unexpected token: '{w}'"
                )));
            }
            Token::Text(t) => Literal::Text(t),
            Token::Number(n) => Literal::Number(n),
            Token::DateTime(at) => Literal::DateTime(at),
            Token::Symbol(s) => {
                return Err(ApiError::malformed_query(format!(
                    "unexpected token: '{s}'"
                )));
            }
        };
        typing::check(field, literal)
    }
}
