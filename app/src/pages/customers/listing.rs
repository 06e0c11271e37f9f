//! A customers listing as its address holds it, and the addresses of the listings around it.

use expedite_domain::{CustomerFilter, CustomerSort, Limit};
use leptos_router::params::ParamsMap;

use crate::{
    api::{ListingQuery, PAGE_SIZES},
    format,
};

/// What the address asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Listing {
    pub(super) search: Option<String>,
    pub(super) industry: Option<String>,
    pub(super) account_type: Option<String>,
    pub(super) country: Option<String>,
    pub(super) sort: CustomerSort,
    pub(super) size: u32,
    pub(super) cursor: Option<String>,
    /// The position of the page's first customer (1-based), carried along for the "26–50".
    pub(super) from: u64,
}

impl Listing {
    pub(super) fn from_params(params: &ParamsMap) -> Self {
        let text = |name: &str| CustomerFilter::search_text(params.get(name).as_deref());
        Self {
            search: text("search"),
            industry: text("industry"),
            account_type: text("type"),
            country: text("country"),
            sort: params
                .get("sort")
                .and_then(|sort| CustomerSort::parse(&sort))
                .unwrap_or_default(),
            size: params
                .get("size")
                .and_then(|size| size.parse().ok())
                .filter(|size| PAGE_SIZES.contains(size))
                .unwrap_or(Limit::DEFAULT.get()),
            cursor: text("cursor"),
            from: params
                .get("from")
                .and_then(|from| from.parse().ok())
                .filter(|from| *from >= 1)
                .unwrap_or(1),
        }
    }

    /// The server function's arguments.
    pub(super) fn query(&self) -> ListingQuery {
        ListingQuery {
            search: self.search.clone(),
            industry: self.industry.clone(),
            account_type: self.account_type.clone(),
            country: self.country.clone(),
            sort: Some(self.sort.as_str().to_owned()),
            cursor: self.cursor.clone(),
            size: Some(self.size),
        }
    }

    pub(super) fn narrows(&self) -> bool {
        self.search.is_some()
            || self.industry.is_some()
            || self.account_type.is_some()
            || self.country.is_some()
    }

    /// The sort as the address spells it; none for the default.
    pub(super) fn sort_param(&self) -> Option<&'static str> {
        (self.sort != CustomerSort::default()).then_some(self.sort.as_str())
    }

    /// The filter's part of an address: what every link of this listing keeps.
    fn pairs(&self, sort: CustomerSort) -> Vec<(&'static str, Option<String>)> {
        let size = (self.size != Limit::DEFAULT.get()).then(|| self.size.to_string());
        let sort = (sort != CustomerSort::default()).then(|| sort.as_str().to_owned());
        vec![
            ("search", self.search.clone()),
            ("industry", self.industry.clone()),
            ("type", self.account_type.clone()),
            ("country", self.country.clone()),
            ("sort", sort),
            ("size", size),
        ]
    }

    fn href(pairs: Vec<(&'static str, Option<String>)>) -> String {
        let borrowed: Vec<(&str, Option<&str>)> = pairs
            .iter()
            .map(|(name, value)| (*name, value.as_deref()))
            .collect();
        format!("/customers{}", format::query_string(&borrowed))
    }

    /// This listing in another order, from its first page.
    pub(super) fn sorted_by(&self, sort: CustomerSort) -> String {
        Self::href(self.pairs(sort))
    }

    /// The page after this one, whose first customer follows this page's `shown`.
    pub(super) fn next(&self, cursor: &str, shown: usize) -> String {
        let mut pairs = self.pairs(self.sort);
        pairs.push(("cursor", Some(cursor.to_owned())));
        pairs.push(("from", Some((self.from + shown as u64).to_string())));
        Self::href(pairs)
    }

    /// The page before this one.
    pub(super) fn previous(&self, cursor: &str) -> String {
        let from = self.from.saturating_sub(u64::from(self.size)).max(1);
        let mut pairs = self.pairs(self.sort);
        if from > 1 {
            pairs.push(("cursor", Some(cursor.to_owned())));
            pairs.push(("from", Some(from.to_string())));
        } else {
            // The first page has an address of its own.
        }
        Self::href(pairs)
    }

    /// The CSV export of the whole filter, in this order.
    pub(super) fn export_href(&self) -> String {
        let pairs = self.pairs(self.sort);
        let borrowed: Vec<(&str, Option<&str>)> = pairs
            .iter()
            .filter(|(name, _)| *name != "size")
            .map(|(name, value)| (*name, value.as_deref()))
            .collect();
        format!("/api/customers/export{}", format::query_string(&borrowed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(query: &[(&str, &str)]) -> Listing {
        let mut params = ParamsMap::new();
        for (name, value) in query {
            params.insert((*name).to_owned(), (*value).to_owned());
        }
        Listing::from_params(&params)
    }

    #[test]
    fn links_keep_the_filter_and_reset_the_position() {
        let l = listing(&[
            ("industry", "Energy"),
            ("country", "Côte d'Ivoire"),
            ("size", "50"),
        ]);
        assert_eq!(
            l.sorted_by(CustomerSort::RevenueDesc),
            "/customers?industry=Energy&country=C%C3%B4te%20d%27Ivoire&sort=revenue_desc&size=50"
        );
        assert_eq!(
            l.next("abc", 50),
            "/customers?industry=Energy&country=C%C3%B4te%20d%27Ivoire&size=50&cursor=abc&from=51"
        );
        assert_eq!(
            l.export_href(),
            "/api/customers/export?industry=Energy&country=C%C3%B4te%20d%27Ivoire"
        );
    }

    #[test]
    fn previous_leads_to_the_first_page_by_its_own_address() {
        let second = listing(&[("cursor", "c2"), ("from", "26")]);
        assert_eq!(second.previous("back"), "/customers");
        let third = listing(&[("cursor", "c3"), ("from", "51")]);
        assert_eq!(third.previous("back"), "/customers?cursor=back&from=26");
    }

    #[test]
    fn odd_addresses_fall_back_to_defaults() {
        let l = listing(&[
            ("size", "7"),
            ("from", "0"),
            ("sort", "nope"),
            ("search", "  "),
        ]);
        assert_eq!(l.size, 25);
        assert_eq!(l.from, 1);
        assert_eq!(l.sort, CustomerSort::NameAsc);
        assert_eq!(l.search, None);
    }
}
