//! The few SOAP envelopes of the partner API `login` call, written and read as plain text.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::oauth::ORG_ID;
use crate::store::SANDBOX_USER_ID;

/// The text of the first element whose local name is `name` (any namespace prefix), unescaped.
pub(crate) fn element_text(xml: &str, name: &str) -> Option<String> {
    let mut rest = xml;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        let end = rest.find('>')?;
        let tag = &rest[..end];
        let local = tag.split_whitespace().next().unwrap_or_default();
        let local = local.rsplit_once(':').map_or(local, |(_, l)| l);
        if local == name && !tag.starts_with('/') && !tag.ends_with('/') {
            let content = &rest[end + 1..];
            let close = content.find("</")?;
            return Some(unescape(&content[..close]));
        }
        rest = &rest[end + 1..];
    }
    None
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub(crate) fn response(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        body,
    )
        .into_response()
}

/// The fault Salesforce returns for a bad username or password.
pub(crate) fn login_fault() -> String {
    concat!(
        r#"<?xml version="1.0" encoding="UTF-8"?>"#,
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#,
        "<soapenv:Body><soapenv:Fault><faultcode>sf:INVALID_LOGIN</faultcode>",
        "<faultstring>INVALID_LOGIN: Invalid username, password, security token; or user locked out.</faultstring>",
        r#"<detail><sf:LoginFault xsi:type="sf:LoginFault"><sf:exceptionCode>INVALID_LOGIN</sf:exceptionCode>"#,
        "<sf:exceptionMessage>Invalid username, password, security token; or user locked out.</sf:exceptionMessage>",
        "</sf:LoginFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>"
    )
    .to_owned()
}

/// A successful `loginResponse`: where the API lives and the session to use there.
pub(crate) fn login_result(
    base_url: &str,
    version: &str,
    session: &str,
    ttl_s: u64,
    username: &str,
) -> String {
    let base = escape(base_url);
    let session = escape(session);
    let username = escape(username);
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?>"#,
            r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#,
            "<soapenv:Body><loginResponse><result>",
            "<metadataServerUrl>{base}/services/Soap/m/{version}/{org}</metadataServerUrl>",
            "<passwordExpired>false</passwordExpired><sandbox>true</sandbox>",
            "<serverUrl>{base}/services/Soap/u/{version}/{org}</serverUrl>",
            "<sessionId>{session}</sessionId><userId>{user}</userId>",
            "<userInfo><organizationId>{org}</organizationId><sessionSecondsValid>{ttl}</sessionSecondsValid>",
            "<userId>{user}</userId><userName>{username}</userName></userInfo>",
            "</result></loginResponse></soapenv:Body></soapenv:Envelope>"
        ),
        base = base,
        version = version,
        org = ORG_ID,
        session = session,
        user = SANDBOX_USER_ID,
        ttl = ttl_s,
        username = username,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_prefixed_elements() {
        let xml = "<env:Body><n1:login xmlns:n1=\"urn\"><n1:username>a&amp;b</n1:username><n1:password>p</n1:password></n1:login></env:Body>";
        assert_eq!(element_text(xml, "username").as_deref(), Some("a&b"));
        assert_eq!(element_text(xml, "password").as_deref(), Some("p"));
        assert_eq!(element_text(xml, "missing"), None);
    }
}
