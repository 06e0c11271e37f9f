//! The system page (administrators): what is running, on which backends, and whether live
//! calls work.

use expedite_domain::{Deployment, SystemStatus};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::get_system_status,
    components::{require_sign_in::RequireAdmin, time::LocalTime},
    error::UiError,
};

/// The page's data is created here, outside the guard's suspense (see ARCHITECTURE.md).
#[component]
pub(crate) fn AdminSystemPage() -> impl IntoView {
    let refreshes = RwSignal::new(0_u32);
    let status = Resource::new(move || refreshes.get(), |_| get_system_status());
    view! {
        <Title text="System" />
        <RequireAdmin>
            <SystemBody refreshes status />
        </RequireAdmin>
    }
}

#[component]
fn SystemBody(
    refreshes: RwSignal<u32>,
    status: Resource<Result<SystemStatus, UiError>>,
) -> impl IntoView {
    view! {
        <h1>"System"</h1>
        <Transition fallback=|| view! { <p class="muted">"Loading status…"</p> }>
            {move || Suspend::new(async move {
                match status.await {
                    Ok(status) => view! { <StatusCard status /> }.into_any(),
                    Err(error) => view! {
                        <p class="error" role="alert">{error.message}</p>
                    }.into_any(),
                }
            })}
        </Transition>
        <button class="button" type="button" on:click=move |_| refreshes.update(|n| *n += 1)>
            "Refresh status"
        </button>
    }
}

#[component]
fn StatusCard(status: SystemStatus) -> impl IntoView {
    let deployment = match status.deployment {
        Deployment::Local => "Self-hosted (one process)",
        Deployment::Lambda => "AWS Lambda",
    };
    view! {
        <section class="card" aria-labelledby="status-heading">
            <h2 id="status-heading">"Status"</h2>
            {status.demo_answers.then(|| view! {
                <p class="banner" role="status">
                    "Demo answers: no AI provider is configured, so a demo responder answers questions from the real customer data."
                </p>
            })}
            <dl class="facts">
                <dt>"Version"</dt>
                <dd>{status.version}</dd>
                <dt>"Deployment"</dt>
                <dd>{deployment}</dd>
                {status.backends.into_iter().map(|(role, name)| view! {
                    <dt>{role}</dt>
                    <dd>{name}</dd>
                }).collect_view()}
                <dt>"Uptime"</dt>
                <dd>{format_uptime(status.uptime_secs)}</dd>
                <dt>"Checked"</dt>
                <dd data-testid="status-checked"><LocalTime at=status.checked_at /></dd>
            </dl>
        </section>
    }
}

fn format_uptime(secs: u64) -> String {
    match secs {
        0..60 => format!("{secs} s"),
        60..3600 => format!("{} min", secs / 60),
        _ => format!("{} h {} min", secs / 3600, (secs % 3600) / 60),
    }
}
