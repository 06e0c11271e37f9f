//! What every handler can reach: the use-cases and the site options.

use axum::extract::FromRef;
use expedite_core::{Config, Services};
use leptos::config::LeptosOptions;

/// Shared by all requests; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub leptos: LeptosOptions,
}

impl AppState {
    pub fn new(services: Services) -> Self {
        let leptos = leptos_options(services.config());
        Self { services, leptos }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

/// Leptos' options from our configuration, so no `Cargo.toml` is needed at run time (Lambda).
fn leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name(app::BUNDLE_NAME)
        .site_root(config.site_root.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.bind_addr)
        .reload_port(u32::from(config.reload_port))
        .build()
}
