//! Detection: libinjection for SQL injection and XSS, and compiled patterns (in the spirit of
//! the OWASP Core Rule Set's paranoia level 1) for traversal, sensitive files, command
//! injection and the SQL/XSS forms libinjection leaves to rules.

use regex::RegexSet;

use crate::Location;

/// A match: which rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detection {
    pub rule: &'static str,
}

/// Decides whether one decoded, lowercased value is an attack.
pub trait Detector: Send + Sync {
    fn detect(&self, value: &str, location: Location) -> Option<Detection>;
}

/// (rule id, pattern) — matched against lowercased, decoded values.
const PATTERNS: &[(&str, &str)] = &[
    // Path traversal and sensitive files.
    ("lfi-traversal", r"(?:^|[/\\=:;])\.{2,}[/\\;]"),
    (
        "lfi-encoded-traversal",
        r"(?:%c0%ae|%c0%af|%c1%9c|%e0%80%af|%uff0e|%u2215|%u2216|0x2e0x2e|0x5c0x2e|0x2e0x5c|0x2e0x2f)",
    ),
    (
        "lfi-os-file",
        r"(?:^|[/\\=:'\x22\s])(?:etc[/\\](?:passwd|shadow|group|gshadow|subuid|subgid|hosts|issue|motd|sudoers|crontab|fstab|profile|hostname|resolv\.conf|ssh[/\\]|security[/\\])|proc[/\\][a-z0-9_]+|sys[/\\](?:class|devices|kernel|module|firmware|power|block|bus|fs)\b|boot\.ini|win\.ini|system\.ini|winnt[/\\]|\.ssh[/\\]|\.bash_history|\.bashrc|\.htaccess|\.htpasswd|\.git[/\\]|\.svn[/\\]|\.hg[/\\]|web\.config|wp-config\.php|\.env\b|var[/\\]log[/\\]|\.aws[/\\]|\.docker[/\\]|\.kube[/\\]|id_rsa|\.npmrc|\.pypirc|\.netrc)",
    ),
    ("lfi-dev-server", r"(?:^|/)@(?:fs|id)/"),
    (
        "lfi-backup-or-log",
        r"[\w-]\.(?:sql|bak|backup|old|orig|swp|dump|db|sqlite)(?:\.(?:zip|gz|tar|tgz|7z|rar|bz2))?(?:$|[?#\s])|(?:^|/)(?:debug|error|errors|access|php_errors?|install|wp-debug)\.log$",
    ),
    ("lfi-hidden-file", r"(?:^|/)\.[a-z][\w.-]*$"),
    // Tool and editor state directories (`.git/`, `.vscode/`…); `.well-known/` is public by design.
    ("lfi-hidden-directory", r"(?:^|[/\\])\.[a-z][\w-]*[/\\]"),
    // Command injection.
    (
        "rce-unix-command",
        r"(?:[;|`\n\r]|\$\(|\|\||&&|\s&\s*)\s*(?:[\w./-]*/)?(?:cat|ls|id|whoami|uname|wget|curl|nc|ncat|netcat|bash|sh|zsh|ksh|csh|dash|python[0-9.]*|perl|ruby|php|lua|ping|nslookup|dig|rm|chmod|chown|kill|killall|ps|sleep|telnet|ssh|scp|ftp|tftp|nmap|head|tail|awk|gawk|sed|grep|egrep|xargs|env|printenv|base64|sudo|su|useradd|usermod|crontab|systemctl|mkdir|cp|mv|tar|gzip|gunzip|zip|unzip|dd|ifconfig|netstat|passwd|echo|printf|exec|eval|nohup|vi|vim|nano|socat|openssl|whois|traceroute|lsof|bzip2|xxd|apt|apt-get|aptitude|yum|dnf|apk|rpm|dpkg|pip[0-9]*|npm|gem|gcc|busybox|pwd|reboot|shutdown|halt|chroot|nice|setsid|screen|tmux)\b",
    ),
    (
        "rce-windows-command",
        r"(?:[;|`\n\r]|\|\||&&|\s&\s*)\s*(?:cmd|powershell|pwsh|certutil|bitsadmin|wmic|regsvr32|rundll32|mshta|cscript|wscript|netsh|tasklist|taskkill|systeminfo|ipconfig|icacls|schtasks|whoami)(?:\.exe)?\b",
    ),
    (
        "rce-windows-command",
        r"\b(?:cmd(?:\.exe)?\s*/[ck]|powershell(?:\.exe)?\s+-(?:c|command|enc|encodedcommand|e|nop|noprofile|w|windowstyle|ep|executionpolicy)\b)",
    ),
    (
        "rce-windows-for-if",
        r"\bfor\s+(?:/[dlrf]\s+(?:\S+\s+)*?)?%{1,2}\S+\s+in\s*\(",
    ),
    (
        "rce-windows-for-if",
        r#"\bif\s*(?:/i\s*)?(?:not\s+)?(?:exist\b|defined\b|errorlevel\b|cmdextversion\b|\(|(?:"[^"]*"|\S+)\s*(?:==\s*[\w"'%(\[]|\s(?:equ|neq|lss|leq|gtr|geq)\s))"#,
    ),
    (
        "rce-powershell",
        r"\b(?:invoke-(?:webrequest|expression|restmethod|command|item|wmimethod)|start-process|new-object\s+net\.webclient|downloadstring|downloadfile|get-wmiobject|set-executionpolicy)\b|(?:^|[;|&\s(])(?:iwr|iex|iwmi|irm)\s",
    ),
    (
        "rce-glob-path",
        r"/[\w.-]*(?:\[[^\]\s]*\]|\?)[\w.\[\]?*/-]*(?:\s|$)|/[\w.-]*\[[^\]\s]*\][\w.-]*/",
    ),
    ("rce-arithmetic", r"\$\[[^\]]*\]|[<>]\([^)]*\)"),
    (
        "rce-redirection",
        r">\s*/(?:tmp|dev|var|etc|proc|root|home)/",
    ),
    (
        "rce-substitution",
        r"\$\([^)]*\)|`[^`]*[a-z][^`]*`|\$\{[^}]*\}|<\([^)]*\)",
    ),
    ("rce-shellshock", r"\(\s*\)\s*\{"),
    (
        "rce-unix-shell-path",
        r"(?:/bin/(?:ba|z|k|c|tc|da)?sh\b|/usr/(?:local/)?bin/\w+|/dev/(?:tcp|udp)/|/sbin/\w+)",
    ),
    (
        "rce-tilde-expansion",
        r"(?:^|[\s;|&=])~[+-]\d*(?:[/\s;|&]|$)",
    ),
    (
        "rce-brace-expansion",
        r"\{[\w./-]*,[\w./-]*(?:,[\w./-]*)*\}",
    ),
    ("rce-alias", r"\balias\s+(?:[-+]\w+\s+)*[^\s=]+\s*="),
    (
        "rce-bare-command",
        r"^\s*\\?(?:ls|dir|cat|ksh|sh|bash|zsh|csh|dash|tcsh|python[0-9.]*|perl|php|ruby|nc|ncat|curl|wget|chmod|chown|rm|cp|mv|c99|gcc|sudo|aa-[a-z-]+|nmap|ping|whoami|uname|id)\s+\S",
    ),
    (
        "rce-bare-command",
        r"^\s*\\[a-z]{2,}\b|[;|&](?:who|last|lastlog|htop|top|more|less|aptitude|apt)\b",
    ),
    (
        "rce-shell-variable",
        r"\$(?:shell|path|home|ifs|user|pwd|env)\b|(?:^|[\s=;|&'\x22/])/?(?:usr/)?s?bin/[a-z]",
    ),
    // Cross-site scripting.
    ("xss-script-tag", r"<\s*/?\s*script\b|<\s*import"),
    ("xss-event-handler", r"<[^>]*[\s/\x22'`]on[a-z]{3,}\s*="),
    (
        "xss-event-handler",
        r#"[\s"'`;/0-9=,(]on[a-z]{3,25}[\s;,(]*=[^=]"#,
    ),
    (
        "xss-spaced-tag",
        r"<\s*(?:[a-z]\s+){2,}[a-z]|<\s*[a-z]+\s*:\s*(?:script|vmlframe|image|svg|iframe|\w+\s+src)",
    ),
    ("xss-utf7", r"\+ad[w4]-"),
    ("xss-jsfuck", r"!+\s*\[\s*\]"),
    ("xss-css", r"-moz-binding|\bbehavior\s*:\s*url|data\s*:\s*,"),
    (
        "xss-dangerous-tag",
        r"<\s*(?:iframe|frame|frameset|object|embed|applet|svg|math|base|meta|link|style|form|isindex|marquee|img|image|body|video|audio|details|input|textarea|button|select|keygen|bgsound|layer|ilayer|xml|portal|template|dialog)\b[^>]*(?:>|\s\w+\s*=|$)",
    ),
    (
        "xss-uri-scheme",
        r"(?:javascript|vbscript|livescript)\s*:|data\s*:\s*(?:text/html|image/svg|application/(?:x-)?javascript|[^,]*;\s*base64)",
    ),
    (
        "xss-attribute",
        r#"["'`\s](?:formaction|xlink:href|srcdoc|src|href|action|background|dynsrc|lowsrc|style)\s*=\s*["'`]?\s*(?:javascript|vbscript|data|&#)"#,
    ),
    (
        "xss-js-sink",
        r"(?:document\s*\)?\s*\.\s*(?:cookie|domain|write\w*|location|body|createelement|queryselector\w*|getelementby\w+|forms|images|links|scripts|execcommand)|window\s*\.\s*location|\beval\s*\(|\balert\s*[(`]|\bprompt\s*[(`]|\bconfirm\s*[(`]|expression\s*\(|\bfromcharcode\b|\bset(?:timeout|interval)\s*\(|\b(?:atob|btoa)\s*\(|\bnew\s+function\s*\(|\bfunction\s*\(\s*\)\s*\{|\.constructor\s*\(|\b(?:window|self|top|parent|frames|globalthis|this|document)\s*\)?\s*\[|\breflect\s*\.\s*\w+|\.(?:call|apply)\s*`)",
    ),
    // SQL injection forms beyond libinjection's fingerprints.
    (
        "sqli-union",
        r"\bunion\b[\s\S]{0,40}\bselect\b|union[\w\s]{0,20}select[\w\s]{0,40}from",
    ),
    (
        "sqli-time",
        r"\b(?:sleep|pg_sleep)\s*\(\s*(?:/\*.*?\*/\s*)?\d+|\bpg_sleep\b",
    ),
    (
        "sqli-db-name",
        r"\b(?:db_name|schema_name|tempdb|msdb|northwind|msysaccessobjects|msysobjects|msysqueries|msysrelationships|sysibm|syscat)\b",
    ),
    (
        "sqli-magic-number",
        r"\b(?:4294967296|4294967295|2147483648|2147483647|2\.2250738585072011e-308|1e309)\b",
    ),
    (
        "sqli-keyword",
        r"\bexecute\s+immediate\b|\bmatch\s*\([^)]*\)\s*against\b|\bselect\s+if\s*\(|['\x22`]\s*;\s*$",
    ),
    (
        "sqli-tautology",
        r#"['"`]\s*(?:or|and|xor|\|\||&&)\s*['"`\d(]"#,
    ),
    (
        "sqli-tautology",
        r#"\b(?:or|and)\s+['"]?\w+['"]?\s*(?:=|<>|!=|<=>|>|<|\blike\b|\bis\b)\s*['"]?\w+"#,
    ),
    (
        "sqli-function",
        r"\b(?:sleep|benchmark|pg_sleep|load_file|extractvalue|updatexml|sys_eval|sys_exec|dbms_pipe\.receive_message|utl_http\.request|group_concat|concat_ws|char|chr|ascii|substring|substr|mid|hex|unhex|version|database|user|current_user|schema|xp_cmdshell|md5|sha1|ord|conv|elt|make_set|json_extract|row_count|found_rows|last_insert_id)\s*\(",
    ),
    (
        "sqli-keyword",
        r"\b(?:information_schema|sysobjects|syscolumns|sysusers|pg_catalog|pg_shadow|pg_user|pg_database|sqlite_master|sqlite_temp_master|mysql\.(?:user|db|host|tables_priv)|(?:master|msdb|tempdb|model)\.\.|sys\.(?:objects|tables|columns|databases|sql_logins)|sysibm|all_tables|user_tables|@@version|@@datadir|@@hostname|waitfor\s+delay|into\s+(?:out|dump)file|select\s+[\w*@,\s()'`.]+\s+from\b|insert\s+into\b|delete\s+from\b|drop\s+(?:table|database|schema)\b|update\s+\w+\s+set\b|truncate\s+table\b|alter\s+table\b|exec(?:ute)?\s+(?:master\.|xp_|sp_)|having\s+\d|order\s+by\s+\d|procedure\s+analyse)",
    ),
    (
        "sqli-comment",
        r#"(?:['"`)]\s*(?:--|#|/\*)|/\*!\d*|;\s*(?:--|#)|\bor\b[^\n]*--\s*$)"#,
    ),
    (
        "sqli-stacked",
        r";\s*(?:select|insert|update|delete|drop|declare|exec|shutdown|create|alter|truncate|set)\b",
    ),
];

/// Rule families checked in the URL path (its text is not a parameter of any query).
const PATH_FAMILIES: [&str; 8] = [
    "lfi-",
    "xss-script",
    "xss-event",
    "xss-dangerous",
    "xss-uri",
    "xss-spaced",
    "rce-unix-shell-path",
    "sqli-time",
];

/// libinjection plus the patterns above.
#[derive(Debug)]
pub struct RuleSet {
    set: RegexSet,
}

impl Default for RuleSet {
    fn default() -> Self {
        Self::new()
    }
}

impl RuleSet {
    pub fn new() -> Self {
        Self {
            set: RegexSet::new(PATTERNS.iter().map(|(_, pattern)| *pattern))
                .expect("the built-in patterns compile"),
        }
    }
}

impl Detector for RuleSet {
    fn detect(&self, value: &str, location: Location) -> Option<Detection> {
        if value.is_empty() {
            return None;
        }
        let in_path = location == Location::Path;
        let hit = self
            .set
            .matches(value)
            .iter()
            .map(|index| PATTERNS[index].0)
            .find(|rule| {
                let applies =
                    !in_path || PATH_FAMILIES.iter().any(|family| rule.starts_with(family));
                let public_dir = *rule == "lfi-hidden-directory" && value.contains(".well-known/");
                applies && !public_dir
            });
        if let Some(rule) = hit {
            return Some(Detection { rule });
        }
        if in_path || location == Location::Pair {
            return None;
        }
        // libinjection reads any text as SQL tokens; without a quote, comment, terminator or
        // comparison there is nothing to inject into a query.
        let sql_shaped = value.contains(['\'', '"', '`', ';', '=', '#'])
            || value.contains("--")
            || value.contains("/*");
        if sql_shaped && libinjectionrs::detect_sqli(value.as_bytes()).is_injection() {
            return Some(Detection {
                rule: "sqli-libinjection",
            });
        }
        if libinjectionrs::detect_xss(value.as_bytes()).is_injection() {
            return Some(Detection {
                rule: "xss-libinjection",
            });
        }
        None
    }
}
