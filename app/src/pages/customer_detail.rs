//! One customer with every field we keep; unknown ids answer 404.

use expedite_domain::{Customer, ErrorCode};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    api::get_customer, components::require_sign_in::RequireSignIn, error::UiError, format,
};

/// The page's data is created here, outside the guard's suspense (see ARCHITECTURE.md).
#[component]
pub(crate) fn CustomerPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let customer = Resource::new(move || id.get(), get_customer);
    view! {
        <Title text="Customer" />
        <RequireSignIn>
            <CustomerBody customer />
        </RequireSignIn>
    }
}

#[component]
fn CustomerBody(customer: Resource<Result<Customer, UiError>>) -> impl IntoView {
    view! {
        <p class="breadcrumb"><a href="/customers">"← Customers"</a></p>
        <Transition fallback=|| view! { <p class="muted">"Loading the customer…"</p> }>
            {move || Suspend::new(async move {
                match customer.await {
                    Ok(customer) => view! { <CustomerCard customer /> }.into_any(),
                    Err(error) if error.code == ErrorCode::NotFound => view! {
                        <section class="card">
                            <h1>"Customer not found"</h1>
                            <p>{error.message} " " <a href="/customers">"See all customers"</a> "."</p>
                        </section>
                    }
                    .into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Every field of the record.
#[component]
fn CustomerCard(customer: Customer) -> impl IntoView {
    let dash = || "—".to_owned();
    let website = customer
        .website
        .clone()
        .map(|site| match web_address(&site) {
            Some(href) => view! { <a href=href rel="noopener noreferrer">{site}</a> }.into_any(),
            None => site.into_any(),
        });
    view! {
        <section class="card" aria-labelledby="customer-heading" data-testid="customer">
            <h1 id="customer-heading">{customer.name.clone()}</h1>
            {customer.is_deleted.then(|| view! {
                <p class="banner" role="status" data-testid="deleted">
                    "Deleted in Salesforce. Kept here so answers that cite it still resolve."
                </p>
            })}
            <dl class="facts">
                <dt>"Salesforce id"</dt>
                <dd><code>{customer.id.to_string()}</code></dd>
                <dt>"Type"</dt>
                <dd>{customer.account_type.unwrap_or_else(dash)}</dd>
                <dt>"Industry"</dt>
                <dd>{customer.industry.unwrap_or_else(dash)}</dd>
                <dt>"Annual revenue"</dt>
                <dd>{format::money(customer.annual_revenue)}</dd>
                <dt>"Billing city"</dt>
                <dd>{customer.billing_city.unwrap_or_else(dash)}</dd>
                <dt>"Billing country"</dt>
                <dd>{customer.billing_country.unwrap_or_else(dash)}</dd>
                <dt>"Phone"</dt>
                <dd>{customer.phone.unwrap_or_else(dash)}</dd>
                <dt>"Website"</dt>
                <dd>{website.unwrap_or_else(|| dash().into_any())}</dd>
                <dt>"Owner"</dt>
                <dd>{customer.owner_id.unwrap_or_else(dash)}</dd>
                <dt>"Last modified in Salesforce"</dt>
                <dd><time datetime=customer.system_modstamp.to_rfc3339()>{format::time(customer.system_modstamp)}</time></dd>
                <dt>"Last synced"</dt>
                <dd><time datetime=customer.synced_at.to_rfc3339()>{format::time(customer.synced_at)}</time></dd>
                <dt>"Deleted"</dt>
                <dd>{if customer.is_deleted { "Yes" } else { "No" }}</dd>
            </dl>
        </section>
    }
}

/// A link target for a website field: `http(s)://` addresses as they are, bare host names
/// (`example.com/path`) over https; anything else (other schemes, odd text) is no link.
fn web_address(site: &str) -> Option<String> {
    let site = site.trim();
    if site.starts_with("https://") || site.starts_with("http://") {
        return Some(site.to_owned());
    }
    let host = site.split('/').next().unwrap_or_default();
    let plausible = host.contains('.')
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'));
    (plausible && !site.contains(char::is_whitespace)).then(|| format!("https://{site}"))
}

#[cfg(test)]
mod tests {
    use super::web_address;

    #[test]
    fn only_web_addresses_become_links() {
        assert_eq!(
            web_address("https://acme.example").as_deref(),
            Some("https://acme.example")
        );
        assert_eq!(
            web_address("www.acme.example/about").as_deref(),
            Some("https://www.acme.example/about")
        );
        assert_eq!(web_address("javascript:alert(1)"), None);
        assert_eq!(web_address("call us"), None);
    }
}
