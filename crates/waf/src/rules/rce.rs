//! Remote command execution by shape (CRS 932120–932180, 932270, 932280, 932330): shell
//! expressions, Windows `FOR`/`IF`, PowerShell, shell paths and variables, Shellshock.
//! Command names are in `unix.rs`.

use super::{Rule, Targets, words};

pub(super) fn rules() -> Vec<Rule> {
    let args = Targets::ARGS;
    let powershell = words::alternation(words::list(words::POWERSHELL));
    vec![
        // 932120: PowerShell and its cmdlets by name, anywhere in a value.
        Rule::new(
            "rce-powershell",
            932_120,
            args,
            &format!(r"\b(?:{powershell})(?:\.exe)?\b"),
        ),
        // 932120/932125: PowerShell cmdlets, options and their short aliases.
        Rule::new(
            "rce-powershell",
            932_120,
            args,
            r"\b(?:invoke-(?:webrequest|expression|restmethod|command|item|wmimethod)|start-process|new-object\s+net\.webclient|downloadstring|downloadfile|get-wmiobject|set-executionpolicy)\b|(?:^|[;|&\s(])(?:iwr|iex|iwmi|irm)\s",
        ),
        Rule::new(
            "rce-windows-command",
            932_120,
            args,
            r"\b(?:cmd(?:\.exe)?\s*/[ck]|powershell(?:\.exe)?\s+-(?:c|command|enc|encodedcommand|e|nop|noprofile|w|windowstyle|ep|executionpolicy)\b)",
        ),
        // 932130: command, parameter, process and arithmetic substitution; glob paths.
        Rule::new(
            "rce-substitution",
            932_130,
            args,
            r"\$\([^)]*\)|`[^`]*[a-z][^`]*`|\$\{[^}]*\}|<\([^)]*\)",
        ),
        Rule::new(
            "rce-arithmetic",
            932_130,
            args,
            r"\$\[[^\]]*\]|[<>]\([^)]*\)",
        ),
        Rule::new(
            "rce-glob-path",
            932_130,
            args,
            r"/[\w.-]*(?:\[[^\]\s]*\]|\?)[\w.\[\]?*/-]*(?:\s|$)|/[\w.-]*\[[^\]\s]*\][\w.-]*/",
        ),
        // 932140: cmd.exe FOR and IF.
        Rule::new(
            "rce-windows-for-if",
            932_140,
            args,
            r"\bfor\s+(?:/[dlrf]\s+(?:\S+\s+)*?)?%{1,2}\S+\s+in\s*\(",
        ),
        Rule::new(
            "rce-windows-for-if",
            932_140,
            args,
            r#"\bif\s*(?:/i\s*)?(?:not\s+)?(?:exist\b|defined\b|errorlevel\b|cmdextversion\b|\(|(?:"[^"]*"|\S+)\s*(?:==\s*[\w"'%(\[]|\s(?:equ|neq|lss|leq|gtr|geq)\s))"#,
        ),
        // 932160: shells and binaries named by path, shell variables.
        Rule::new(
            "rce-unix-shell-path",
            932_160,
            args,
            r"(?:/bin/(?:ba|z|k|c|tc|da)?sh\b|/usr/(?:local/)?bin/\w+|/dev/(?:tcp|udp)/|/sbin/\w+)",
        ),
        Rule::new(
            "rce-shell-variable",
            932_160,
            args,
            r"\$(?:shell|path|home|ifs|user|pwd|env|cdpath|oldpwd|ostype|hostname|dirstack)\b|(?:^|[\s=;|&'\x22/])/?(?:usr/)?s?bin/[a-z]",
        ),
        Rule::new(
            "rce-redirection",
            932_160,
            args,
            r">\s*/(?:tmp|dev|var|etc|proc|root|home)/",
        ),
        // 932170/932171: Shellshock, a function definition at the start of a header or value.
        Rule::new(
            "rce-shellshock",
            932_170,
            Targets::HEADERS,
            r"^\(\s*\)\s+\{",
        ),
        Rule::new("rce-shellshock", 932_171, args, r"\(\s*\)\s*\{"),
        // 932175: alias definitions.
        Rule::new(
            "rce-alias",
            932_175,
            args,
            r"\balias\s+(?:[-+]\w+\s+)*[^\s=]+\s*=",
        ),
        // 932180 and friends: a shell or tool as the whole value.
        Rule::new(
            "rce-bare-command",
            932_180,
            Targets::VALUES,
            r"^\s*\\?(?:ls|dir|cat|ksh|sh|bash|zsh|csh|dash|tcsh|python[0-9.]*|perl|php|ruby|nc|ncat|curl|wget|chmod|chown|rm|cp|mv|c99|gcc|sudo|aa-[a-z-]+|nmap|ping|whoami|uname|id)\s+\S",
        ),
        Rule::new(
            "rce-bare-command",
            932_180,
            args,
            r"^\s*\\[a-z]{2,}\b|[;|&](?:who|last|lastlog|htop|top|more|less|aptitude|apt)\b",
        ),
        // 932270: tilde expansion; 932280: brace expansion; 932330: history expansion.
        Rule::new(
            "rce-tilde-expansion",
            932_270,
            args,
            r"(?:^|[\s;|&=])~[+-]\d*(?:[/\s;|&]|$)",
        ),
        Rule::new(
            "rce-brace-expansion",
            932_280,
            args,
            r"\{[\w./-]*,[\w./-]*(?:,[\w./-]*)*\}",
        ),
        Rule::new("rce-history", 932_330, args, r"!-\d"),
    ]
}

#[cfg(test)]
mod tests {
    use crate::rules::hits;

    #[test]
    fn shell_shapes() {
        assert!(hits("rce-substitution", "a$(id)"));
        assert!(hits("rce-substitution", "${jndi:ldap://x/a}"));
        assert!(hits("rce-arithmetic", "$[1+2]"));
        assert!(hits("rce-brace-expansion", "{cat,/etc/hosts}"));
        assert!(hits("rce-tilde-expansion", "cd ~+"));
        assert!(hits("rce-history", "!-1!-2"));
        assert!(hits("rce-shellshock", "() { :; }; /bin/x"));
        assert!(hits("rce-windows-for-if", "for /l %i in (1,1,9) do x"));
        assert!(hits("rce-powershell", "powershell invoke-expression x"));
        assert!(!hits("rce-history", "wow!-)"));
        assert!(!hits("rce-brace-expansion", "{name}"));
    }
}
