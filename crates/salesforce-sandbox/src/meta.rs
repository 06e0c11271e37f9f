//! The version list and a minimal Account describe.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::{Value as JsonValue, json};

use crate::account::Field;
use crate::errors::ApiError;
use crate::server::ApiVersion;
use crate::state::Shared;

/// The path parameter naming an sObject type.
#[derive(Debug, Deserialize)]
pub(crate) struct SObjectPath {
    pub(crate) sobject: String,
}

/// Only `Account` exists here; Salesforce answers 404 for an unknown type in a path.
pub(crate) fn check_sobject(name: &str) -> Result<(), ApiError> {
    if name.eq_ignore_ascii_case("Account") {
        Ok(())
    } else {
        Err(ApiError::not_found())
    }
}

/// `GET /services/data/`: every version from 31.0 to the configured one (no session needed).
pub(crate) async fn versions(State(shared): State<Arc<Shared>>) -> Json<JsonValue> {
    let newest = shared
        .config
        .api_version
        .split_once('.')
        .and_then(|(major, _)| major.parse::<u32>().ok())
        .unwrap_or(60);
    let list: Vec<JsonValue> = (31..=newest)
        .map(|major| {
            json!({
                "label": format!("API {major}.0"),
                "url": format!("/services/data/v{major}.0"),
                "version": format!("{major}.0"),
            })
        })
        .collect();
    Json(JsonValue::Array(list))
}

/// `GET sobjects/Account/describe`: the object's flags and its fields.
pub(crate) async fn describe(
    version: ApiVersion,
    Path(path): Path<SObjectPath>,
) -> Result<Json<JsonValue>, ApiError> {
    check_sobject(&path.sobject)?;
    let fields: Vec<JsonValue> = Field::ALL
        .iter()
        .map(|field| {
            let writable = field.max_length().is_some();
            let length = match field.max_length() {
                Some(n) if n != usize::MAX => n,
                _ if matches!(field, Field::Id) => 18,
                _ => 0,
            };
            json!({
                "name": field.name(),
                "label": field.name().trim_end_matches("__c").replace('_', " "),
                "type": field.soap_type(),
                "length": length,
                "nillable": writable && !matches!(field, Field::Name | Field::OwnerId),
                "createable": writable,
                "updateable": writable,
                "externalId": matches!(field, Field::ExternalId),
                "idLookup": matches!(field, Field::Id | Field::ExternalId),
                "unique": matches!(field, Field::ExternalId),
                "custom": matches!(field, Field::ExternalId),
                "filterable": true,
                "sortable": true,
                "relationshipName": matches!(field, Field::OwnerId).then_some("Owner"),
                "referenceTo": if matches!(field, Field::OwnerId) { vec!["User"] } else { vec![] },
            })
        })
        .collect();
    let base = format!("/services/data/v{}/sobjects/Account", version.0);
    Ok(Json(json!({
        "name": "Account",
        "label": "Account",
        "labelPlural": "Accounts",
        "keyPrefix": "001",
        "custom": false,
        "queryable": true,
        "retrieveable": true,
        "createable": true,
        "updateable": true,
        "deletable": true,
        "undeletable": true,
        "replicateable": true,
        "urls": {
            "sobject": base,
            "describe": format!("{base}/describe"),
            "rowTemplate": format!("{base}/{{ID}}"),
        },
        "fields": fields,
    })))
}
