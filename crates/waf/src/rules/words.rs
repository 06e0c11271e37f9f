//! Word lists kept as data files (`crates/waf/data/`, derived from the CRS word lists) and
//! turned into regex alternations.

/// The words of a data file: one per line, `#` comments and blank lines skipped, lowercased.
pub(crate) fn list(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
}

/// `a|b|c` with each word escaped, longest first so an alternation prefers `python3` to `python`.
pub(crate) fn alternation<'a>(words: impl Iterator<Item = &'a str>) -> String {
    let mut words: Vec<&str> = words.collect();
    words.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    words.dedup();
    words
        .iter()
        .map(|word| regex::escape(word))
        .collect::<Vec<_>>()
        .join("|")
}

pub(crate) const UNIX_COMMANDS: &str = include_str!("../../data/unix-commands.txt");
pub(crate) const UNIX_PROSE: &str = include_str!("../../data/unix-commands-prose.txt");
pub(crate) const UNIX_NEVER: &str = include_str!("../../data/unix-commands-never.txt");
pub(crate) const UNIX_BARE: &str = include_str!("../../data/unix-commands-bare.txt");
pub(crate) const WINDOWS_COMMANDS: &str = include_str!("../../data/windows-commands.txt");
pub(crate) const SQL_FUNCTIONS: &str = include_str!("../../data/sql-functions.txt");
pub(crate) const POWERSHELL: &str = include_str!("../../data/powershell-commands.txt");
pub(crate) const MONGO_OPERATORS: &str = include_str!("../../data/mongo-operators.txt");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_lowercase_words() {
        for text in [
            UNIX_COMMANDS,
            UNIX_PROSE,
            UNIX_NEVER,
            UNIX_BARE,
            WINDOWS_COMMANDS,
            SQL_FUNCTIONS,
            MONGO_OPERATORS,
            POWERSHELL,
        ] {
            for word in list(text) {
                assert!(
                    word.bytes().all(|b| b.is_ascii_lowercase()
                        || b.is_ascii_digit()
                        || b"_.+-@~".contains(&b)),
                    "{word:?}"
                );
            }
        }
        assert_eq!(alternation(["ab", "abc", "a+"].into_iter()), r"abc|a\+|ab");
    }
}
