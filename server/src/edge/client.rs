//! Who the client is, for rate limits and the block list.

use std::net::SocketAddr;

use axum::{
    extract::{ConnectInfo, Request},
    http::HeaderMap,
};
use expedite_core::ClientKey;

/// Who the client is, as configured; "unknown" when the transport does not say.
pub(super) fn client_key(kind: ClientKey, request: &Request) -> String {
    let peer = || {
        request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string())
    };
    let key = match kind {
        ClientKey::Peer => peer(),
        ClientKey::ForwardedFor => rightmost_forwarded_for(request.headers()).or_else(peer),
        ClientKey::ApiGateway => api_gateway_source_ip(request).or_else(peer),
        ClientKey::Viewer => viewer_header(request.headers())
            .or_else(|| api_gateway_source_ip(request))
            .or_else(peer),
    };
    key.unwrap_or_else(|| "unknown".to_owned())
}

/// The hop the last proxy (ours) appended; earlier entries are whatever the client wrote.
fn rightmost_forwarded_for(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .rfind(|hop| !hop.is_empty())
        .map(str::to_owned)
}

/// The viewer's address as the stack's CloudFront function wrote it.
fn viewer_header(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(VIEWER_HEADER)?.to_str().ok()?.trim();
    value
        .parse::<std::net::IpAddr>()
        .ok()
        .map(|ip| ip.to_string())
}

/// Set by the CloudFront viewer-request function in `infra/template.yaml`.
const VIEWER_HEADER: &str = "x-expedite-viewer-ip";

fn api_gateway_source_ip(request: &Request) -> Option<String> {
    use lambda_http::request::RequestContext;
    match request.extensions().get::<RequestContext>()? {
        RequestContext::ApiGatewayV1(context) => context.identity.source_ip.clone(),
        RequestContext::ApiGatewayV2(context) => context.http.source_ip.clone(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn the_rightmost_forwarded_hop_is_used() {
        let mut headers = HeaderMap::new();
        headers.append(
            "x-forwarded-for",
            HeaderValue::from_static("6.6.6.6, 10.0.0.1"),
        );
        headers.append("x-forwarded-for", HeaderValue::from_static("203.0.113.9"));
        assert_eq!(
            rightmost_forwarded_for(&headers).as_deref(),
            Some("203.0.113.9")
        );
        assert_eq!(rightmost_forwarded_for(&HeaderMap::new()), None);
    }

    #[test]
    fn the_viewer_header_must_be_an_address() {
        let mut headers = HeaderMap::new();
        headers.insert(VIEWER_HEADER, HeaderValue::from_static(" 2001:db8::7 "));
        assert_eq!(viewer_header(&headers).as_deref(), Some("2001:db8::7"));
        headers.insert(VIEWER_HEADER, HeaderValue::from_static("6.6.6.6, 1.2.3.4"));
        assert_eq!(
            viewer_header(&headers),
            None,
            "one address, as CloudFront writes it"
        );
        assert_eq!(viewer_header(&HeaderMap::new()), None);
    }
}
