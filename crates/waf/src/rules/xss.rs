//! Cross-site scripting (CRS 941110–941400; 941100 is libinjection, in the detector).

use super::{Rule, Targets};

/// `word` with the tabs and line breaks browsers ignore allowed between its letters.
fn spread(word: &str) -> String {
    word.chars()
        .map(|c| regex::escape(&c.to_string()))
        .collect::<Vec<_>>()
        .join(r"[\t\n\r]*")
}

pub(super) fn rules() -> Vec<Rule> {
    let args = Targets::ARGS.with(Targets::PATH);
    let agent = Targets::ARGS
        .with(Targets::PATH)
        .with(Targets::AGENT_REFERER);
    let everywhere = agent.with(Targets::HEADERS);
    vec![
        // 941110: a script tag, anywhere a browser might reflect it (every header too).
        Rule::new(
            "xss-script-tag",
            941_110,
            everywhere,
            r"<\s*/?\s*script\b|<\s*import",
        ),
        // 941120: an event handler attribute.
        Rule::new(
            "xss-event-handler",
            941_120,
            everywhere,
            r"<[^>]*[\s/\x22'`]on[a-z]{3,}\s*=",
        ),
        Rule::new(
            "xss-event-handler",
            941_120,
            everywhere,
            r#"[\s"'`;/0-9=,(]on[a-z]{3,25}[\s;,(]*=[^=]"#,
        ),
        // 941130: attributes that load or run content.
        Rule::new(
            "xss-attribute",
            941_130,
            agent,
            r#"["'`\s](?:formaction|xlink:href|srcdoc|src|href|action|background|dynsrc|lowsrc|style)\s*=\s*["'`]?\s*(?:javascript|vbscript|data|&#)|\bxlink:href\b|<!entity\s+(?:%\s+)?\S+\s+(?:system|public)\b"#,
        ),
        // 941140: a CSS property whose value is a javascript: URL.
        Rule::new(
            "xss-css-url",
            941_140,
            agent,
            r#"[a-z-]+\s*:\s*url\s*\(\s*['"]?\s*(?:javascript|vbscript)\s*:"#,
        ),
        // 941160: HTML injection with the tags that run or load things.
        Rule::new(
            "xss-dangerous-tag",
            941_160,
            agent,
            r"<\s*(?:iframe|frame|frameset|object|embed|applet|svg|math|base|meta|link|style|form|isindex|marquee|img|image|body|video|audio|details|input|textarea|button|select|keygen|bgsound|layer|ilayer|xml|portal|template|dialog)\b[^>]*(?:>|\s\w+\s*=|$)",
        ),
        Rule::new(
            "xss-spaced-tag",
            941_160,
            agent,
            r"<\s*(?:[a-z]\s+){2,}[a-z]|<\s*[a-z]+\s*:\s*(?:script|vmlframe|image|svg|iframe|\w+\s+src)",
        ),
        // 941170: script URIs; 941210/941220: the same with tabs and line breaks inside.
        Rule::new(
            "xss-uri-scheme",
            941_170,
            agent,
            r"(?:javascript|vbscript|livescript)\s*:|data\s*:\s*(?:text/html|image/svg|application/(?:x-)?javascript|[^,]*;\s*base64)",
        ),
        Rule::new(
            "xss-uri-scheme",
            941_210,
            args,
            &format!("{}|{}", spread("javascript:"), spread("vbscript:")),
        ),
        Rule::new(
            "xss-css",
            941_170,
            args,
            r"-moz-binding|\bbehavior\s*:\s*url|data\s*:\s*,|@import\b",
        ),
        // 941180 and 941390/941400: the DOM and JavaScript sinks an injected script calls
        // (in values only: a documentation path may well name `document.cookie`).
        Rule::new(
            "xss-js-sink",
            941_180,
            Targets::ARGS,
            r"(?:document\s*\)?\s*\.\s*(?:cookie|domain|write\w*|location|body|createelement|queryselector\w*|getelementby\w+|forms|images|links|scripts|execcommand)|window\s*\.\s*location|\.innerhtml|\.parentnode|\beval\s*\(|\balert\s*[(`]|\bprompt\s*[(`]|\bconfirm\s*[(`]|expression\s*\(|\bfromcharcode\b|\bset(?:timeout|interval)\s*\(|\b(?:atob|btoa)\s*\(|\bnew\s+function\s*\(|\bfunction\s*\(\s*\)\s*\{|\.constructor\s*\(|\b(?:window|self|top|parent|frames|globalthis|this|document)\s*\)?\s*\[|\breflect\s*\.\s*\w+|\.(?:call|apply)\s*`|<!\[cdata\[)",
        ),
        // 941190: a style sheet that imports or evaluates.
        Rule::new(
            "xss-style-sheet",
            941_190,
            args,
            r"<style\b[^>]*>.*?(?:@import|@\\|expression\s*\(|[:=][^<]*?url\s*\()",
        ),
        // 941250/941260: meta refresh, cookie setting or charset switching.
        Rule::new(
            "xss-meta",
            941_250,
            args,
            r#"<meta[\s/+].*?(?:http-equiv[\s/+]*=[\s/+]*["'`]?[crs]|charset[\s/+]*=)"#,
        ),
        // 941310: US-ASCII tags written with the top bit set (`¼script¾`).
        Rule::new(
            "xss-high-bit-tag",
            941_310,
            args,
            r"\xbc[^>\xbe]*[>\xbe]|<[^\xbe]*\xbe",
        ),
        // 941350: UTF-7; 941360: JSFuck; 941370: property access on a global.
        Rule::new("xss-utf7", 941_350, args, r"\+ad[w4]-"),
        Rule::new("xss-jsfuck", 941_360, args, r"!+\s*\[\s*\]"),
    ]
}

#[cfg(test)]
mod tests {
    use crate::rules::hits;

    #[test]
    fn tags_uris_and_sinks() {
        assert!(hits("xss-script-tag", "<script>x</script>"));
        assert!(hits("xss-event-handler", "<img src=x onerror=y>"));
        assert!(hits("xss-uri-scheme", "java\tscript:x"));
        assert!(hits("xss-uri-scheme", "&#106;avascript:x"));
        assert!(hits("xss-css-url", "style=background:url(javascript:x)"));
        assert!(hits("xss-style-sheet", "<style>@import 'x';</style>"));
        assert!(hits("xss-meta", "<meta http-equiv=\"refresh\" content=0>"));
        assert!(hits("xss-meta", "<meta charset=utf-7>"));
        assert!(hits("xss-js-sink", "x=document.cookie"));
        assert!(!hits("xss-event-handler", "script & screen studios"));
        assert!(!hits("xss-uri-scheme", "java script"));
    }
}
