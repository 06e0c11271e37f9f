//! The customer rollup: what the live customers add up to, kept by every write so that the
//! dashboard reads five small items instead of scanning the table.
//!
//! Five items of the sync table (`pk = ROLLUP#customers#<part>`) hold counters: the totals
//! (`n` live, `k` with revenue, `c` cents), one item per breakdown (`n|<value>` customers and
//! `c|<value>` cents per industry, type and country; `n` and `c` alone for an empty field) and
//! a revenue histogram (`h|<bucket>`: customers per bucket of two significant digits of
//! cents). An upsert writes its customers and `ADD`s the difference they make to the counters in
//! one transaction, each put conditioned on the version it replaced, so the rollup never
//! drifts from the table, whatever crashes or races. The median is found through the
//! histogram: the bucket holding the middle rank is read from the `by_revenue` index alone.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::types::{KeysAndAttributes, TransactWriteItem, Update};
use expedite_core::store::{StoreError, keys::known_cents};
use expedite_domain::{Customer, CustomerTotals, Segment, dollars};

use super::{
    DynamoStore, TIE,
    attr::{Item, corrupt, get_s, opt_n, opt_s, s},
    indexes, padded, unavailable,
};

/// The rollup's items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum Part {
    Totals,
    Industry,
    Type,
    Country,
    Revenue,
}

impl Part {
    const ALL: [Self; 5] = [
        Self::Totals,
        Self::Industry,
        Self::Type,
        Self::Country,
        Self::Revenue,
    ];

    fn pk(self) -> &'static str {
        match self {
            Self::Totals => "ROLLUP#customers#totals",
            Self::Industry => "ROLLUP#customers#industry",
            Self::Type => "ROLLUP#customers#type",
            Self::Country => "ROLLUP#customers#country",
            Self::Revenue => "ROLLUP#customers#revenue",
        }
    }
}

/// What one stored version of a customer counts for.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Contribution {
    live: bool,
    industry: Option<String>,
    account_type: Option<String>,
    country: Option<String>,
    cents: Option<i64>,
}

/// The attributes [`Contribution::from_item`] reads.
pub(super) const CONTRIBUTION_ATTRIBUTES: &str =
    "industry, account_type, billing_country, annual_revenue, is_deleted";

impl Contribution {
    pub(super) fn of(customer: &Customer) -> Self {
        Self {
            live: !customer.is_deleted,
            industry: customer.industry.clone(),
            account_type: customer.account_type.clone(),
            country: customer.billing_country.clone(),
            cents: known_cents(customer.annual_revenue),
        }
    }

    pub(super) fn from_item(item: &Item) -> Result<Self, StoreError> {
        let deleted = matches!(
            item.get("is_deleted"),
            Some(aws_sdk_dynamodb::types::AttributeValue::Bool(true))
        );
        Ok(Self {
            live: !deleted,
            industry: opt_s(item, "industry")?,
            account_type: opt_s(item, "account_type")?,
            country: opt_s(item, "billing_country")?,
            cents: known_cents(opt_n(item, "annual_revenue")?),
        })
    }
}

/// Counter changes, per rollup item and attribute.
#[derive(Debug, Default)]
pub(super) struct Delta {
    parts: BTreeMap<Part, BTreeMap<String, i64>>,
}

impl Delta {
    /// Counts `contribution` in (`sign` 1) or out (`sign` -1).
    pub(super) fn add(&mut self, contribution: &Contribution, sign: i64) {
        if !contribution.live {
            return;
        }
        let cents = contribution.cents.unwrap_or(0);
        self.bump(Part::Totals, "n".into(), sign);
        if let Some(known) = contribution.cents {
            self.bump(Part::Totals, "k".into(), sign);
            self.bump(Part::Totals, "c".into(), sign * known);
            self.bump(Part::Revenue, format!("h|{}", bucket(known)), sign);
        }
        for (part, value) in [
            (Part::Industry, &contribution.industry),
            (Part::Type, &contribution.account_type),
            (Part::Country, &contribution.country),
        ] {
            let (count, sum) = segment_attributes(value.as_deref());
            self.bump(part, count, sign);
            self.bump(part, sum, sign * cents);
        }
    }

    fn bump(&mut self, part: Part, attribute: String, by: i64) {
        *self
            .parts
            .entry(part)
            .or_default()
            .entry(attribute)
            .or_default() += by;
    }

    /// One `ADD` update per rollup item that changes.
    pub(super) fn updates(&self, table: &str) -> Result<Vec<TransactWriteItem>, StoreError> {
        let mut updates = Vec::new();
        for (part, counters) in &self.parts {
            let changed: Vec<(&String, &i64)> =
                counters.iter().filter(|(_, by)| **by != 0).collect();
            if changed.is_empty() {
                continue;
            }
            let mut update = Update::builder().table_name(table).key("pk", s(part.pk()));
            let mut terms = Vec::with_capacity(changed.len());
            for (i, (attribute, by)) in changed.into_iter().enumerate() {
                terms.push(format!("#a{i} :v{i}"));
                update = update
                    .expression_attribute_names(format!("#a{i}"), attribute.clone())
                    .expression_attribute_values(format!(":v{i}"), super::attr::n(by));
            }
            let update = update
                .update_expression(format!("ADD {}", terms.join(", ")))
                .build()
                .map_err(corrupt)?;
            updates.push(TransactWriteItem::builder().update(update).build());
        }
        Ok(updates)
    }
}

/// The counter names of one breakdown value: `n`/`c` for an empty field, `n|v`/`c|v` else.
fn segment_attributes(value: Option<&str>) -> (String, String) {
    match value {
        None => ("n".into(), "c".into()),
        Some(value) => (format!("n|{value}"), format!("c|{value}")),
    }
}

/// A histogram bucket: the digit count of `cents` and its first two digits (`"0612"` holds
/// 120 000–129 999 cents). String order of buckets is numeric order.
pub(super) fn bucket(cents: i64) -> String {
    let digits = cents.max(0).to_string();
    let lead = &digits[..digits.len().min(2)];
    format!("{:02}{lead}", digits.len())
}

/// The lowest and highest cents a bucket holds.
fn bucket_range(bucket: &str) -> Option<(i64, i64)> {
    let length: usize = bucket.get(..2)?.parse().ok()?;
    let lead = bucket.get(2..)?;
    let rest = length.checked_sub(lead.len())?;
    let low = format!("{lead}{}", "0".repeat(rest)).parse().ok()?;
    let high = format!("{lead}{}", "9".repeat(rest)).parse().ok()?;
    Some((low, high))
}

impl DynamoStore {
    /// The totals as the rollup holds them, with the median looked up.
    pub(super) async fn rollup_totals(&self) -> Result<CustomerTotals, StoreError> {
        let parts = self.rollup_items().await?;
        let counter = |part: Part, name: &str| -> i64 {
            parts
                .get(&part)
                .and_then(|item| opt_n::<i64>(item, name).ok().flatten())
                .unwrap_or(0)
        };
        let with_revenue = counter(Part::Totals, "k").max(0) as u64;
        let histogram = parts
            .get(&Part::Revenue)
            .map(histogram_of)
            .transpose()?
            .unwrap_or_default();
        Ok(CustomerTotals {
            customers: counter(Part::Totals, "n").max(0) as u64,
            with_revenue,
            total_revenue: dollars(counter(Part::Totals, "c")),
            median_revenue: self.median(&histogram, with_revenue).await?,
            by_industry: segments_of(parts.get(&Part::Industry))?,
            by_type: segments_of(parts.get(&Part::Type))?,
            by_country: segments_of(parts.get(&Part::Country))?,
        })
    }

    /// Live customers, as the rollup counts them.
    pub(super) async fn live_count(&self) -> Result<u64, StoreError> {
        self.counter(Part::Totals, "n").await
    }

    /// Live customers with one value of a breakdown's field.
    pub(super) async fn segment_count(&self, part: Part, value: &str) -> Result<u64, StoreError> {
        self.counter(part, &segment_attributes(Some(value)).0).await
    }

    async fn counter(&self, part: Part, name: &str) -> Result<u64, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.tables.sync)
            .key("pk", s(part.pk()))
            .projection_expression("#n")
            .expression_attribute_names("#n", name)
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable)?;
        let stored = output
            .item()
            .map(|item| opt_n::<i64>(item, name))
            .transpose()?
            .flatten();
        Ok(stored.unwrap_or(0).max(0) as u64)
    }

    async fn rollup_items(&self) -> Result<HashMap<Part, Item>, StoreError> {
        let keys = Part::ALL
            .iter()
            .map(|part| HashMap::from([("pk".to_owned(), s(part.pk()))]))
            .collect();
        let request = KeysAndAttributes::builder()
            .set_keys(Some(keys))
            .consistent_read(true)
            .build()
            .map_err(corrupt)?;
        let output = self
            .client
            .batch_get_item()
            .request_items(&self.tables.sync, request)
            .send()
            .await
            .map_err(unavailable)?;
        if output
            .unprocessed_keys()
            .is_some_and(|keys| !keys.is_empty())
        {
            return Err(StoreError::Unavailable(
                "DynamoDB left the rollup unread; retry".into(),
            ));
        }
        let mut parts = HashMap::new();
        for item in output
            .responses()
            .and_then(|r| r.get(&self.tables.sync))
            .into_iter()
            .flatten()
        {
            let pk = get_s(item, "pk")?;
            if let Some(part) = Part::ALL.into_iter().find(|part| part.pk() == pk) {
                parts.insert(part, item.clone());
            }
        }
        Ok(parts)
    }

    /// The middle known revenue, from the histogram and one bucket of the revenue index.
    async fn median(
        &self,
        histogram: &[(String, u64)],
        known: u64,
    ) -> Result<Option<f64>, StoreError> {
        if known == 0 {
            return Ok(None);
        }
        let low = self.nth_revenue(histogram, (known - 1) / 2).await?;
        let high = if known.is_multiple_of(2) {
            self.nth_revenue(histogram, known / 2).await?
        } else {
            low
        };
        let middle = if known.is_multiple_of(2) { 2.0 } else { 1.0 };
        let sum = if known.is_multiple_of(2) {
            low + high
        } else {
            low
        };
        Ok(Some(dollars(sum) / middle))
    }

    /// The known revenue (cents) at `rank` (0-based, lowest first).
    async fn nth_revenue(&self, histogram: &[(String, u64)], rank: u64) -> Result<i64, StoreError> {
        let mut before = 0;
        let Some((bucket, _)) = histogram.iter().find(|(_, count)| {
            let found = before + count > rank;
            if !found {
                before += count;
            }
            found
        }) else {
            return Err(StoreError::Corrupt("the revenue histogram is short".into()));
        };
        let (low, high) = bucket_range(bucket)
            .ok_or_else(|| StoreError::Corrupt(format!("bad revenue bucket {bucket}")))?;
        let mut skip = rank - before;
        let mut start = None;
        loop {
            let output = self
                .client
                .query()
                .table_name(&self.tables.customers)
                .index_name(indexes::CUSTOMERS_BY_REVENUE)
                .key_condition_expression("live = :live AND revenue_sk BETWEEN :low AND :high")
                .expression_attribute_values(":live", s("1"))
                .expression_attribute_values(":low", s(format!("1{}", padded(low))))
                .expression_attribute_values(
                    ":high",
                    s(format!("1{}{}", padded(high), char::from(TIE as u8 + 1))),
                )
                .projection_expression("revenue_sk")
                .limit(i32::try_from(skip + 1).unwrap_or(i32::MAX).min(1000))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(unavailable)?;
            let items = output.items();
            if let Some(item) = items.get(skip as usize) {
                let sk = get_s(item, "revenue_sk")?;
                return sk
                    .get(1..21)
                    .and_then(|cents| cents.parse().ok())
                    .ok_or_else(|| StoreError::Corrupt(format!("bad revenue key {sk}")));
            }
            skip -= items.len() as u64;
            match output.last_evaluated_key() {
                Some(key) => start = Some(key.clone()),
                None => {
                    return Err(StoreError::Corrupt(
                        "the revenue histogram counts more than the index holds".into(),
                    ));
                }
            }
        }
    }
}

/// The histogram's buckets with customers, lowest first.
fn histogram_of(item: &Item) -> Result<Vec<(String, u64)>, StoreError> {
    let mut buckets: Vec<(String, u64)> = Vec::new();
    for name in item.keys() {
        if let Some(bucket) = name.strip_prefix("h|") {
            let count = opt_n::<i64>(item, name)?.unwrap_or(0);
            if count > 0 {
                buckets.push((bucket.to_owned(), count as u64));
            }
        }
    }
    buckets.sort();
    Ok(buckets)
}

/// The breakdown an item holds, largest first; values no live customer has are left out.
fn segments_of(item: Option<&Item>) -> Result<Vec<Segment>, StoreError> {
    let Some(item) = item else {
        return Ok(Vec::new());
    };
    let mut segments = Vec::new();
    for name in item.keys() {
        let value = match name.as_str() {
            "n" => None,
            other => match other.strip_prefix("n|") {
                Some(value) => Some(value.to_owned()),
                None => continue,
            },
        };
        let customers = opt_n::<i64>(item, name)?.unwrap_or(0);
        if customers <= 0 {
            continue;
        }
        let (_, sum) = segment_attributes(value.as_deref());
        segments.push(Segment {
            value,
            customers: customers as u64,
            revenue: dollars(opt_n::<i64>(item, &sum)?.unwrap_or(0)),
        });
    }
    CustomerTotals::sort_segments(&mut segments);
    Ok(segments)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_order_like_their_amounts_and_cover_them() {
        let amounts = [0, 5, 9, 10, 99, 100, 129_999, 130_000, 1_000_000_000];
        let buckets: Vec<String> = amounts.iter().map(|cents| bucket(*cents)).collect();
        let mut sorted = buckets.clone();
        sorted.sort();
        assert_eq!(buckets, sorted);
        for cents in amounts {
            let (low, high) = bucket_range(&bucket(cents)).unwrap();
            assert!(low <= cents && cents <= high, "{cents} in {low}..={high}");
        }
        assert_eq!(bucket_range("0612"), Some((120_000, 129_999)));
        assert_eq!(bucket(5), "015");
    }

    #[test]
    fn a_rewrite_counts_the_old_version_out_and_the_new_one_in() {
        let mut delta = Delta::default();
        let old = Contribution {
            live: true,
            industry: Some("Banking".into()),
            cents: Some(100),
            ..Contribution::default()
        };
        let new = Contribution {
            industry: Some("Energy".into()),
            ..old.clone()
        };
        delta.add(&old, -1);
        delta.add(&new, 1);
        let industry = &delta.parts[&Part::Industry];
        assert_eq!(industry["n|Banking"], -1);
        assert_eq!(industry["c|Energy"], 100);
        assert_eq!(delta.parts[&Part::Totals]["n"], 0);
        // Only the counters that change are written.
        let updates = delta.updates("t").unwrap();
        assert_eq!(updates.len(), 1);
        let deleted = Contribution {
            live: false,
            ..new.clone()
        };
        let mut gone = Delta::default();
        gone.add(&new, -1);
        gone.add(&deleted, 1);
        assert_eq!(gone.parts[&Part::Totals]["n"], -1);
    }
}
