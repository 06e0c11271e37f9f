//! `aws-stack`: starts the AWS-shaped stack (see the library) and serves until stopped.
//!
//! Settings from the environment: `EXPEDITE_STACK_MOTO_URL` (required), `EXPEDITE_STACK_BIN_DIR`
//! (default: this binary's directory), `EXPEDITE_STACK_SERVER_BIN` (a `server` elsewhere, e.g.
//! the release build made with the site), `EXPEDITE_STACK_SITE_ROOT`, `EXPEDITE_STACK_PORT`
//! (default 0: a free port), `EXPEDITE_STACK_ACCOUNTS` (default 200), and
//! `EXPEDITE_STACK_USERS`: `email:password:admin|user` entries separated by spaces. Prints
//! `ready <url>` once the front door listens.

use std::path::PathBuf;

use anyhow::Context;
use expedite_aws_stack::{Stack, StackOptions, StackUser};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let moto = var("EXPEDITE_STACK_MOTO_URL").context("EXPEDITE_STACK_MOTO_URL is not set")?;
    let bin_dir = match var("EXPEDITE_STACK_BIN_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => std::env::current_exe()?
            .parent()
            .context("the binary has a directory")?
            .to_path_buf(),
    };
    let mut options = StackOptions::new(moto, bin_dir);
    options.server_bin = var("EXPEDITE_STACK_SERVER_BIN").map(PathBuf::from);
    options.site_root = var("EXPEDITE_STACK_SITE_ROOT").map(PathBuf::from);
    if let Some(port) = var("EXPEDITE_STACK_PORT") {
        options.port = port.parse().context("EXPEDITE_STACK_PORT")?;
    }
    if let Some(accounts) = var("EXPEDITE_STACK_ACCOUNTS") {
        options.accounts = accounts.parse().context("EXPEDITE_STACK_ACCOUNTS")?;
    }
    for entry in var("EXPEDITE_STACK_USERS")
        .unwrap_or_default()
        .split_whitespace()
    {
        let mut parts = entry.splitn(3, ':');
        let (Some(email), Some(password), role) = (parts.next(), parts.next(), parts.next()) else {
            anyhow::bail!("EXPEDITE_STACK_USERS: {entry:?} is not email:password:role");
        };
        options.users.push(StackUser {
            email: email.to_owned(),
            password: password.to_owned(),
            admin: role == Some("admin"),
        });
    }
    options.server_env = std::env::vars()
        .filter_map(|(k, v)| Some((k.strip_prefix("EXPEDITE_STACK_SERVER_")?.to_owned(), v)))
        .collect();
    if let Some(log) = var("RUST_LOG") {
        options.log = log;
    }
    let stack = Stack::start(options).await?;
    println!("ready {}", stack.url());
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
    drop(stack);
    Ok(())
}
