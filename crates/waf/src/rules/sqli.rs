//! SQL injection beyond libinjection's fingerprints (CRS 942140–942560; 942100 is libinjection,
//! in the detector). CRS reads these in arguments and cookies only, never in other headers.

use super::{Rule, Targets, words};

pub(super) fn rules() -> Vec<Rule> {
    let args = Targets::ARGS;
    let functions = words::alternation(words::list(words::SQL_FUNCTIONS));
    let mongo = words::alternation(words::list(words::MONGO_OPERATORS));
    vec![
        // 942140: database and system catalogue names.
        Rule::new(
            "sqli-db-name",
            942_140,
            args,
            r"\b(?:db_name|database|schema)\W*\(|\b(?:schema_name|tempdb|msdb|northwind|msysaccessobjects|msysaccessstorage|msysaccessxml|msysaces|msysmodules2?|msysobjects|msysqueries|msysrelationships|master\.\.sysdatabases|mysql\.db|pg_catalog|pg_toast|sysibm|syscat|sysaux|sqlite_(?:temp_)?master|information_schema)\b",
        ),
        // 942151: a SQL function called (with anything but word characters before the paren).
        Rule::new(
            "sqli-function",
            942_151,
            args,
            &format!(r"\b(?:{functions})\W*\("),
        ),
        Rule::new(
            "sqli-function",
            942_151,
            args,
            r"\b(?:sleep|benchmark|char|chr|ascii|substring|substr|mid|version|user|xp_cmdshell|utl_http\.request|dbms_pipe\.receive_message|sys_eval|sys_exec|conv|row_count)\s*\(",
        ),
        // 942160/942170/942280: time-based blind injection.
        Rule::new(
            "sqli-time",
            942_160,
            args.with(Targets::PATH),
            r"\bsleep\s*\(.*?\)|\bbenchmark\s*\(.*?,.*?\)|\bpg_sleep\b",
        ),
        Rule::new(
            "sqli-time",
            942_170,
            args,
            r"(?:select|;)\s+(?:benchmark|if|sleep)\s*\(\s*\(?\s*\w+",
        ),
        Rule::new(
            "sqli-time",
            942_280,
            args.with(Targets::AGENT_REFERER),
            r#"select\s*pg_sleep|waitfor\s*delay\s?["'`]+\s?\d|;\s*shutdown\s*(?:[#;{]|/\*|--)"#,
        ),
        // 942190: MSSQL code execution and information gathering.
        Rule::new(
            "sqli-union",
            942_190,
            args,
            r#"["'`](?:\s*!\s*["'<=>`]|;?\s*(?:having|select|union\b\s*(?:all|distinct|select))\b\s*\S)|\bexec(?:ute)?\s+master\.|\bfrom\W+information_schema\W|\binto[\s+]+(?:dump|out)file\s*["'`]|\bunion(?:\sselect\s@|[\s(\w]*?select)|\bexec(?:ute)?\b.*?\Wxp_cmdshell|\Wiif\s*\("#,
        ),
        // 942220: numbers known to crash or overflow parsers, as the whole value.
        Rule::new(
            "sqli-magic-number",
            942_220,
            Targets::VALUES,
            r"^(?:4294967295|4294967296|2147483647|2147483648|-2147483648|-2147483649|2\.2250738585072011e-308|2\.2250738585072007e-308|1e309|-0000023456|0000012345|0000023456)$",
        ),
        // 942230: conditional expressions.
        Rule::new(
            "sqli-conditional",
            942_230,
            args,
            r"[\s()]case\s+when.*?then|\)\s*like\s*\(|select.*?having\s*\S+\s*[^\s\w]|\bif\s?\(\w+\s*[<=>~]",
        ),
        // 942240: MySQL charset switch and MSSQL waitfor/goto.
        Rule::new(
            "sqli-charset-waitfor",
            942_240,
            args,
            r#"alter\s*\w+.*?char(?:acter)?\s+set\s+\w+|["'`](?:;*?\s*waitfor\s+(?:time|delay)\s+["'`]|;.*?:\s*goto)"#,
        ),
        // 942250: MATCH AGAINST, MERGE, EXECUTE IMMEDIATE.
        Rule::new(
            "sqli-keyword",
            942_250,
            args,
            r#"\bmerge\b.*?\busing\s*\(|\bmatch\s*[\w(),+-]+\s*against\s*\(|\bexecute\s*immediate\s*["'`]"#,
        ),
        // 942270: UNION … SELECT … FROM.
        Rule::new(
            "sqli-union",
            942_270,
            args,
            r"\bunion\b[\s\S]{0,40}\bselect\b|union[\w\s]{0,20}select[\w\s]{0,40}from|union.*?select.*?from",
        ),
        // 942320: stored procedures and PostgreSQL/MySQL specifics.
        Rule::new(
            "sqli-procedure",
            942_320,
            args,
            r#"create\s+(?:function|procedure)\s*?\w+\s*?\(\s*?\)\s*?-|\bdeclare\W+[#@]\s*?\w+|\bdiv\s*?\([+-]*[\s.\d]+,[+-]*[\s.\d]+\)|\bexec\s*?\(\s*?@|\b(?:lo_import|lo_get|procedure\s+analyse)\s*?\(|;\s*?(?:declare|open)\s+[\w-]+|::(?:bigint|bool|double\s+precision|int|integer|numeric|oid|real|text|smallint)\b"#,
        ),
        // 942350: a statement stacked after a semicolon, and function definitions.
        Rule::new(
            "sqli-stacked",
            942_350,
            args,
            r"create\s+function\s.+\sreturns|;\s*?(?:alter|create|truncate|update|rename|replace|delete|desc|drop|insert|select|load|declare|exec|shutdown|set)\b\s*?[(\[]?\w{2,}",
        ),
        // 942360: concatenated SQL and statements at the start of a value after a number or
        // a quote.
        Rule::new(
            "sqli-keyword",
            942_360,
            args,
            r#"\b(?:alter|create|truncate|update|rename|delete|desc|insert|select|load)\s+(?:char|group_concat|load_file)\b\s*\(?|\bend\s*?\);|[\s(]load_file\s*?\(|["'`]\s+regexp\W|["'\w]\s+as\b\s*["'\w]+\s*\bfrom\b|^[^a-z_]+\s*?(?:(?:create|truncate|rename|delete|desc|drop|insert|select|load)\s+\w+|update\s+\w+|union\s*(?:all|select|distinct)\b|alter\s*(?:table|database|schema|user|view|function|procedure|index|trigger|sequence|session|system|login|role)\b)"#,
        ),
        Rule::new(
            "sqli-keyword",
            942_360,
            args,
            r"\b(?:sysobjects|syscolumns|sysusers|pg_shadow|pg_user|pg_database|mysql\.(?:user|host|tables_priv)|(?:master|msdb|tempdb|model)\.\.|sys\.(?:objects|tables|columns|databases|sql_logins)|all_tables|user_tables|@@version|@@datadir|@@hostname|waitfor\s+delay|into\s+(?:out|dump)file|select\s+[\w*@,\s()'`.]+\s+from\b|insert\s+into\b|delete\s+from\b|drop\s+(?:table|database|schema)\b|update\s+\w+\s+set\b|truncate\s+table\b|alter\s+table\b|exec(?:ute)?\s+(?:master\.|xp_|sp_)|having\s+\d|order\s+by\s+\d|procedure\s+analyse)",
        ),
        // 942500: MySQL inline comments.
        Rule::new(
            "sqli-comment",
            942_500,
            args,
            r"/\*\s*?[!+][\s()\-0-9=a-z_]*\*/|/\*!\d*",
        ),
        Rule::new(
            "sqli-comment",
            942_500,
            args,
            r#"['"`)]\s*(?:--|#|/\*)|;\s*(?:--|#)|\bor\b[^\n]*--\s*$"#,
        ),
        // 942540: a quote then a semicolon ends the statement early (authentication bypass).
        Rule::new(
            "sqli-terminator",
            942_540,
            Targets::VALUES,
            r#"^(?:[^']*'|[^"]*"|[^`]*`)\s*;"#,
        ),
        // Tautologies (`' or 1=1`), which libinjection mostly catches too.
        Rule::new(
            "sqli-tautology",
            942_130,
            args,
            r#"['"`]\s*(?:or|and|xor|\|\||&&)\s*['"`\d(]"#,
        ),
        Rule::new(
            "sqli-tautology",
            942_130,
            args,
            r#"\b(?:or|and)\s+['"]?\w+['"]?\s*(?:=|<>|!=|<=>|>|<|\blike\b|\bis\b)\s*['"]?\w+"#,
        ),
        // 942290: MongoDB operators as a parameter name (`user[$ne]`) or a JSON key.
        Rule::new(
            "sqli-nosql-operator",
            942_290,
            args,
            &format!(r"\[?\$(?:{mongo})\b\]?"),
        ),
        // 942550: JSON-based SQL: a JSON literal in quotes, JSON operators, JSON_EXTRACT.
        Rule::new(
            "sqli-json",
            942_550,
            args,
            r#"["'`][\[{][^#\]}]*[\]}]+["'`]|(?:[@-]>?|<@|@[?@]|\?[|&]?|#>>?|#-|->>|[<>])\s*["'`](?:[\[{][^#\]}]*[\]}]+["'`]|\$[.\[])|\bjson_extract\b[^(]*\([^)]*\)"#,
        ),
        // 942560: MySQL scientific notation used to glue tokens (`1.e(`).
        Rule::new("sqli-scientific", 942_560, args, r"1\.e(?:[(),]|\.[$\w])"),
    ]
}

#[cfg(test)]
mod tests {
    use crate::rules::hits;

    #[test]
    fn functions_procedures_and_json() {
        assert!(hits("sqli-function", "1 and ascii(substr(x,1,1))>1"));
        assert!(hits("sqli-function", "concat_ws/**/(0x3a,x)"));
        assert!(hits("sqli-function", "group_concat (name)"));
        assert!(!hits("sqli-function", "left (the rest)"));
        assert!(hits("sqli-procedure", "1;declare @x int"));
        assert!(hits("sqli-procedure", "1::int"));
        assert!(hits("sqli-procedure", "lo_import('/etc/x')"));
        assert!(hits("sqli-nosql-operator", "user[$ne]"));
        assert!(hits("sqli-nosql-operator", "$where"));
        assert!(!hits("sqli-nosql-operator", "$5m"));
        assert!(hits("sqli-json", r#"x' @> '{"a":1}'"#));
        assert!(hits("sqli-json", "data->>'$.name'"));
        assert!(hits("sqli-json", "json_extract(doc, x)"));
        assert!(hits("sqli-scientific", "1.e(ascii"));
        assert!(hits("sqli-conditional", "(case when 1 then 2 end)"));
        assert!(hits("sqli-charset-waitfor", "'; waitfor delay '0:0:5"));
        assert!(hits("sqli-magic-number", "2147483648"));
        assert!(!hits("sqli-magic-number", "12147483648"));
    }
}
