//! An account: the customer's fields with its owner, a link to the record in Salesforce, a
//! question box prefilled to ask about it, and the reader's questions whose answers cite it.
//! Unknown ids answer 404.

use expedite_domain::{Account, Customer, ErrorCode};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    api::{Ask, get_account},
    components::{question_list::QuestionList, require_sign_in::RequireSignIn, time::LocalTime},
    error::UiError,
    format,
};

/// The page's data is created here, outside the guard's suspense (see ARCHITECTURE.md).
#[component]
pub(crate) fn CustomerPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let account = Resource::new(move || id.get(), get_account);
    view! {
        <RequireSignIn>
            <CustomerBody account />
        </RequireSignIn>
    }
}

#[component]
fn CustomerBody(account: Resource<Result<Account, UiError>>) -> impl IntoView {
    view! {
        <p class="breadcrumb"><a href="/customers">"← Customers"</a></p>
        <Transition fallback=|| view! { <p class="muted">"Loading the customer…"</p> }>
            {move || Suspend::new(async move {
                match account.await {
                    Ok(account) => view! {
                        <Title text=account.customer.name.clone() />
                        <AccountView account />
                    }
                    .into_any(),
                    Err(error) if error.code == ErrorCode::NotFound => view! {
                        <Title text="Customer not found" />
                        <section class="card">
                            <h1>"Customer not found"</h1>
                            <p>{error.message} " " <a href="/customers">"See all customers"</a> "."</p>
                        </section>
                    }
                    .into_any(),
                    Err(error) => view! {
                        <Title text="Customer" />
                        <p class="error" role="alert">{error.message}</p>
                    }
                    .into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn AccountView(account: Account) -> impl IntoView {
    let Account {
        customer,
        salesforce_url,
        citing_questions,
    } = account;
    let live = !customer.is_deleted;
    view! {
        <div class="page-head">
            <h1 id="customer-heading">{customer.name.clone()}</h1>
            {salesforce_url.map(|href| view! {
                <a class="button secondary" href=href target="_blank" rel="noopener noreferrer"
                    data-testid="open-in-salesforce">
                    "Open in Salesforce"
                    <span class="visually-hidden">" (opens in a new tab)"</span>
                </a>
            })}
        </div>
        <div class="account-grid">
            <CustomerCard customer=customer.clone() />
            <div class="stack">
                {live.then(|| view! { <AskAbout customer=customer.clone() /> })}
                <section class="card" aria-labelledby="citing-heading" data-testid="citing-questions">
                    <h2 id="citing-heading">"Your questions about this customer"</h2>
                    <QuestionList questions=citing_questions
                        empty="None of your answers cites this customer yet." />
                </section>
            </div>
        </div>
    }
}

/// A question box prefilled to ask about this customer; asking goes to the answer.
#[component]
fn AskAbout(customer: Customer) -> impl IntoView {
    let ask = ServerAction::<Ask>::new();
    let prefilled = format!(
        "What should I know about {} (Salesforce id {})?",
        customer.name, customer.id
    );
    let error = move || {
        ask.value()
            .get()
            .and_then(Result::err)
            .map(|error| error.message)
    };
    view! {
        <section class="card" aria-labelledby="ask-about-heading">
            <h2 id="ask-about-heading">"Ask about this customer"</h2>
            <ActionForm action=ask attr:class="form">
                <label for="ask-about" class="visually-hidden">"Your question"</label>
                <textarea id="ask-about" name="prompt" rows="3" maxlength="2000" required
                    data-testid="ask-about">{prefilled}</textarea>
                <p class="error" role="alert">{error}</p>
                <button class="button" type="submit" disabled=move || ask.pending().get()>"Ask"</button>
            </ActionForm>
        </section>
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
    let owner = match (customer.owner_name.clone(), customer.owner_id.clone()) {
        (Some(name), _) => name,
        (None, Some(id)) => id,
        (None, None) => dash(),
    };
    view! {
        <section class="card" aria-labelledby="details-heading" data-testid="customer">
            <h2 id="details-heading">"Details"</h2>
            {customer.is_deleted.then(|| view! {
                <p class="banner" role="status" data-testid="deleted">
                    "Deleted in Salesforce. Kept here so answers that cite it still resolve."
                </p>
            })}
            <dl class="facts">
                <dt>"Owner"</dt>
                <dd data-testid="owner">{owner}</dd>
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
                <dt>"Salesforce id"</dt>
                <dd><code>{customer.id.to_string()}</code></dd>
                <dt>"Last modified in Salesforce"</dt>
                <dd><LocalTime at=customer.system_modstamp /></dd>
                <dt>"Last synced"</dt>
                <dd><LocalTime at=customer.synced_at /></dd>
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
