//! Path traversal and sensitive files (CRS 930100–930140).

use super::{Rule, Targets};

pub(super) fn rules() -> Vec<Rule> {
    // 930100/930110 read arguments, the raw URI and every header but `Referer` (a URL a
    // browser built); the sensitive-file rules read arguments and the path.
    let traversal = Targets::ARGS.with(Targets::HEADERS).with(Targets::PATH);
    let files = Targets::ARGS.with(Targets::PATH);
    vec![
        Rule::new(
            "lfi-encoded-traversal",
            930_100,
            traversal,
            r"(?:%c0%ae|%c0%af|%c1%9c|%e0%80%af|%uff0e|%u2215|%u2216|0x2e0x2e|0x5c0x2e|0x2e0x5c|0x2e0x2f)",
        ),
        Rule::new(
            "lfi-traversal",
            930_110,
            traversal,
            r"(?:^|[/\\=:;])\.{2,}[/\\;]",
        ),
        Rule::new(
            "lfi-os-file",
            930_120,
            files,
            r"(?:^|[/\\=:'\x22\s])(?:etc[/\\](?:passwd|shadow|group|gshadow|subuid|subgid|hosts|issue|motd|sudoers|crontab|fstab|profile|hostname|resolv\.conf|ssh[/\\]|security[/\\])|proc[/\\][a-z0-9_]+|sys[/\\](?:class|devices|kernel|module|firmware|power|block|bus|fs)\b|boot\.ini|win\.ini|system\.ini|winnt[/\\]|\.ssh[/\\]|\.bash_history|\.bashrc|\.htaccess|\.htpasswd|\.git[/\\]|\.svn[/\\]|\.hg[/\\]|web\.config|wp-config\.php|\.env\b|var[/\\]log[/\\]|\.aws[/\\]|\.docker[/\\]|\.kube[/\\]|id_rsa|\.npmrc|\.pypirc|\.netrc)",
        ),
        // 930130/930140: restricted files and directories asked for by path.
        Rule::new("lfi-dev-server", 930_130, files, r"(?:^|/)@(?:fs|id)/"),
        Rule::new(
            "lfi-backup-or-log",
            930_130,
            files,
            r"[\w-]\.(?:sql|bak|backup|old|orig|swp|dump|db|sqlite)(?:\.(?:zip|gz|tar|tgz|7z|rar|bz2))?(?:$|[?#\s])|(?:^|/)(?:debug|error|errors|access|php_errors?|install|wp-debug)\.log$",
        ),
        Rule::new(
            "lfi-hidden-file",
            930_130,
            Targets::PATH,
            r"(?:^|/)\.[a-z][\w.-]*$",
        ),
        // Tool and editor state directories (`.git/`, `.vscode/`…); `.well-known/` is public
        // by design and let through by the detector.
        Rule::new(
            "lfi-hidden-directory",
            930_140,
            files,
            r"(?:^|[/\\])\.[a-z][\w-]*[/\\]",
        ),
    ]
}

#[cfg(test)]
mod tests {
    use crate::rules::hits;

    #[test]
    fn traversal_and_files() {
        assert!(hits("lfi-traversal", "../../x"));
        assert!(hits("lfi-traversal", "%2e%2e%2fx"));
        assert!(hits("lfi-encoded-traversal", "%c0%ae%c0%ae/"));
        assert!(hits("lfi-os-file", "/etc/passwd"));
        assert!(hits("lfi-os-file", "c:\\boot.ini"));
        assert!(hits("lfi-hidden-directory", "/.git/config"));
        assert!(!hits("lfi-traversal", "wait..."));
    }
}
