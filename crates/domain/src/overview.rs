//! What the home page and an account page show, gathered in one answer each.

use serde::{Deserialize, Serialize};

use crate::{AiQuery, Customer, CustomerTotals, SyncKind, Timestamp};

/// The newest sync that finished.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LastSync {
    pub kind: SyncKind,
    pub finished_at: Timestamp,
    /// Records it wrote.
    pub pulled: u32,
}

/// The home page: the customers in figures, what changed, and the caller's questions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Overview {
    pub totals: CustomerTotals,
    #[serde(default)]
    pub last_sync: Option<LastSync>,
    /// Live customers Salesforce changed most recently.
    pub recent_customers: Vec<Customer>,
    /// The caller's newest questions.
    pub recent_questions: Vec<AiQuery>,
    /// Questions worth asking of this data, to run with one click.
    pub suggestions: Vec<String>,
}

/// One customer with what surrounds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Account {
    pub customer: Customer,
    /// The record in Salesforce (the org's instance URL and the Id), once a sync has signed in.
    #[serde(default)]
    pub salesforce_url: Option<String>,
    /// The caller's questions whose answers cite this customer, newest first.
    pub citing_questions: Vec<AiQuery>,
}
