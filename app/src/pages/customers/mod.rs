//! The synced customers: search (`?search=`), sort (`?sort=`), page (`?cursor=`), each row
//! linking to the customer. Plain links and a GET form, so it all works without JavaScript.

use expedite_domain::{Customer, CustomerFilter, CustomerSort, Page, Role};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    api::list_customers, components::require_sign_in::RequireSignIn, error::UiError, format,
    session::Session,
};

/// The page's data is created here, outside the guard's suspense (see ARCHITECTURE.md).
#[component]
pub(crate) fn CustomersPage() -> impl IntoView {
    let params = use_query_map();
    let listing = Memo::new(move |_| {
        let params = params.read();
        Listing {
            search: CustomerFilter::search_text(params.get("search").as_deref()),
            sort: params
                .get("sort")
                .and_then(|sort| CustomerSort::parse(&sort))
                .unwrap_or_default(),
            cursor: params.get("cursor"),
        }
    });
    let page = Resource::new(
        move || listing.get(),
        |listing| {
            list_customers(
                listing.search,
                Some(listing.sort.as_str().to_owned()),
                listing.cursor,
            )
        },
    );
    view! {
        <Title text="Customers" />
        <RequireSignIn>
            <CustomersBody listing page />
        </RequireSignIn>
    }
}

/// What the address asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Listing {
    search: Option<String>,
    sort: CustomerSort,
    cursor: Option<String>,
}

impl Listing {
    /// The address of this listing sorted by `sort`, from its first page.
    fn sorted_by(&self, sort: CustomerSort) -> String {
        let sort = (sort != CustomerSort::default()).then_some(sort.as_str());
        let query = format::query_string(&[("search", self.search.as_deref()), ("sort", sort)]);
        format!("/customers{query}")
    }

    /// The address of the page after this one.
    fn next(&self, cursor: &str) -> String {
        let sort = (self.sort != CustomerSort::default()).then_some(self.sort.as_str());
        let query = format::query_string(&[
            ("search", self.search.as_deref()),
            ("sort", sort),
            ("cursor", Some(cursor)),
        ]);
        format!("/customers{query}")
    }
}

#[component]
fn CustomersBody(
    listing: Memo<Listing>,
    page: Resource<Result<Page<Customer>, UiError>>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    view! {
        <h1>"Customers"</h1>
        <SearchForm listing />
        <Transition fallback=|| view! { <p class="muted">"Loading customers…"</p> }>
            {move || Suspend::new(async move {
                let admin = matches!(session.user.await, Ok(Some(me)) if me.role == Role::Admin);
                match page.await {
                    Ok(page) => view! { <CustomerList page listing=listing.get_untracked() admin /> }.into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Search by name, industry, type or city; keeps the sort order.
#[component]
fn SearchForm(listing: Memo<Listing>) -> impl IntoView {
    let search = move || listing.with(|listing| listing.search.clone().unwrap_or_default());
    let sort = move || listing.with(|listing| listing.sort.as_str());
    view! {
        <form class="search" method="get" action="/customers" role="search">
            <label for="search">"Search customers"</label>
            <input id="search" type="search" name="search" maxlength="200" value=search
                placeholder="Name, industry, type or city" />
            <input type="hidden" name="sort" value=sort />
            <button class="button" type="submit">"Search"</button>
        </form>
    }
}

/// A page of customers, or what to do when there are none.
#[component]
fn CustomerList(page: Page<Customer>, listing: Listing, admin: bool) -> impl IntoView {
    if page.items.is_empty() {
        return view! { <EmptyState listing admin /> }.into_any();
    }
    let next = page.next_cursor.map(|cursor| listing.next(&cursor));
    let first = listing
        .cursor
        .is_some()
        .then(|| listing.sorted_by(listing.sort));
    view! {
        <div class="table-scroll">
            <table class="table" data-testid="customers">
                <caption class="visually-hidden">"Customers, sorted by " {sort_label(listing.sort)}</caption>
                <thead>
                    <tr>
                        <SortHeader label="Name" column=Column::Name listing=listing.clone() />
                        <th scope="col">"Industry"</th>
                        <th scope="col">"Type"</th>
                        <th scope="col">"Location"</th>
                        <SortHeader label="Annual revenue" column=Column::Revenue listing=listing.clone() />
                        <SortHeader label="Last modified" column=Column::Modified listing=listing.clone() />
                    </tr>
                </thead>
                <tbody>
                    {page.items.into_iter().map(|customer| view! { <CustomerRow customer /> }).collect_view()}
                </tbody>
            </table>
        </div>
        <nav class="pager" aria-label="Pages">
            {first.map(|href| view! { <a href=href>"First page"</a> })}
            {next.map(|href| view! { <a href=href rel="next">"Next page"</a> })}
        </nav>
    }
    .into_any()
}

/// The columns a listing can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Name,
    Revenue,
    Modified,
}

impl Column {
    /// How the column is sorted now (`aria-sort`) and the order its header link asks for:
    /// the other direction when it is the sorted column, its natural order otherwise.
    fn state(self, current: CustomerSort) -> (&'static str, CustomerSort) {
        use CustomerSort::*;
        match (self, current) {
            (Self::Name, NameAsc) => ("ascending", NameDesc),
            (Self::Name, NameDesc) => ("descending", NameAsc),
            (Self::Name, _) => ("none", NameAsc),
            (Self::Revenue, RevenueDesc) => ("descending", RevenueAsc),
            (Self::Revenue, RevenueAsc) => ("ascending", RevenueDesc),
            (Self::Revenue, _) => ("none", RevenueDesc),
            (Self::Modified, ModifiedDesc) => ("descending", ModifiedDesc),
            (Self::Modified, _) => ("none", ModifiedDesc),
        }
    }
}

/// A column header that sorts by its column; a second click reverses the order.
#[component]
fn SortHeader(label: &'static str, column: Column, listing: Listing) -> impl IntoView {
    let (aria_sort, target) = column.state(listing.sort);
    let href = listing.sorted_by(target);
    let mark = match aria_sort {
        "ascending" => "▲",
        "descending" => "▼",
        _ => "↕",
    };
    view! {
        <th scope="col" aria-sort=aria_sort>
            <a class="sort" href=href title=format!("Sort by {}", sort_label(target))>
                {label}
                <span class="sort-mark" aria-hidden="true">{mark}</span>
            </a>
        </th>
    }
}

fn sort_label(sort: CustomerSort) -> &'static str {
    match sort {
        CustomerSort::NameAsc => "name, A to Z",
        CustomerSort::NameDesc => "name, Z to A",
        CustomerSort::RevenueDesc => "annual revenue, highest first",
        CustomerSort::RevenueAsc => "annual revenue, lowest first",
        CustomerSort::ModifiedDesc => "last modified, newest first",
    }
}

#[component]
fn CustomerRow(customer: Customer) -> impl IntoView {
    let href = format!("/customers/{}", customer.id);
    let location = [customer.billing_city, customer.billing_country]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <tr>
            <td><a href=href>{customer.name}</a></td>
            <td>{customer.industry}</td>
            <td>{customer.account_type}</td>
            <td>{location}</td>
            <td class="number">{format::money(customer.annual_revenue)}</td>
            <td class="nowrap">
                <time datetime=customer.system_modstamp.to_rfc3339()>{format::time(customer.system_modstamp)}</time>
            </td>
        </tr>
    }
}

/// No customers at all yet (administrators get a way to fetch them), or none that match.
#[component]
fn EmptyState(listing: Listing, admin: bool) -> impl IntoView {
    let message = match (&listing.search, &listing.cursor) {
        (Some(search), _) => {
            view! { <p>"No customers match “" {search.clone()} "”. " <a href="/customers">"Show all"</a></p> }.into_any()
        }
        (None, Some(_)) => view! { <p>"There are no more customers. " <a href="/customers">"First page"</a></p> }.into_any(),
        (None, None) if admin => view! {
            <p>"There are no customers yet. Run a Salesforce sync on the " <a href="/admin/sync">"Sync page"</a> " to bring them in."</p>
        }
        .into_any(),
        (None, None) => view! {
            <p>"There are no customers yet. They appear here once an administrator syncs Salesforce."</p>
        }
        .into_any(),
    };
    view! { <div class="card empty" data-testid="customers-empty">{message}</div> }
}
