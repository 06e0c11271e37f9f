//! What every handler can reach: the use-cases, authentication and the site options.

use std::sync::Arc;

use axum::extract::FromRef;
use expedite_core::{Config, Services};
use expedite_runtime::backends::Backends;
use leptos::config::LeptosOptions;

use crate::{auth::Auth, edge::RateLimiting};

/// Shared by all requests; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub auth: Arc<Auth>,
    pub rate_limits: Arc<RateLimiting>,
    pub waf: Arc<expedite_waf::RuleSet>,
    pub leptos: LeptosOptions,
}

impl AppState {
    /// Opens the configured backends and identity, and wires the use-cases over them.
    pub async fn from_config(config: Config) -> anyhow::Result<Self> {
        expedite_runtime::telemetry::install_metrics(config.deployment, "server");
        let backends = Backends::open(&config).await?;
        let auth = Auth::from_config(&config, backends.accounts.as_ref()).await?;
        if let Some(local) = &auth.local {
            crate::first_accounts::create_if_none(local).await?;
        }
        // Only a process that runs jobs builds the model's and Salesforce's clients and reads
        // their secrets; a server that leaves jobs to the worker (Lambda) needs neither.
        let mut ports = if config.in_process_worker {
            backends.ports(&config).await?
        } else {
            backends.serving_ports(&config)?
        };
        ports.identity = Some(auth.provider());
        let services = Services::new(config, ports);
        Ok(Self::new(services, auth))
    }

    pub fn new(services: Services, auth: Arc<Auth>) -> Self {
        let leptos = leptos_options(services.config());
        let rate_limits = Arc::new(RateLimiting::new(services.config().rate_limits.clone()));
        Self {
            services,
            auth,
            rate_limits,
            waf: Arc::new(expedite_waf::RuleSet::new()),
            leptos,
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

/// Leptos' options from our configuration, so no `Cargo.toml` is needed at run time (Lambda).
fn leptos_options(config: &Config) -> LeptosOptions {
    let hash_file = hash_file();
    LeptosOptions::builder()
        .output_name(app::BUNDLE_NAME)
        .site_root(config.site_root.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.bind_addr)
        .reload_port(u32::from(config.reload_port))
        .hash_files(hash_file.is_some())
        .hash_file(
            hash_file
                .map(|path| path.display().to_string())
                .unwrap_or_else(|| "hash.txt".to_owned())
                .into(),
        )
        .build()
}

/// The hashes of the site's JS, wasm and CSS file names (`hash-files = true`): cargo-leptos
/// writes them to `hash.txt` beside the server binary it builds, and `scripts/deploy` ships that
/// file beside the Lambda's `bootstrap`. Leptos looks for the file (`hash_file`) in the binary's
/// directory on each page; a name that is absolute (`LEPTOS_HASH_FILE_NAME=/path/hash.txt`)
/// stands for itself. Hashed names are linked only when the file is there (a server built
/// outside cargo-leptos, e.g. by `cargo test`, links the plain names; with hashing on and no
/// file Leptos would panic), and `LEPTOS_HASH_FILES=false` turns them off.
fn hash_file() -> Option<std::path::PathBuf> {
    if std::env::var("LEPTOS_HASH_FILES").is_ok_and(|value| value.trim() == "false") {
        return None;
    }
    let name = std::env::var("LEPTOS_HASH_FILE_NAME").unwrap_or_else(|_| "hash.txt".to_owned());
    let path = std::env::current_exe().ok()?.parent()?.join(name);
    let found = path.is_file();
    if !found {
        tracing::debug!(path = %path.display(), "no hash file: the pages link unhashed bundle names");
    }
    found.then_some(path)
}
