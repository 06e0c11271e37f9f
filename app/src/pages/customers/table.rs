//! The customers table: sortable headers (each click reverses), and the empty states.

use expedite_domain::{Customer, CustomerSort};
use leptos::prelude::*;

use super::listing::Listing;
use crate::{components::time::LocalTime, format};

/// The customers of one page, in a labelled region that scrolls sideways on narrow screens.
#[component]
pub(super) fn CustomerTable(items: Vec<Customer>, listing: Listing) -> impl IntoView {
    view! {
        <div class="table-scroll" role="region" aria-label="Customers table" tabindex="0">
            <table class="table customers" data-testid="customers">
                <caption class="visually-hidden">"Customers, sorted by " {sort_label(listing.sort)}</caption>
                <thead>
                    <tr>
                        <SortHeader label="Name" column=Column::Name listing=listing.clone() />
                        <th scope="col">"Industry"</th>
                        <th scope="col">"Type"</th>
                        <th scope="col">"Location"</th>
                        <SortHeader label="Annual revenue" column=Column::Revenue listing=listing.clone() />
                        <th scope="col">"Owner"</th>
                        <SortHeader label="Last modified" column=Column::Modified listing=listing.clone() />
                    </tr>
                </thead>
                <tbody>
                    {items.into_iter().map(|customer| view! { <CustomerRow customer /> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
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
        let natural = match self {
            Self::Name => NameAsc,
            Self::Revenue => RevenueDesc,
            Self::Modified => ModifiedDesc,
        };
        if current == natural || current == natural.reversed() {
            let direction = match current {
                NameAsc | RevenueAsc | ModifiedAsc => "ascending",
                NameDesc | RevenueDesc | ModifiedDesc => "descending",
            };
            (direction, current.reversed())
        } else {
            ("none", natural)
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
        CustomerSort::ModifiedAsc => "last modified, oldest first",
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
            <td class="name"><a href=href>{customer.name}</a></td>
            <td>{customer.industry}</td>
            <td>{customer.account_type}</td>
            <td>{location}</td>
            <td class="number">{format::money(customer.annual_revenue)}</td>
            <td>{customer.owner_name}</td>
            <td class="nowrap"><LocalTime at=customer.system_modstamp /></td>
        </tr>
    }
}

/// No customers at all yet (administrators get a way to fetch them), or none that match.
#[component]
pub(super) fn EmptyState(listing: Listing, admin: bool) -> impl IntoView {
    let message = if listing.narrows() {
        view! { <p>"No customers match these filters. " <a href="/customers">"Show all"</a></p> }
            .into_any()
    } else if listing.cursor.is_some() {
        view! { <p>"There are no more customers. " <a href="/customers">"First page"</a></p> }
            .into_any()
    } else if admin {
        view! {
            <p>"There are no customers yet. Run a Salesforce sync on the " <a href="/admin/sync">"Sync page"</a> " to bring them in."</p>
        }
        .into_any()
    } else {
        view! {
            <p>"There are no customers yet. They appear here once an administrator syncs Salesforce."</p>
        }
        .into_any()
    };
    view! { <div class="card empty" data-testid="customers-empty">{message}</div> }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sortable_column_reverses_on_a_second_click() {
        for (column, natural) in [
            (Column::Name, CustomerSort::NameAsc),
            (Column::Revenue, CustomerSort::RevenueDesc),
            (Column::Modified, CustomerSort::ModifiedDesc),
        ] {
            let (state, second) = column.state(natural);
            assert_ne!(state, "none");
            assert_eq!(second, natural.reversed());
            let (_, third) = column.state(second);
            assert_eq!(third, natural);
        }
        assert_eq!(
            Column::Revenue.state(CustomerSort::NameAsc),
            ("none", CustomerSort::RevenueDesc)
        );
    }
}
