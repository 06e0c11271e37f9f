//! The decodings an attacker relies on a server, browser or shell to apply (CRS's
//! transformations: `urlDecodeUni`, `htmlEntityDecode`, `jsDecode`, `removeNulls`,
//! `replaceComments`, `cmdLine`). Everything works on bytes: a value that is not UTF-8 is
//! still inspected byte for byte.

/// The value as sent and as decoded (URL twice, `%u`, HTML entities, JavaScript escapes, NULs
/// and inline comments removed), each lowercased (ASCII only; the rules are ASCII).
pub(crate) fn variants(value: &[u8]) -> Vec<Vec<u8>> {
    let mut out = vec![value.to_ascii_lowercase()];
    let mut current = value.to_vec();
    // Twice: double encoding is a classic evasion.
    for _ in 0..2 {
        if !current.iter().any(|b| matches!(b, b'%' | b'+')) {
            break;
        }
        let decoded = url_decode(&current);
        if decoded == current {
            break;
        }
        current = decoded;
        out.push(current.to_ascii_lowercase());
    }
    if current.contains(&b'&') {
        let html = html_decode(&current);
        if html != current {
            current = html;
            out.push(current.to_ascii_lowercase());
        }
    }
    if current.contains(&b'\\') {
        let js = js_decode(&current);
        if js != current {
            out.push(js.to_ascii_lowercase());
        }
    }
    if current.contains(&0) {
        let compact: Vec<u8> = current.iter().copied().filter(|b| *b != 0).collect();
        out.push(compact.to_ascii_lowercase());
    }
    // Inline comments split keywords in SQL and JavaScript alike.
    if contains(&current, b"/*") {
        out.push(strip_comments(&current).to_ascii_lowercase());
    }
    out
}

/// A (lowercased) value as a shell reads it: quotes, backslashes and carets removed, `$IFS`
/// as a space, expansions that are empty (`$@`, `$*`, `$1`, `${x}`) dropped, runs of spaces
/// as one. Line breaks stay: they separate commands.
pub(crate) fn cmd_line(value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len());
    let mut i = 0;
    while i < value.len() {
        let rest = &value[i..];
        match rest[0] {
            b'\\' | b'"' | b'\'' | b'^' => i += 1,
            b'$' if rest.starts_with(b"${ifs}") => {
                push_space(&mut out);
                i += 6;
            }
            b'$' if rest.starts_with(b"$ifs") => {
                push_space(&mut out);
                i += 4;
            }
            b'$' if rest.len() > 1 && (rest[1].is_ascii_digit() || b"@*".contains(&rest[1])) => {
                i += 2;
            }
            b'$' if rest.starts_with(b"${") => {
                let name = rest[2..]
                    .iter()
                    .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                    .count();
                if rest.get(2 + name) == Some(&b'}') {
                    i += 3 + name;
                } else {
                    out.push(b'$');
                    i += 1;
                }
            }
            b' ' | b'\t' | 0x0b | 0x0c => {
                push_space(&mut out);
                i += 1;
            }
            byte => {
                out.push(byte);
                i += 1;
            }
        }
    }
    out
}

fn push_space(out: &mut Vec<u8>) {
    if out.last() != Some(&b' ') {
        out.push(b' ');
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

fn strip_comments(value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len());
    let mut i = 0;
    while i < value.len() {
        if value[i..].starts_with(b"/*") {
            match value[i + 2..].windows(2).position(|w| w == b"*/") {
                Some(end) => i += 2 + end + 2,
                None => break,
            }
            // A comment separates tokens like a space does.
            out.push(b' ');
        } else {
            out.push(value[i]);
            i += 1;
        }
    }
    out
}

fn hex(byte: u8) -> Option<u8> {
    (byte as char).to_digit(16).map(|d| d as u8)
}

fn hex_number(digits: &[u8]) -> Option<u32> {
    digits
        .iter()
        .try_fold(0u32, |acc, b| Some(acc * 16 + u32::from(hex(*b)?)))
}

fn push_char(out: &mut Vec<u8>, code: u32) {
    // Code points below 256 become that byte, as CRS's decoders do (`%u00bc` is byte 0xbc);
    // above, UTF-8.
    match u8::try_from(code) {
        Ok(byte) => out.push(byte),
        Err(_) => {
            let c = char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER);
            out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
        }
    }
}

/// `%hh`, `%uhhhh` and `+` (as space); invalid sequences stay as they are.
fn url_decode(value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len());
    let mut i = 0;
    while i < value.len() {
        let rest = &value[i..];
        match rest[0] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' if rest.len() >= 6
                && matches!(rest[1], b'u' | b'U')
                && hex_number(&rest[2..6]).is_some() =>
            {
                push_char(&mut out, hex_number(&rest[2..6]).unwrap_or_default());
                i += 6;
            }
            b'%' if rest.len() >= 3 && hex(rest[1]).is_some() && hex(rest[2]).is_some() => {
                out.push(hex(rest[1]).unwrap_or_default() * 16 + hex(rest[2]).unwrap_or_default());
                i += 3;
            }
            byte => {
                out.push(byte);
                i += 1;
            }
        }
    }
    out
}

/// Named and numeric HTML character references; numeric ones without their `;`, as browsers
/// accept them.
fn html_decode(value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len());
    let mut i = 0;
    while i < value.len() {
        if value[i] == b'&'
            && let Some((code, used)) = entity(&value[i + 1..])
        {
            push_char(&mut out, code);
            i += 1 + used;
        } else {
            out.push(value[i]);
            i += 1;
        }
    }
    out
}

/// The character an entity body (after `&`) stands for, and how many bytes it used.
fn entity(rest: &[u8]) -> Option<(u32, usize)> {
    if let Some(numeric) = rest.strip_prefix(b"#") {
        let (radix, start) = match numeric.first() {
            Some(b'x' | b'X') => (16, 1),
            _ => (10, 0),
        };
        let digits = numeric[start..]
            .iter()
            .take(8)
            .take_while(|b| (**b as char).is_digit(radix))
            .count();
        if digits == 0 {
            return None;
        }
        let text = std::str::from_utf8(&numeric[start..start + digits]).ok()?;
        let code = u32::from_str_radix(text, radix).ok()?;
        let semicolon = usize::from(numeric.get(start + digits) == Some(&b';'));
        return Some((code, 1 + start + digits + semicolon));
    }
    let end = rest.iter().take(10).position(|b| *b == b';')?;
    let code = match rest[..end].to_ascii_lowercase().as_slice() {
        b"lt" => '<',
        b"gt" => '>',
        b"quot" => '"',
        b"apos" => '\'',
        b"amp" => '&',
        b"colon" => ':',
        b"lpar" => '(',
        b"rpar" => ')',
        b"sol" => '/',
        b"bsol" => '\\',
        b"semi" => ';',
        b"equals" => '=',
        b"tab" => '\t',
        b"newline" => '\n',
        b"nbsp" => ' ',
        _ => return None,
    };
    Some((code as u32, end + 1))
}

/// JavaScript and CSS escapes: `\xhh`, `\uhhhh`, `\hh…` (CSS, up to six hex digits).
fn js_decode(value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len());
    let mut i = 0;
    while i < value.len() {
        let rest = &value[i..];
        if rest[0] != b'\\' || rest.len() < 2 {
            out.push(rest[0]);
            i += 1;
            continue;
        }
        let (digits, skip) = match rest[1] {
            b'x' | b'X' => (&rest[2..rest.len().min(4)], 2),
            b'u' | b'U' => (&rest[2..rest.len().min(6)], 2),
            _ => {
                let n = rest[1..]
                    .iter()
                    .take(6)
                    .take_while(|b| hex(**b).is_some())
                    .count();
                (&rest[1..1 + n], 1)
            }
        };
        let wanted = match rest[1] {
            b'x' | b'X' => 2,
            b'u' | b'U' => 4,
            _ => digits.len().max(1),
        };
        match hex_number(digits).filter(|_| digits.len() == wanted) {
            Some(code) => {
                push_char(&mut out, code);
                i += skip + digits.len();
            }
            None => {
                // `\a` is `a` to a JavaScript parser.
                out.push(rest[1]);
                i += 2;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has(value: &str, wanted: &str) -> bool {
        variants(value.as_bytes()).contains(&wanted.as_bytes().to_vec())
    }

    #[test]
    fn decodes_what_servers_and_browsers_decode() {
        assert!(has("%252e%252e%252f", "../"));
        assert!(has("%u003cscript", "<script"));
        assert!(has("&#x3C;img&gt;", "<img>"));
        assert!(has("&#60img", "<img"));
        assert!(has("a+b", "a b"));
        assert!(has(r"\x3cscript\u003e", "<script>"));
        assert!(has("un/**/ion", "un ion"));
        assert!(variants(b"%BC").contains(&vec![0xbc]));
        assert_eq!(variants(b"Plain"), vec![b"plain".to_vec()]);
    }

    #[test]
    fn reads_a_command_line_like_a_shell() {
        let shell = |v: &str| String::from_utf8(cmd_line(v.as_bytes())).unwrap();
        assert_eq!(shell("c'a't /etc/x"), "cat /etc/x");
        assert_eq!(shell(r"c\at"), "cat");
        assert_eq!(shell("c$@at"), "cat");
        assert_eq!(shell("cat${ifs}/x"), "cat /x");
        assert_eq!(shell("cat$ifs$9/x"), "cat /x");
        assert_eq!(shell("w${x}get"), "wget");
        assert_eq!(shell("a  \t b"), "a b");
        assert_eq!(shell("\"p\"^ing"), "ping");
    }
}
