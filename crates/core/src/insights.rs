//! The home page's overview and an account's page: several reads gathered into one answer.

use expedite_domain::{
    Account, AiQuery, CustomerFilter, CustomerSort, CustomerTotals, LastSync, Limit, Overview,
    PageRequest, SyncRun, SyncStatus,
};

use crate::{Services, customers::CustomerError, identity::Caller, store::StoreError};

/// Items in each of the overview's lists.
const RECENT: u32 = 5;
/// Sync runs looked through for the newest finished one.
const RUNS_SEARCHED: u32 = 20;
/// The caller's newest questions searched for ones citing an account.
const QUESTIONS_SEARCHED: u32 = 200;

impl Services {
    /// The home page: totals and breakdowns (from the store's aggregates, never a scan here),
    /// the newest finished sync, recently changed customers, the caller's newest questions and
    /// questions suggested by the data.
    pub async fn overview(&self, caller: &Caller) -> Result<Overview, CustomerError> {
        let store = self.store();
        let totals = store.customer_totals().await?;
        let recent = PageRequest {
            cursor: None,
            limit: Limit::parse(Some(RECENT)).unwrap_or_default(),
        };
        let changed = CustomerFilter {
            sort: CustomerSort::ModifiedDesc,
            ..CustomerFilter::default()
        };
        let recent_customers = store.list_customers(&changed, &recent).await?.items;
        let recent_questions = store.list_queries(&caller.user_id, &recent).await?.items;
        let last_sync = self.last_finished_sync().await?;
        Ok(Overview {
            suggestions: suggestions(&totals),
            totals,
            last_sync,
            recent_customers,
            recent_questions,
        })
    }

    /// One customer, with its Salesforce link and the caller's questions that cite it.
    pub async fn account(&self, caller: &Caller, id: &str) -> Result<Account, CustomerError> {
        let customer = self.customer(caller, id).await?;
        let citing_questions = self.questions_citing(caller, &customer.id).await?;
        let salesforce_url = self.newest_runs().await?.into_iter().find_map(|run| {
            let instance = run.instance_url?;
            Some(format!(
                "{}/lightning/r/Account/{}/view",
                instance.trim_end_matches('/'),
                customer.id
            ))
        });
        Ok(Account {
            customer,
            salesforce_url,
            citing_questions,
        })
    }

    async fn questions_citing(
        &self,
        caller: &Caller,
        id: &expedite_domain::CustomerId,
    ) -> Result<Vec<AiQuery>, StoreError> {
        let mut found = Vec::new();
        let mut page = PageRequest {
            cursor: None,
            limit: Limit::parse(Some(Limit::MAX)).unwrap_or_default(),
        };
        let mut searched = 0;
        while searched < QUESTIONS_SEARCHED {
            let listed = self.store().list_queries(&caller.user_id, &page).await?;
            searched += Limit::MAX;
            found.extend(
                listed
                    .items
                    .into_iter()
                    .filter(|query| query.citations.contains(id)),
            );
            match listed.next_cursor {
                Some(cursor) => page.cursor = Some(cursor),
                None => break,
            }
        }
        Ok(found)
    }

    async fn newest_runs(&self) -> Result<Vec<SyncRun>, StoreError> {
        let page = PageRequest {
            cursor: None,
            limit: Limit::parse(Some(RUNS_SEARCHED)).unwrap_or_default(),
        };
        Ok(self.store().list_sync_runs(&page).await?.items)
    }

    async fn last_finished_sync(&self) -> Result<Option<LastSync>, StoreError> {
        Ok(self
            .newest_runs()
            .await?
            .into_iter()
            .find(|run| run.status == SyncStatus::Completed)
            .map(|run| LastSync {
                kind: run.kind,
                finished_at: run.updated_at,
                pulled: run.pulled,
            }))
    }
}

/// Questions the data invites: about its largest industry and country, and its biggest
/// accounts. None when there are no customers.
fn suggestions(totals: &CustomerTotals) -> Vec<String> {
    if totals.customers == 0 {
        return Vec::new();
    }
    let top = |segments: &[expedite_domain::Segment]| {
        segments.iter().find_map(|segment| segment.value.clone())
    };
    let mut asked = Vec::new();
    if totals.with_revenue > 0 {
        asked.push("Which 5 customers have the highest annual revenue?".to_owned());
    }
    if let Some(industry) = top(&totals.by_industry) {
        asked.push(format!(
            "Which {industry} customers have the highest annual revenue?"
        ));
    }
    if let Some(country) = top(&totals.by_country) {
        asked.push(format!("How many customers do we have in {country}?"));
    }
    asked.push("Which customers changed most recently?".to_owned());
    asked
}

#[cfg(test)]
mod tests {
    use expedite_domain::Segment;

    use super::*;

    #[test]
    fn suggestions_follow_the_data() {
        assert!(suggestions(&CustomerTotals::default()).is_empty());
        let totals = CustomerTotals {
            customers: 3,
            with_revenue: 0,
            by_industry: vec![Segment {
                value: Some("Energy".into()),
                customers: 3,
                revenue: 0.0,
            }],
            ..CustomerTotals::default()
        };
        let asked = suggestions(&totals);
        assert!(asked.iter().any(|q| q.contains("Energy customers")));
        assert!(!asked.iter().any(|q| q.contains("5 customers")));
    }
}
