//! Detection: the CRS-style rules of `rules/` and libinjection (CRS 942100 for SQL injection,
//! 941100 for XSS), each reading only the parts of a request its CRS rule reads.

use crate::{
    Field, Location, Treatment, decode,
    rules::{self, Input, Target},
};

/// A match: which rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detection {
    pub rule: &'static str,
}

/// Decides whether one value of a request, inspected as its route's policy says, is an attack.
pub trait Detector: Send + Sync {
    fn detect(&self, field: &Field<'_>, treatment: Treatment) -> Option<Detection>;
}

/// libinjection plus the rules of `rules/`, compiled once for the process.
#[derive(Debug)]
pub struct RuleSet {
    _private: (),
}

impl Default for RuleSet {
    fn default() -> Self {
        Self::new()
    }
}

impl RuleSet {
    /// Compiles the rules (once per process; later calls share them).
    pub fn new() -> Self {
        rules::warm_up();
        Self { _private: () }
    }
}

/// The rule families a treatment leaves on.
#[derive(Debug, Clone, Copy)]
struct Families {
    /// SQL, command and path rules.
    structural: bool,
    xss: bool,
}

impl Families {
    fn of(treatment: Treatment) -> Self {
        match treatment {
            Treatment::Inspect | Treatment::Numeric => Self {
                structural: true,
                xss: true,
            },
            Treatment::Prose { xss } => Self {
                structural: false,
                xss,
            },
            Treatment::Opaque => Self {
                structural: false,
                xss: false,
            },
        }
    }

    fn allows(self, rule: &str) -> bool {
        if rule.starts_with("xss-") {
            self.xss
        } else {
            self.structural
        }
    }
}

fn target(field: &Field<'_>) -> Target {
    match field.location {
        Location::Path => Target::Path,
        Location::Pair => Target::Pair,
        Location::Header => match field.name.as_deref() {
            Some("user-agent" | "referer") => Target::AgentOrReferer,
            _ => Target::Header,
        },
        Location::QueryName
        | Location::QueryValue
        | Location::BodyName
        | Location::BodyValue
        | Location::Body
        | Location::Cookie => Target::Arg,
    }
}

/// Short values made of word characters only: no decoding applies to them and neither
/// libinjection nor any quote- or operator-based rule can match, so only the word rules run.
const TOKEN_MAX: usize = 64;

fn is_token(value: &[u8]) -> bool {
    value.len() <= TOKEN_MAX
        && value
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
}

/// libinjection reads any text as SQL tokens; without a quote, comment, terminator or
/// comparison there is nothing to inject into a query.
fn sql_shaped(value: &[u8]) -> bool {
    value
        .iter()
        .any(|b| matches!(b, b'\'' | b'"' | b'`' | b';' | b'=' | b'#'))
        || value.windows(2).any(|w| w == b"--" || w == b"/*")
}

/// Without a tag, an attribute or a script URL there is no HTML context for libinjection.
fn html_shaped(value: &[u8]) -> bool {
    value
        .iter()
        .any(|b| matches!(b, b'<' | b'>' | b'=' | b'"' | b'\'' | b'`'))
        || value.windows(7).any(|w| w == b"script:")
}

impl Detector for RuleSet {
    fn detect(&self, field: &Field<'_>, treatment: Treatment) -> Option<Detection> {
        let families = Families::of(treatment);
        let value = field.value.as_bytes();
        if value.is_empty() || !(families.structural || families.xss) {
            return None;
        }
        // A number the handler validates is the handler's to refuse.
        if treatment == Treatment::Numeric
            && value
                .strip_prefix(b"-")
                .unwrap_or(value)
                .iter()
                .all(u8::is_ascii_digit)
        {
            return None;
        }
        let target = target(field);
        let found = |text: &[u8], input: Input| {
            let public = text.windows(12).any(|w| w == b".well-known/");
            rules::first_match(text, target, input, |rule| {
                families.allows(rule) && !(public && rule == "lfi-hidden-directory")
            })
        };
        if is_token(value) {
            // Lowercased on the stack: clean values cost no allocation.
            let mut buffer = [0u8; TOKEN_MAX];
            let token = &mut buffer[..value.len()];
            token.copy_from_slice(value);
            token.make_ascii_lowercase();
            let hit = found(token, Input::Decoded).or_else(|| found(token, Input::CmdLine));
            return hit.map(|rule| Detection { rule });
        }
        let variants = decode::variants(value);
        for variant in &variants {
            if let Some(rule) = found(variant, Input::Decoded) {
                return Some(Detection { rule });
            }
        }
        if families.structural
            && matches!(target, Target::Arg | Target::Pair | Target::AgentOrReferer)
        {
            for variant in &variants {
                if let Some(rule) = found(&decode::cmd_line(variant), Input::CmdLine) {
                    return Some(Detection { rule });
                }
            }
        }
        if !matches!(target, Target::Arg | Target::AgentOrReferer) {
            return None;
        }
        for variant in &variants {
            if families.structural
                && sql_shaped(variant)
                && libinjectionrs::detect_sqli(variant).is_injection()
            {
                return Some(Detection {
                    rule: "sqli-libinjection",
                });
            }
            // An unparsed body (XML, text) has tags by nature; its values are not reflected.
            if families.xss
                && field.location != Location::Body
                && html_shaped(variant)
                && libinjectionrs::detect_xss(variant).is_injection()
            {
                return Some(Detection {
                    rule: "xss-libinjection",
                });
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;

    fn field<'a>(location: Location, name: Option<&'a str>, value: &'a str) -> Field<'a> {
        Field {
            location,
            name: name.map(Cow::Borrowed),
            value: Cow::Borrowed(value),
        }
    }

    #[test]
    fn rules_read_only_their_targets() {
        let rules = RuleSet::new();
        let ua = "Mozilla/5.0 (Linux; Android 13; ps-AF) AppleWebKit/537.36";
        assert_eq!(
            rules.detect(
                &field(Location::Header, Some("user-agent"), ua),
                Treatment::Inspect
            ),
            None
        );
        let arg = field(Location::QueryValue, Some("host"), "x; cat /etc/hosts");
        assert!(rules.detect(&arg, Treatment::Inspect).is_some());
        let header = field(Location::Header, Some("x-host"), "x; uname -a");
        assert_eq!(rules.detect(&header, Treatment::Inspect), None);
        let script = field(
            Location::Header,
            Some("x-note"),
            "<script>alert(1)</script>",
        );
        assert!(rules.detect(&script, Treatment::Inspect).is_some());
        let public = field(Location::Path, None, "/.well-known/jwks.json");
        assert_eq!(rules.detect(&public, Treatment::Inspect), None);
        let hidden = field(Location::Path, None, "/.git/config");
        assert!(rules.detect(&hidden, Treatment::Inspect).is_some());
    }

    #[test]
    fn treatments_switch_families_off() {
        let rules = RuleSet::new();
        let limit = field(Location::QueryValue, Some("limit"), "2147483648");
        assert!(rules.detect(&limit, Treatment::Inspect).is_some());
        assert_eq!(rules.detect(&limit, Treatment::Numeric), None);
        let name = field(Location::BodyValue, Some("name"), "Union Select Logistics");
        assert_eq!(rules.detect(&name, Treatment::Prose { xss: true }), None);
        let tag = field(
            Location::BodyValue,
            Some("name"),
            "<script>alert(1)</script>",
        );
        assert!(rules.detect(&tag, Treatment::Prose { xss: true }).is_some());
        assert_eq!(rules.detect(&tag, Treatment::Prose { xss: false }), None);
        assert_eq!(rules.detect(&tag, Treatment::Opaque), None);
        let word = field(Location::QueryValue, Some("cmd"), "WhoAmI");
        assert!(rules.detect(&word, Treatment::Inspect).is_some());
    }
}
