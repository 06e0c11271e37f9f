//! SOQL queries and their pages: `query`, `queryAll` (deleted rows too) and `nextRecordsUrl`.

use reqwest::Method;
use serde::{Deserialize, de::DeserializeOwned};

use crate::{SalesforceClient, SalesforceError, client::Call};

/// One page of query results.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryPage<T> {
    pub total_size: u64,
    pub done: bool,
    /// Host-relative URL of the next page; absent on the last page.
    #[serde(default)]
    pub next_records_url: Option<String>,
    pub records: Vec<T>,
}

/// Reads a query page by page; drain it promptly, since Salesforce expires idle cursors.
#[derive(Debug)]
pub struct QueryCursor {
    client: SalesforceClient,
    batch_size: Option<u32>,
    next: Next,
}

#[derive(Debug)]
enum Next {
    First { soql: String, include_deleted: bool },
    Url(String),
    Done,
}

impl SalesforceClient {
    /// The first page of `soql` (`GET query`).
    pub async fn query<T: DeserializeOwned>(
        &self,
        soql: &str,
    ) -> Result<QueryPage<T>, SalesforceError> {
        self.first_page(soql, false, None).await
    }

    /// The first page of `soql` including deleted and archived rows (`GET queryAll`).
    pub async fn query_all<T: DeserializeOwned>(
        &self,
        soql: &str,
    ) -> Result<QueryPage<T>, SalesforceError> {
        self.first_page(soql, true, None).await
    }

    /// The page at `next_records_url` (host-relative, or a bare locator).
    pub async fn next_page<T: DeserializeOwned>(
        &self,
        next_records_url: &str,
        batch_size: Option<u32>,
    ) -> Result<QueryPage<T>, SalesforceError> {
        let path = self.resolve_next(next_records_url)?;
        self.call(&Call {
            method: Method::GET,
            path,
            query: &[],
            body: None,
            batch_size,
        })
        .await
    }

    /// A cursor over every page of `soql`, asking for `batch_size` records a page (200–2000).
    pub fn cursor(
        &self,
        soql: impl Into<String>,
        include_deleted: bool,
        batch_size: Option<u32>,
    ) -> QueryCursor {
        QueryCursor {
            client: self.clone(),
            batch_size,
            next: Next::First {
                soql: soql.into(),
                include_deleted,
            },
        }
    }

    async fn first_page<T: DeserializeOwned>(
        &self,
        soql: &str,
        include_deleted: bool,
        batch_size: Option<u32>,
    ) -> Result<QueryPage<T>, SalesforceError> {
        let resource = if include_deleted { "queryAll" } else { "query" };
        self.call(&Call {
            method: Method::GET,
            path: format!("{}/{resource}", self.data_path()),
            query: &[("q", soql)],
            body: None,
            batch_size,
        })
        .await
    }

    /// `nextRecordsUrl` is host-relative. An absolute URL is accepted only when it points at
    /// the instance (the token must never leave it); a bare locator is rebuilt as
    /// `{data}/query/{locator}`, as jsforce does.
    fn resolve_next(&self, next: &str) -> Result<String, SalesforceError> {
        if next.starts_with('/') {
            return Ok(next.to_owned());
        }
        if next.starts_with("http://") || next.starts_with("https://") {
            let url = reqwest::Url::parse(next)
                .map_err(|e| SalesforceError::Decode(format!("nextRecordsUrl: {e}")))?;
            return Ok(match url.query() {
                Some(query) => format!("{}?{query}", url.path()),
                None => url.path().to_owned(),
            });
        }
        if next.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') && !next.is_empty() {
            return Ok(format!("{}/query/{next}", self.data_path()));
        }
        Err(SalesforceError::Decode(format!(
            "unusable nextRecordsUrl {next:?}"
        )))
    }
}

impl QueryCursor {
    /// Whether the last page has been read.
    pub fn is_done(&self) -> bool {
        matches!(self.next, Next::Done)
    }

    /// The next page's records, or `None` after the last page.
    pub async fn next_page<T: DeserializeOwned>(
        &mut self,
    ) -> Result<Option<Vec<T>>, SalesforceError> {
        let page: QueryPage<T> = match &self.next {
            Next::Done => return Ok(None),
            Next::First {
                soql,
                include_deleted,
            } => {
                self.client
                    .first_page(soql, *include_deleted, self.batch_size)
                    .await?
            }
            Next::Url(url) => self.client.next_page(url, self.batch_size).await?,
        };
        self.next = match page.next_records_url {
            Some(url) if !page.done => Next::Url(url),
            _ => Next::Done,
        };
        Ok(Some(page.records))
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{AuthFlow, SalesforceConfig, Secret};

    use super::*;

    fn client() -> SalesforceClient {
        SalesforceClient::new(SalesforceConfig::new(AuthFlow::ClientCredentials {
            client_id: "cid".into(),
            client_secret: Secret::new("s"),
        }))
        .unwrap()
    }

    #[test]
    fn next_records_urls_resolve_against_the_instance() {
        let client = client();
        assert_eq!(
            client
                .resolve_next("/services/data/v60.0/query/01gXX-2000")
                .unwrap(),
            "/services/data/v60.0/query/01gXX-2000"
        );
        assert_eq!(
            client.resolve_next("01gXX-4000").unwrap(),
            "/services/data/v60.0/query/01gXX-4000"
        );
        assert_eq!(
            client
                .resolve_next("https://x.my.salesforce.com/services/data/v60.0/query/01g-2")
                .unwrap(),
            "/services/data/v60.0/query/01g-2"
        );
        assert!(client.resolve_next("../../etc").is_err());
    }

    #[test]
    fn pages_decode() {
        let page: QueryPage<serde_json::Value> = serde_json::from_str(
            r#"{"totalSize":3,"done":false,"nextRecordsUrl":"/services/data/v60.0/query/01g-2","records":[{"Id":"a"}]}"#,
        )
        .unwrap();
        assert!(!page.done);
        assert_eq!(page.records.len(), 1);
        let last: QueryPage<serde_json::Value> =
            serde_json::from_str(r#"{"totalSize":0,"done":true,"records":[]}"#).unwrap();
        assert_eq!(last.next_records_url, None);
    }
}
