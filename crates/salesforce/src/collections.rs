//! sObject Collections: updates by Id and upserts by external id of up to 200 records a call,
//! one result per record, in order.

use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{SalesforceClient, SalesforceError, client::Call};

/// Records per sObject Collections call; Salesforce's maximum.
pub const COLLECTION_CHUNK: usize = 200;

/// What happened to one record of a collection call.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RecordResult {
    #[serde(default)]
    pub id: Option<String>,
    pub success: bool,
    #[serde(default)]
    pub errors: Vec<RecordError>,
    /// For upserts: whether the record was created rather than updated.
    #[serde(default)]
    pub created: Option<bool>,
}

/// Why one record was refused.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordError {
    pub status_code: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub fields: Vec<String>,
}

impl SalesforceClient {
    /// Updates existing records by their `Id` (`PATCH composite/sobjects`): each record carries
    /// `attributes.type` and `Id`. Sent with `allOrNone=false`, so that one refused record
    /// does not stop the others, in calls of at most [`COLLECTION_CHUNK`]. Returns one result
    /// per record, in order; stops at the first call that fails as a whole, so callers that
    /// need each call's outcome pass one chunk at a time. Setting the same values again is
    /// harmless, so a call that timed out is simply repeated.
    pub async fn update_collection(
        &self,
        records: &[Value],
    ) -> Result<Vec<RecordResult>, SalesforceError> {
        let path = format!("{}/composite/sobjects", self.data_path());
        self.collection_calls(&path, records).await
    }

    /// Upserts `records` of `sobject` matched on the external id field `external_id_field`
    /// (`PATCH composite/sobjects/{sobject}/{field}`), like [`Self::update_collection`]
    /// otherwise. Salesforce accepts external id fields only here, never `Id` ("Don't use
    /// record ids"): use [`Self::update_collection`] to write records by Id.
    pub async fn upsert_collection(
        &self,
        sobject: &str,
        external_id_field: &str,
        records: &[Value],
    ) -> Result<Vec<RecordResult>, SalesforceError> {
        if external_id_field.eq_ignore_ascii_case("Id") {
            return Err(SalesforceError::InvalidField(
                "sObject Collections upsert matches on external id fields only; \
                 update records by Id with update_collection"
                    .into(),
            ));
        }
        let path = format!(
            "{}/composite/sobjects/{sobject}/{external_id_field}",
            self.data_path()
        );
        self.collection_calls(&path, records).await
    }

    async fn collection_calls(
        &self,
        path: &str,
        records: &[Value],
    ) -> Result<Vec<RecordResult>, SalesforceError> {
        let mut results = Vec::with_capacity(records.len());
        for chunk in records.chunks(COLLECTION_CHUNK) {
            let body = json!({ "allOrNone": false, "records": chunk });
            let chunk_results: Vec<RecordResult> = self
                .call(&Call {
                    method: Method::PATCH,
                    path: path.to_owned(),
                    query: &[],
                    body: Some(&body),
                    batch_size: None,
                })
                .await?;
            if chunk_results.len() != chunk.len() {
                return Err(SalesforceError::Decode(format!(
                    "{} results for {} records",
                    chunk_results.len(),
                    chunk.len()
                )));
            }
            results.extend(chunk_results);
        }
        Ok(results)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_decode_with_their_errors() {
        let results: Vec<RecordResult> = serde_json::from_str(
            r#"[{"id":"001000000000001AAA","success":true,"errors":[],"created":false},
                {"success":false,"errors":[{"statusCode":"FIELD_CUSTOM_VALIDATION_EXCEPTION",
                 "message":"Website must be https","fields":["Website"]}]}]"#,
        )
        .unwrap();
        assert!(results[0].success);
        assert_eq!(results[1].errors[0].fields, vec!["Website".to_owned()]);
    }
}
