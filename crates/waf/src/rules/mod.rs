//! The detection rules, one file per CRS rule file (930 LFI, 932 RCE, 941 XSS, 942 SQLi), each
//! rule written from what the CRS paranoia-level-1 rule means: the same targets (which parts of
//! a request it reads) and the same transformations first (URL and entity decoding for most,
//! the command-line normalisation for the Unix and Windows command rules).
//!
//! All patterns are compiled once, into one `RegexSet` per kind of target, so a header only
//! pays for the few rules that read headers.

mod lfi;
mod rce;
mod sqli;
mod unix;
mod words;
mod xss;

use std::sync::LazyLock;

use regex::bytes::{RegexSet, RegexSetBuilder};

/// The part of a request a value comes from, as CRS's variables name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// Query, form and JSON values and names, cookies and their names (`ARGS`, `COOKIES`…).
    Arg,
    /// `name=value` as written: only rules that read text, not whole-value shapes.
    Pair,
    /// `User-Agent` and `Referer`, which CRS reads with more rules than other headers.
    AgentOrReferer,
    /// Any other header.
    Header,
    /// The URL path (`REQUEST_FILENAME`).
    Path,
}

const TARGETS: [Target; 5] = [
    Target::Arg,
    Target::Pair,
    Target::AgentOrReferer,
    Target::Header,
    Target::Path,
];

/// Which targets a rule reads: a small bit set.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Targets(u8);

impl Targets {
    pub(crate) const ARGS: Self = Self(1 << 0 | 1 << 1);
    /// Whole-value shapes (anchored, command at the start): not the `name=value` pair.
    pub(crate) const VALUES: Self = Self(1 << 0);
    pub(crate) const AGENT_REFERER: Self = Self(1 << 2);
    pub(crate) const HEADERS: Self = Self(1 << 2 | 1 << 3);
    pub(crate) const PATH: Self = Self(1 << 4);

    pub(crate) const fn with(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    const fn contains(self, target: Target) -> bool {
        self.0 & (1 << target as u8) != 0
    }
}

/// The text a rule reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Input {
    /// URL- and entity-decoded, lowercased (each decoding a separate variant).
    Decoded,
    /// As above, then normalised like a shell reads it (`crate::decode::cmd_line`).
    CmdLine,
}

/// One rule: a name for the log, the CRS rule it stands for, what it reads, and its pattern
/// (written for lowercased text; compiled without Unicode so it runs on raw bytes).
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub(crate) id: &'static str,
    pub(crate) crs: u32,
    pub(crate) targets: Targets,
    pub(crate) input: Input,
    pub(crate) pattern: String,
}

impl Rule {
    pub(crate) fn new(id: &'static str, crs: u32, targets: Targets, pattern: &str) -> Self {
        Self {
            id,
            crs,
            targets,
            input: Input::Decoded,
            pattern: pattern.to_owned(),
        }
    }

    pub(crate) fn cmd_line(mut self) -> Self {
        self.input = Input::CmdLine;
        self
    }
}

/// Every rule, in the order they are reported.
fn all_rules() -> Vec<Rule> {
    let mut rules = Vec::new();
    rules.extend(lfi::rules());
    rules.extend(rce::rules());
    rules.extend(unix::rules());
    rules.extend(xss::rules());
    rules.extend(sqli::rules());
    rules
}

/// The rules that apply to one target and input, compiled together.
struct Compiled {
    set: RegexSet,
    ids: Vec<&'static str>,
}

struct Catalogue {
    /// Indexed by `[target][input]`.
    sets: Vec<[Compiled; 2]>,
}

static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(|| {
    let rules = all_rules();
    let compile = |target: Target, input: Input| {
        let chosen: Vec<&Rule> = rules
            .iter()
            .filter(|rule| rule.input == input && rule.targets.contains(target))
            .collect();
        let set = RegexSetBuilder::new(chosen.iter().map(|rule| rule.pattern.as_str()))
            .unicode(false)
            .size_limit(64 << 20)
            .dfa_size_limit(16 << 20)
            .build()
            .expect("the built-in patterns compile");
        Compiled {
            set,
            ids: chosen.iter().map(|rule| rule.id).collect(),
        }
    };
    Catalogue {
        sets: TARGETS
            .iter()
            .map(|&target| {
                [
                    compile(target, Input::Decoded),
                    compile(target, Input::CmdLine),
                ]
            })
            .collect(),
    }
});

/// Compiles every pattern now rather than on the first request.
pub(crate) fn warm_up() {
    LazyLock::force(&CATALOGUE);
}

/// The first rule (in catalogue order) of an allowed family that matches `text`.
pub(crate) fn first_match(
    text: &[u8],
    target: Target,
    input: Input,
    allowed: impl Fn(&str) -> bool,
) -> Option<&'static str> {
    let compiled = &CATALOGUE.sets[target as usize][input as usize];
    if compiled.ids.is_empty() {
        return None;
    }
    compiled
        .set
        .matches(text)
        .iter()
        .map(|index| compiled.ids[index])
        .find(|id| allowed(id))
}

/// The CRS rule a rule id stands for (the first rule with that id), for reports.
pub fn crs_rule_of(id: &str) -> Option<u32> {
    all_rules()
        .into_iter()
        .find(|rule| rule.id == id)
        .map(|rule| rule.crs)
}

/// True when `text` matches rule `id` as an argument, after the usual decodings.
#[cfg(test)]
pub(crate) fn hits(id: &str, text: &str) -> bool {
    let decoded = crate::decode::variants(text.as_bytes());
    decoded.iter().any(|variant| {
        first_match(variant, Target::Arg, Input::Decoded, |rule| rule == id).is_some()
            || first_match(
                &crate::decode::cmd_line(variant),
                Target::Arg,
                Input::CmdLine,
                |rule| rule == id,
            )
            .is_some()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_compiles_and_every_rule_names_a_family() {
        warm_up();
        for rule in all_rules() {
            assert!(
                ["lfi-", "rce-", "xss-", "sqli-"]
                    .iter()
                    .any(|family| rule.id.starts_with(family)),
                "{}",
                rule.id
            );
            assert!((930_000..943_000).contains(&rule.crs), "{}", rule.id);
        }
    }
}
