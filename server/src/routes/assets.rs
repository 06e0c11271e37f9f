//! The site's bundle under `/pkg` (JS, wasm, CSS): compressed for the browsers that ask, and
//! cached for a year when the names carry their contents' hash.
//!
//! The encoding is negotiated from `Accept-Encoding` (br, then gzip). For brotli a precompressed
//! sibling (`expedite.<hash>.wasm.br`, quality 11, written by `cargo leptos build --release
//! --precompress`) is sent when there is one; otherwise, and always for gzip, the file is
//! compressed as it is sent (brotli quality 4, gzip level 6: cargo-leptos' `.gz` files come from
//! libflate and are some 20% larger than that). The other static files (`/favicon.svg`) stay
//! with Leptos' file handler, the router's fallback.

use axum::{
    Router,
    http::{HeaderValue, Response, StatusCode, header},
};
use leptos::config::LeptosOptions;
use tower::ServiceBuilder;
use tower_http::{
    compression::CompressionLayer, services::ServeDir, set_header::SetResponseHeaderLayer,
};

use crate::AppState;

/// Hashed names change with their contents: a browser never needs to ask again.
pub(crate) const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Plain names (a server without the build's hash file) keep their name across builds.
pub(crate) const REVALIDATE: &str = "no-cache";

/// Adds the `/<site_pkg_dir>` files to `router`.
pub(super) fn serve_pkg(router: Router<AppState>, options: &LeptosOptions) -> Router<AppState> {
    let pkg = options.site_pkg_dir.trim_matches('/');
    let dir = std::path::Path::new(&*options.site_root).join(pkg);
    let cache = HeaderValue::from_static(if options.hash_files {
        IMMUTABLE
    } else {
        REVALIDATE
    });
    let files = ServiceBuilder::new()
        // Caches must keep one copy per encoding, including for identity responses.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::VARY,
            HeaderValue::from_static("accept-encoding"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            move |response: &Response<_>| cacheable(response.status()).then(|| cache.clone()),
        ))
        // Leaves responses that already carry a Content-Encoding (precompressed files) alone.
        .layer(
            CompressionLayer::new()
                .br(true)
                .gzip(true)
                .no_deflate()
                .no_zstd(),
        )
        .service(ServeDir::new(dir).precompressed_br());
    router.nest_service(&format!("/{pkg}"), files)
}

/// A missing file must not be remembered for a year.
fn cacheable(status: StatusCode) -> bool {
    status.is_success() || status == StatusCode::NOT_MODIFIED
}
