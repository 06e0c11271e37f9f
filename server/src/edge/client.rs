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
}
