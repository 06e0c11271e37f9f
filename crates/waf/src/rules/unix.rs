//! Unix and Windows command injection by command name (CRS 932230, 932235, 932250, 932260,
//! 932340, 932370, 932380). These read the command-line form of a value (quotes, backslashes
//! and carets removed, `${IFS}` as a space, empty expansions such as `$@` dropped), so
//! `c'a't`, `c\at` and `c$@at` are all `cat`.
//!
//! CRS' split, kept here: a command after a shell separator (`;`, `|`, `&`, a backtick, `$(`…)
//! is an injection unless the word is too common to mean anything (`time`, `date`, `more`);
//! a command at the very start of a value is a direct execution only for words that are not
//! also ordinary words or names (`cat`, `kill`, `sleep` are — "Cat & Dog Supplies" is a
//! customer), unless an execution prefix (`time`, `busybox`, `sh -c`, `nohup`…) comes first.

use std::collections::HashSet;

use super::{Rule, Targets, words};

/// Where a shell starts a new command.
const SEPARATOR: &str = r"(?:[;|&`\n\r{(]|<<<)";

/// Words that run the command after them, with their options.
const RUNNERS: &str = r"(?:busybox|command|env|eval|exec|ltrace|nohup|strace|time|timeout|watch|sudo|doas|nice|xargs|(?:ba|da|z|k|c|tc)?sh\s+-c)";

/// An optional directory in front of a command (`/bin/`, `./`, `/???/` globs).
const PATH: &str = r"(?:[\w.?*\[\]/~-]*/)?";

/// Where cmd.exe starts a new command, then grouping and echo-off characters.
const WINDOWS_START: &str = r"[;{|&`\n\r][\s(,@]*";

/// After the command: an argument, a redirection, another command or the end.
const END: &str = r"(?:[\s<>&|;)(,`]|$)";
/// The same without the end: the command has an argument or is followed by another.
const ARGUMENT: &str = r"[\s<>&|;)(,`]";

fn prefix() -> String {
    // Runners (with options), `VAR=value `, an unset `$var ` and grouping characters.
    format!(r"(?:{RUNNERS}(?:\s+-{{1,2}}[\w=-]+)*\s+|\w+=\S*\s+|\$\w+\s+|[{{(!$]\s*)*")
}

/// Short commands CRS leaves out after a separator at paranoia level 1 because they are also
/// words (`cat`, `id`), put back: after `;`, `|` or a backtick they are how injections start,
/// and the fields where people type such words (names, questions) are not inspected for them.
const SHORT_BUT_TELLING: [&str; 13] = [
    "cat", "id", "nc", "rm", "ps", "su", "sed", "awk", "tar", "php", "cp", "mv", "dd",
];

/// An alternation of the command words (less `exclude`), each with what may follow it:
/// `name@` needs an argument or a separator, `name~` may carry a short suffix (`python3`).
fn commands(exclude: impl Fn(&str) -> bool) -> String {
    let (mut plain, mut with_argument, mut suffixed) = (Vec::new(), Vec::new(), Vec::new());
    for entry in words::list(words::UNIX_COMMANDS) {
        let (word, kind) = match entry.as_bytes().last() {
            Some(b'@' | b'~') => entry.split_at(entry.len() - 1),
            _ => (entry, ""),
        };
        if exclude(word) {
            continue;
        }
        match kind {
            "@" => with_argument.push(word),
            "~" => suffixed.push(word),
            _ => plain.push(word),
        }
    }
    let group = |list: Vec<&str>| words::alternation(list.into_iter());
    format!(
        r"(?:(?:{}){END}|(?:{}){ARGUMENT}|(?:{})[\w.-]{{0,10}}{END})",
        group(plain),
        group(with_argument),
        group(suffixed)
    )
}

fn set(text: &'static str) -> HashSet<&'static str> {
    words::list(text).collect()
}

pub(super) fn rules() -> Vec<Rule> {
    let prefix = prefix();
    let (never, prose) = (set(words::UNIX_NEVER), set(words::UNIX_PROSE));
    // CRS 932230 (up to three letters, without the prose words) and 932235 (longer ones).
    let injected = commands(|word| {
        never.contains(word)
            || (word.len() <= 3 && prose.contains(word) && !SHORT_BUT_TELLING.contains(&word))
    });
    let anything = commands(|word| never.contains(word));
    let direct = commands(|word| never.contains(word) || prose.contains(word));
    let bare = words::alternation(words::list(words::UNIX_BARE));
    let windows = words::alternation(words::list(words::WINDOWS_COMMANDS));
    vec![
        Rule::new(
            "rce-unix-injected-command",
            932_230,
            Targets::ARGS,
            &format!(r"{SEPARATOR}\s*{prefix}{PATH}{injected}"),
        )
        .cmd_line(),
        Rule::new(
            "rce-unix-direct-command",
            932_260,
            Targets::VALUES,
            &format!(r"^\s*{prefix}{PATH}{direct}"),
        )
        .cmd_line(),
        Rule::new(
            "rce-unix-direct-command",
            932_260,
            Targets::VALUES,
            &format!(r"^\s*(?:{RUNNERS}(?:\s+-{{1,2}}[\w=-]+)*\s+)+{PATH}{anything}"),
        )
        .cmd_line(),
        Rule::new(
            "rce-unix-bare-command",
            932_340,
            Targets::ARGS.with(Targets::AGENT_REFERER),
            &format!(r"{SEPARATOR}\s*{prefix}{PATH}(?:{bare})\s*$"),
        )
        .cmd_line(),
        // Windows paths keep their backslashes in the decoded text; the command-line form
        // catches caret and quote evasions (`c^md`, `"cmd"`).
        Rule::new(
            "rce-windows-command",
            932_370,
            Targets::ARGS,
            &format!(r"{WINDOWS_START}(?:[a-z]:)?(?:[\w .-]*[/\\])*(?:{windows})(?:\.\w+)?\b"),
        ),
        Rule::new(
            "rce-windows-command",
            932_380,
            Targets::ARGS,
            &format!(r"{WINDOWS_START}(?:[\w./-]*/)?(?:{windows})(?:\.\w+)?\b"),
        )
        .cmd_line(),
    ]
}

#[cfg(test)]
mod tests {
    use crate::rules::hits;

    #[test]
    fn commands_after_a_separator_with_quote_and_variable_evasions() {
        for attack in [
            "x;ls -la",
            "1|id -u",
            "a && whoami",
            "a;c'a't /etc/hosts",
            r"a;c\at /etc/hosts",
            "a;c$@at file",
            "a;cat${IFS}/etc/hosts",
            "a`uname -a`",
            "a$(ifconfig)",
            "a;/usr/bin/wget http://x",
            "a; time nc -e x",
            "a;busybox ls",
        ] {
            assert!(hits("rce-unix-injected-command", attack), "{attack}");
        }
        for prose in ["a; more or less", "x;date", "a&b", "ps-af", "a; the time"] {
            assert!(!hits("rce-unix-injected-command", prose), "{prose}");
        }
    }

    #[test]
    fn commands_at_the_start_only_when_they_are_not_ordinary_words() {
        for attack in [
            "whoami",
            "netstat -an",
            "wget http://x/y",
            "time cat /etc/hosts",
            "busybox cat x",
            "sh -c 'id'",
            "nohup kill -9 1",
        ] {
            assert!(hits("rce-unix-direct-command", attack), "{attack}");
        }
        for name in [
            "cat & dog supplies",
            "kill bill productions",
            "time inc.",
            "sleep number",
            "exec air",
            "cat@example.com",
            "pscale",
            "df",
            "uname",
            "pwd",
        ] {
            assert!(!hits("rce-unix-direct-command", name), "{name}");
        }
    }

    #[test]
    fn bare_commands_and_windows_commands() {
        assert!(hits("rce-unix-bare-command", "x;whoami"));
        assert!(hits("rce-unix-bare-command", "x|ps"));
        assert!(!hits("rce-unix-bare-command", "x; ps-af"));
        assert!(hits("rce-windows-command", "x&certutil -urlcache"));
        assert!(hits(
            "rce-windows-command",
            "x|c:/windows/system32/cmd.exe /c dir"
        ));
        assert!(hits("rce-windows-command", "x;pow^ershell -nop"));
        assert!(!hits("rce-windows-command", "procter & gamble"));
    }
}
