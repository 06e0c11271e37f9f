//! The synced customers as a working list: a total, filters by industry, type and country
//! (values from the data), search, reversible sorts, Previous/Next with a page size, and a CSV
//! export of the whole filter. Everything lives in the address (`?search=&industry=&type=
//! &country=&sort=&size=&cursor=&from=`), so a listing can be shared, and it all works without
//! JavaScript: plain links and a GET form.

mod listing;
mod table;

use expedite_domain::Role;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    api::{CustomerListing, PAGE_SIZES, list_customers},
    components::require_sign_in::RequireSignIn,
    error::UiError,
    format,
    session::Session,
};
use listing::Listing;
use table::{CustomerTable, EmptyState};

/// The page's data is created here, outside the guard's suspense (see ARCHITECTURE.md).
#[component]
pub(crate) fn CustomersPage() -> impl IntoView {
    let params = use_query_map();
    let listing = Memo::new(move |_| Listing::from_params(&params.read()));
    let page = Resource::new(
        move || listing.get(),
        |listing| list_customers(listing.query()),
    );
    view! {
        <Title text="Customers" />
        <RequireSignIn>
            <CustomersBody listing page />
        </RequireSignIn>
    }
}

#[component]
fn CustomersBody(
    listing: Memo<Listing>,
    page: Resource<Result<CustomerListing, UiError>>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    view! {
        <div class="page-head">
            <h1>"Customers"</h1>
            <a class="button secondary" href=move || listing.with(Listing::export_href)
                data-testid="export" download>
                "Export CSV"
            </a>
        </div>
        <Transition fallback=|| view! { <p class="muted">"Loading customers…"</p> }>
            {move || Suspend::new(async move {
                let admin = matches!(session.user.await, Ok(Some(me)) if me.role == Role::Admin);
                let listing = listing.get_untracked();
                match page.await {
                    Ok(found) => view! {
                        <FilterForm listing=listing.clone() found=found.clone() />
                        <Results listing found admin />
                    }
                    .into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Search and the three filters, whose choices are the values the customers have (with how
/// many have each); the sort and page size are kept.
#[component]
fn FilterForm(listing: Listing, found: CustomerListing) -> impl IntoView {
    let totals = found.totals;
    let select = |name: &'static str,
                  label: &'static str,
                  segments: Vec<expedite_domain::Segment>,
                  current: Option<String>| {
        let id = format!("filter-{name}");
        let options = segments
            .into_iter()
            .filter_map(|segment| {
                let value = segment.value?;
                let selected = current.as_deref() == Some(value.as_str());
                let text = format!("{value} ({})", format::count(segment.customers));
                Some(view! { <option value=value selected=selected>{text}</option> })
            })
            .collect_view();
        view! {
            <div class="field">
                <label for=id.clone()>{label}</label>
                <select id=id name=name>
                    <option value="">"All"</option>
                    {options}
                </select>
            </div>
        }
    };
    let sort = listing.sort_param();
    view! {
        <form class="filters" method="get" action="/customers" role="search" aria-label="Filter customers">
            <div class="field grow">
                <label for="search">"Search"</label>
                <input id="search" type="search" name="search" maxlength="200"
                    value=listing.search.clone().unwrap_or_default()
                    placeholder="Name, industry, type or city" />
            </div>
            {select("industry", "Industry", totals.by_industry, listing.industry.clone())}
            {select("type", "Type", totals.by_type, listing.account_type.clone())}
            {select("country", "Country", totals.by_country, listing.country.clone())}
            <div class="field">
                <label for="size">"Per page"</label>
                <select id="size" name="size">
                    {PAGE_SIZES.map(|size| view! {
                        <option value=size.to_string() selected=size == listing.size>{size.to_string()}</option>
                    }).collect_view()}
                </select>
            </div>
            {sort.map(|sort| view! { <input type="hidden" name="sort" value=sort /> })}
            <div class="field actions">
                <button class="button" type="submit">"Apply"</button>
                {listing.narrows().then(|| view! { <a href="/customers">"Clear filters"</a> })}
            </div>
        </form>
    }
}

/// The total, the table and the pager, or what to do when nothing matches.
#[component]
fn Results(listing: Listing, found: CustomerListing, admin: bool) -> impl IntoView {
    let CustomerListing { page, count, .. } = found;
    if page.items.is_empty() {
        return view! { <EmptyState listing admin /> }.into_any();
    }
    let first = listing.from;
    let last = first + page.items.len() as u64 - 1;
    let total = format!(
        "{}{} customer{}",
        format::count(count.count),
        if count.at_least { "+" } else { "" },
        if count.count == 1 { "" } else { "s" }
    );
    let previous = page
        .prev_cursor
        .as_deref()
        .map(|cursor| listing.previous(cursor));
    let next = page
        .next_cursor
        .as_deref()
        .map(|cursor| listing.next(cursor, page.items.len()));
    let range = format!("{}–{}", format::count(first), format::count(last));
    view! {
        <p class="summary" data-testid="customers-total" aria-live="polite">
            <strong>{total}</strong> " · " {range.clone()}
        </p>
        <CustomerTable items=page.items listing=listing.clone() />
        <nav class="pager" aria-label="Pages">
            {match previous {
                Some(href) => view! { <a href=href rel="prev">"← Previous"</a> }.into_any(),
                None => view! { <span class="muted" aria-disabled="true">"← Previous"</span> }.into_any(),
            }}
            <span class="muted">{range}</span>
            {match next {
                Some(href) => view! { <a href=href rel="next">"Next →"</a> }.into_any(),
                None => view! { <span class="muted" aria-disabled="true">"Next →"</span> }.into_any(),
            }}
        </nav>
    }
    .into_any()
}
