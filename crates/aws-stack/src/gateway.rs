//! The front door as CloudFront and an API Gateway REST API (proxy integration) put it: `/pkg/*`
//! from the site's files (the bucket behind CloudFront), everything else turned into the
//! REST API's proxy event for the server function, with the REQUEST authorizer run first on
//! the routes the template gives it.
//!
//! The asset behaviours answer as CloudFront does with `Compress: true` and a cache policy that
//! accepts br and gzip: the object as stored (`scripts/upload_site.py` uploads it uncompressed,
//! with the `Cache-Control` chosen here by the same rule), compressed per `Accept-Encoding`.

use std::{collections::BTreeMap, net::SocketAddr, sync::Arc, time::Duration};

use anyhow::Context;
use axum::{
    Router,
    body::{Body, Bytes},
    extract::{ConnectInfo, State},
    http::{HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode, Uri, header},
    response::{IntoResponse, Response},
};
use base64::{Engine, engine::general_purpose::STANDARD};
use expedite_test_support::lambda_runtime_api::RuntimeApi;
use serde_json::{Map, Value, json};
use tower_http::{
    compression::{
        CompressionLayer, Predicate,
        predicate::{DefaultPredicate, SizeAbove},
    },
    services::{ServeDir, ServeFile},
};

use crate::routes::{Route, Routes};

/// API Gateway's payload limit for a REST API.
const MAX_BODY: usize = 10 * 1024 * 1024;
/// API Gateway's integration timeout.
const INTEGRATION_TIMEOUT: Duration = Duration::from_secs(29);
const API_ID: &str = "local0api1";
const STAGE: &str = "prod";
const ACCOUNT: &str = "123456789012";

pub(crate) struct Gateway {
    pub(crate) server: RuntimeApi,
    pub(crate) authorizer: RuntimeApi,
    pub(crate) routes: Routes,
    /// The value CloudFront adds as `x-expedite-origin-verify`.
    pub(crate) origin_secret: String,
}

/// The router: CloudFront's asset behaviours (`assets`, each a path pattern) from the site's
/// files, the REST API for everything else.
pub(crate) fn router(
    gateway: Arc<Gateway>,
    site_root: Option<&std::path::Path>,
    assets: &[String],
) -> Router {
    let mut files = Router::new();
    for pattern in assets {
        let Some(root) = site_root else { break };
        let file = |path: &str| root.join(path.trim_start_matches('/'));
        files = match pattern.strip_suffix("/*") {
            Some(prefix) => files.nest_service(prefix, ServeDir::new(file(prefix))),
            None => files.route_service(pattern, ServeFile::new(file(pattern))),
        };
    }
    // CloudFront compresses objects of 1 000 to 10 000 000 bytes, brotli first.
    let compression = CompressionLayer::new()
        .br(true)
        .gzip(true)
        .no_deflate()
        .no_zstd()
        .compress_when(DefaultPredicate::new().and(SizeAbove::new(1_000)));
    let files = files
        .layer(axum::middleware::from_fn(object_metadata))
        .layer(compression);
    Router::new()
        .merge(files)
        .fallback(forward)
        .with_state(gateway)
}

/// The object's stored `Cache-Control`, as `scripts/upload_site.py` sets it.
async fn object_metadata(request: Request<Body>, next: axum::middleware::Next) -> Response {
    let cache = cache_control(request.uri().path());
    let mut response = next.run(request).await;
    if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    }
    response
}

/// A year, immutable, for names that carry cargo-leptos' hash (`name.<22 base64url>.ext`, an
/// MD5); five minutes for the others (the favicon, wasm-bindgen snippets).
pub(crate) fn cache_control(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or_default();
    let parts: Vec<&str> = name.split('.').collect();
    let hashed = parts.len() == 3
        && !parts[0].is_empty()
        && !parts[2].is_empty()
        && parts[1].len() == 22
        && parts[1]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if hashed {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=300"
    }
}

async fn forward(
    State(gateway): State<Arc<Gateway>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request<Body>,
) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY).await else {
        return gateway_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "Request too large.",
        );
    };
    let Some(route) = gateway.routes.find(parts.uri.path()) else {
        return gateway_error(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Missing Authentication Token",
        );
    };
    let mut event = rest_event(
        &gateway,
        &route,
        &parts.method,
        &parts.uri,
        &parts.headers,
        peer,
        &body,
    );
    if route.authorized {
        match authorize(&gateway, &event).await {
            Ok(context) => event["requestContext"]["authorizer"] = context,
            Err(response) => return response,
        }
    }
    match gateway.server.invoke(event, INTEGRATION_TIMEOUT).await {
        Some(Ok(response)) => into_http(&response).unwrap_or_else(|error| {
            tracing::error!(%error, "the server function's response is not a proxy response");
            bad_gateway()
        }),
        Some(Err(error)) => {
            tracing::error!(%error, "the server function failed");
            bad_gateway()
        }
        None => gateway_error(
            StatusCode::GATEWAY_TIMEOUT,
            "unavailable",
            "Endpoint request timed out",
        ),
    }
}

/// The REST API proxy event for one request, as the stage `prod` sends it.
fn rest_event(
    gateway: &Gateway,
    route: &Route,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    peer: SocketAddr,
    body: &Bytes,
) -> Value {
    let path = uri.path();
    let mut multi: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, value) in headers {
        if name == axum::http::header::HOST {
            continue;
        }
        multi
            .entry(name.as_str().to_owned())
            .or_default()
            .push(String::from_utf8_lossy(value.as_bytes()).into_owned());
    }
    // CloudFront: API Gateway's own Host; the viewer's address and Host (the stack's viewer
    // function); the origin's shared secret.
    let host = format!("{API_ID}.execute-api.us-east-1.amazonaws.com");
    let ip = peer.ip().to_string();
    let viewer_host = headers
        .get(axum::http::header::HOST)
        .map(|h| String::from_utf8_lossy(h.as_bytes()).into_owned());
    multi.insert("host".into(), vec![host]);
    multi.insert("x-expedite-viewer-ip".into(), vec![ip.clone()]);
    if let Some(viewer_host) = viewer_host {
        multi.insert("x-expedite-viewer-host".into(), vec![viewer_host]);
    }
    multi.insert(
        "x-expedite-origin-verify".into(),
        vec![gateway.origin_secret.clone()],
    );
    multi
        .entry("x-forwarded-for".into())
        .or_default()
        .push(ip.clone());
    multi.insert("x-forwarded-proto".into(), vec!["https".into()]);
    let single: Map<String, Value> = multi
        .iter()
        .map(|(name, values)| (name.clone(), json!(values.last())))
        .collect();
    let (query, multi_query) = query_parameters(uri.query());
    let (body, encoded) = match std::str::from_utf8(body) {
        _ if body.is_empty() => (Value::Null, false),
        Ok(text) => (json!(text), false),
        Err(_) => (json!(STANDARD.encode(body)), true),
    };
    let path_parameters = route
        .proxy_of(path)
        .map_or(Value::Null, |proxy| json!({ "proxy": proxy }));
    json!({
        "resource": route.resource,
        "path": path,
        "httpMethod": method.as_str(),
        "headers": single,
        "multiValueHeaders": multi,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": path_parameters,
        "stageVariables": null,
        "requestContext": {
            "accountId": ACCOUNT,
            "resourceId": "local",
            "stage": STAGE,
            "requestId": uuid::Uuid::new_v4().to_string(),
            "requestTimeEpoch": now_ms(),
            "identity": {
                "sourceIp": ip,
                "userAgent": single.get("user-agent").cloned().unwrap_or(Value::Null),
            },
            "path": format!("/{STAGE}{path}"),
            "resourcePath": route.resource,
            "httpMethod": method.as_str(),
            "apiId": API_ID,
            "protocol": "HTTP/1.1",
        },
        "body": body,
        "isBase64Encoded": encoded,
    })
}

fn query_parameters(query: Option<&str>) -> (Value, Value) {
    let Some(query) = query.filter(|q| !q.is_empty()) else {
        return (Value::Null, Value::Null);
    };
    let mut multi: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        // API Gateway hands the values on percent-decoded.
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(&s.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned()
        };
        multi.entry(decode(name)).or_default().push(decode(value));
    }
    let single: Map<String, Value> = multi
        .iter()
        .map(|(name, values)| (name.clone(), json!(values.last())))
        .collect();
    (Value::Object(single), json!(multi))
}

/// Runs the REQUEST authorizer: the `requestContext.authorizer` value on Allow, else the
/// gateway's own refusal (401 for `Unauthorized`, 403 for a Deny, 500 for anything else).
async fn authorize(gateway: &Gateway, event: &Value) -> Result<Value, Response> {
    let method_arn = format!(
        "arn:aws:execute-api:us-east-1:{ACCOUNT}:{API_ID}/{STAGE}/{}{}",
        event["httpMethod"].as_str().unwrap_or_default(),
        event["path"].as_str().unwrap_or_default()
    );
    let mut request = event.clone();
    let fields = request.as_object_mut().expect("an event is an object");
    fields.insert("type".into(), json!("REQUEST"));
    fields.insert("methodArn".into(), json!(method_arn));
    fields.remove("body");
    fields.remove("isBase64Encoded");
    let answer = gateway
        .authorizer
        .invoke(request, Duration::from_secs(10))
        .await;
    let decision = match answer {
        Some(Ok(decision)) => decision,
        Some(Err(error)) if error["errorMessage"] == "Unauthorized" => return Err(unauthorized()),
        Some(Err(error)) => {
            tracing::warn!(%error, "the authorizer failed");
            return Err(server_error());
        }
        None => return Err(server_error()),
    };
    if !allows(&decision["policyDocument"], &method_arn) {
        return Err(gateway_error(
            StatusCode::FORBIDDEN,
            "forbidden",
            "You may not do that.",
        ));
    }
    let mut context: Map<String, Value> = decision["context"]
        .as_object()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        // API Gateway passes context values on as strings, numbers and booleans only.
        .filter(|(_, v)| v.is_string() || v.is_number() || v.is_boolean())
        .collect();
    context.insert("principalId".into(), decision["principalId"].clone());
    Ok(Value::Object(context))
}

/// Whether `policy` has an Allow for `arn` and no Deny (IAM's `*` and `?` wildcards).
fn allows(policy: &Value, arn: &str) -> bool {
    let statements = match &policy["Statement"] {
        Value::Array(list) => list.clone(),
        single => vec![single.clone()],
    };
    let matching = |effect: &str| {
        statements.iter().any(|s| {
            s["Effect"] == effect
                && resources(&s["Resource"])
                    .iter()
                    .any(|pattern| wildcard(pattern, arn))
        })
    };
    matching("Allow") && !matching("Deny")
}

fn resources(value: &Value) -> Vec<String> {
    match value {
        Value::String(one) => vec![one.clone()],
        Value::Array(list) => list
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

fn wildcard(pattern: &str, text: &str) -> bool {
    fn glob(p: &[u8], t: &[u8]) -> bool {
        match (p.first(), t.first()) {
            (None, None) => true,
            (Some(b'*'), _) => glob(&p[1..], t) || (!t.is_empty() && glob(p, &t[1..])),
            (Some(b'?'), Some(_)) => glob(&p[1..], &t[1..]),
            (Some(a), Some(b)) if a == b => glob(&p[1..], &t[1..]),
            _ => false,
        }
    }
    glob(pattern.as_bytes(), text.as_bytes())
}

/// The proxy integration's response as HTTP.
fn into_http(response: &Value) -> anyhow::Result<Response> {
    let status = response["statusCode"].as_u64().context("statusCode")?;
    let mut builder = Response::builder().status(u16::try_from(status)?);
    let headers = builder.headers_mut().context("headers")?;
    if let Some(multi) = response["multiValueHeaders"].as_object() {
        for (name, values) in multi {
            for value in values.as_array().into_iter().flatten() {
                append(headers, name, value)?;
            }
        }
    }
    if let Some(single) = response["headers"].as_object() {
        for (name, value) in single {
            if !headers.contains_key(name.as_str()) {
                append(headers, name, value)?;
            }
        }
    }
    let body = match response["body"].as_str() {
        None => Vec::new(),
        Some(text) if response["isBase64Encoded"] == true => STANDARD.decode(text)?,
        Some(text) => text.as_bytes().to_vec(),
    };
    Ok(builder.body(Body::from(body))?)
}

fn append(headers: &mut HeaderMap, name: &str, value: &Value) -> anyhow::Result<()> {
    let value = match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    headers.append(HeaderName::try_from(name)?, HeaderValue::try_from(value)?);
    Ok(())
}

/// The template's gateway responses, in the app's error shape.
fn gateway_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({ "error": { "code": code, "message": message } });
    (
        status,
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn unauthorized() -> Response {
    let mut response = gateway_error(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "Sign in to continue.",
    );
    response.headers_mut().insert(
        "www-authenticate",
        HeaderValue::from_static("Bearer error=\"invalid_token\""),
    );
    response
}

fn server_error() -> Response {
    gateway_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "unavailable",
        "The service is unavailable; try again shortly.",
    )
}

fn bad_gateway() -> Response {
    gateway_error(
        StatusCode::BAD_GATEWAY,
        "unavailable",
        "The service is unavailable; try again shortly.",
    )
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_allow_by_wildcard_and_deny_wins() {
        let arn = "arn:aws:execute-api:us-east-1:1:api/prod/GET/api/me";
        let allow = json!({"Statement": [{"Effect": "Allow", "Resource": "arn:aws:execute-api:us-east-1:1:api/prod/*"}]});
        assert!(allows(&allow, arn));
        let exact = json!({"Statement": {"Effect": "Allow", "Resource": [arn]}});
        assert!(allows(&exact, arn));
        let other = json!({"Statement": [{"Effect": "Allow", "Resource": "arn:aws:execute-api:us-east-1:1:api/prod/POST/*"}]});
        assert!(!allows(&other, arn));
        let denied = json!({"Statement": [
            {"Effect": "Allow", "Resource": "*"},
            {"Effect": "Deny", "Resource": arn}
        ]});
        assert!(!allows(&denied, arn));
    }

    #[test]
    fn query_strings_are_split_and_decoded_like_api_gateway() {
        let (single, multi) = query_parameters(Some("q=O%27Brien+Ltd&page=1&page=2&flag"));
        assert_eq!(single["q"], "O'Brien Ltd");
        assert_eq!(single["page"], "2");
        assert_eq!(multi["page"], json!(["1", "2"]));
        assert_eq!(single["flag"], "");
        assert_eq!(query_parameters(None), (Value::Null, Value::Null));
    }

    #[test]
    fn hashed_bundle_names_are_cached_for_a_year() {
        let year = "public, max-age=31536000, immutable";
        assert_eq!(cache_control("/expedite.fbH6V0Ykgt2sE7nLZQCc4Q.wasm"), year);
        assert_eq!(
            cache_control("/pkg/expedite.a-b_c0123456789ABCDEFG.js"),
            year
        );
        assert_eq!(cache_control("/expedite.wasm"), "public, max-age=300");
        assert_eq!(cache_control("/favicon.svg"), "public, max-age=300");
        assert_eq!(
            cache_control("/snippets/x-1/inline0.js"),
            "public, max-age=300"
        );
    }
}
