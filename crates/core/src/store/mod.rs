//! The store port: where AI queries, customers, sync runs and sync state live.
//!
//! One trait per aggregate, each implemented by the embedded SQLite store and by DynamoDB, and
//! each checked by one conformance suite (`expedite-test-support::conformance`) run against
//! both. State changes are conditional so that redelivered jobs and racing workers are harmless.

mod cursor;
mod edits;
pub mod keys;
mod ops;

use std::time::Duration;

use async_trait::async_trait;
use expedite_domain::{
    AiQuery, Customer, CustomerCount, CustomerFilter, CustomerId, CustomerTotals, Email, Page,
    PageRequest, Prompt, QueryId, QueryStatus, SyncId, SyncRun, Timestamp, TokenUsage, User,
    UserId,
};

pub use cursor::{
    Cursor, Position, decode_cursor, decode_position, encode_cursor, page_from, two_way_page,
};
pub use edits::{FieldChange, LocalEdit};
pub use ops::{HourRollup, OPS_RETENTION, OpsStore};

/// Failures of the store itself.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store unavailable: {0}")]
    Unavailable(String),
    #[error("the page cursor is not valid for this listing")]
    InvalidCursor,
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
    #[error("already exists: {0}")]
    Conflict(String),
}

/// How long an `Idempotency-Key` is remembered.
pub const IDEMPOTENCY_WINDOW: Duration = Duration::from_secs(24 * 3600);

/// A query to create.
#[derive(Debug, Clone)]
pub struct NewQuery {
    pub id: QueryId,
    pub owner: UserId,
    pub prompt: Prompt,
    /// Scoped to the owner; within [`IDEMPOTENCY_WINDOW`] a reused key returns the first query.
    pub idempotency_key: Option<String>,
    pub now: Timestamp,
}

impl NewQuery {
    /// The query as it is stored when first created: QUEUED, no attempts yet.
    pub fn queued(&self) -> AiQuery {
        AiQuery {
            id: self.id.clone(),
            owner: self.owner.clone(),
            prompt: self.prompt.clone(),
            status: QueryStatus::Queued,
            answer: None,
            citations: Vec::new(),
            error: None,
            notice: None,
            retry_at: None,
            attempts: 0,
            model: None,
            usage: None,
            created_at: self.now,
            updated_at: self.now,
        }
    }
}

/// Whether a create made something new or found what an earlier request made.
#[derive(Debug, Clone, PartialEq)]
pub enum Created<T> {
    New(T),
    Existing(T),
}

impl<T> Created<T> {
    pub fn into_inner(self) -> T {
        match self {
            Self::New(value) | Self::Existing(value) => value,
        }
    }

    pub fn is_new(&self) -> bool {
        matches!(self, Self::New(_))
    }
}

/// The result of a successful model call.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub text: String,
    pub citations: Vec<CustomerId>,
    pub model: String,
    pub usage: TokenUsage,
}

/// AI queries: by id, and by owner newest first.
#[async_trait]
pub trait QueryStore: Send + Sync {
    async fn create_query(&self, new: NewQuery) -> Result<Created<AiQuery>, StoreError>;

    async fn get_query(&self, id: &QueryId) -> Result<Option<AiQuery>, StoreError>;

    /// The owner's queries, newest first.
    async fn list_queries(
        &self,
        owner: &UserId,
        page: &PageRequest,
    ) -> Result<Page<AiQuery>, StoreError>;

    /// Claims a run: with `attempts == seen_attempts`, a QUEUED query, or a RUNNING one last
    /// claimed before `stale_before` (its delivery died: a live one finishes within the answer
    /// timeout), becomes RUNNING with `attempts + 1`, its notice cleared. `None` when the query
    /// is terminal, missing, held by a live delivery, or another worker won.
    async fn start_query(
        &self,
        id: &QueryId,
        seen_attempts: u32,
        now: Timestamp,
        stale_before: Timestamp,
    ) -> Result<Option<AiQuery>, StoreError>;

    /// RUNNING with `attempts == attempt` goes back to QUEUED to wait for its next delivery
    /// at `retry_at`, with `notice` saying why. `false` if the attempt lost its claim.
    async fn requeue_query(
        &self,
        id: &QueryId,
        attempt: u32,
        notice: &str,
        retry_at: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError>;

    /// QUEUED queries due before `before` (due: their `retry_at`, else their last change),
    /// oldest first, at most `limit`. The sweep that queues jobs lost between save and send.
    async fn queued_queries(
        &self,
        before: Timestamp,
        limit: u32,
    ) -> Result<Vec<AiQuery>, StoreError>;

    /// RUNNING with `attempts == attempt` becomes COMPLETED with the answer. `false` if the
    /// attempt lost its claim.
    async fn complete_query(
        &self,
        id: &QueryId,
        attempt: u32,
        answer: &Answer,
        now: Timestamp,
    ) -> Result<bool, StoreError>;

    /// A non-terminal query becomes FAILED with `error` (only for `attempt` when given).
    async fn fail_query(
        &self,
        id: &QueryId,
        attempt: Option<u32>,
        error: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError>;
}

/// What a batch upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UpsertReport {
    /// Records written (new, or not older than the stored copy).
    pub written: u32,
    /// Records ignored because the stored copy has a newer `system_modstamp`.
    pub stale: u32,
}

/// Customers: by Salesforce id, and listed with search, sort and stable cursors.
#[async_trait]
pub trait CustomerStore: Send + Sync {
    /// Writes each record unless the stored one is newer (by `system_modstamp`); a record with
    /// `is_deleted` hides the customer from listings. Any batch size; backends chunk as needed.
    async fn upsert_customers(&self, batch: &[Customer]) -> Result<UpsertReport, StoreError>;

    /// Deleted customers are returned too (with `is_deleted`), so links never dangle.
    async fn get_customer(&self, id: &CustomerId) -> Result<Option<Customer>, StoreError>;

    /// Live customers matching the filter; the cursor is only valid for the same filter. Pages
    /// link both ways: `prev_cursor` (a `before` cursor) asks for the page before.
    async fn list_customers(
        &self,
        filter: &CustomerFilter,
        page: &PageRequest,
    ) -> Result<Page<Customer>, StoreError>;

    /// How many live customers match the filter (its order aside).
    async fn count_customers(&self, filter: &CustomerFilter) -> Result<CustomerCount, StoreError>;

    /// What the live customers add up to, by industry, type and country. Cheap to ask on every
    /// page load: SQLite aggregates its indexed table, DynamoDB reads the rollup its writes
    /// maintain.
    async fn customer_totals(&self) -> Result<CustomerTotals, StoreError>;

    /// Records a local change to a customer for the next manual sync to push: merged into the
    /// customer's pending edit (see [`LocalEdit::merged`]) or a new one. Returns the edit as
    /// stored. The customer record itself is left as Salesforce last sent it.
    async fn record_local_edit(
        &self,
        id: &CustomerId,
        changes: Vec<FieldChange>,
        now: Timestamp,
    ) -> Result<LocalEdit, StoreError>;

    /// Pending edits ordered by customer id, after `after` when given, at most `limit`.
    async fn pending_edits(
        &self,
        after: Option<&CustomerId>,
        limit: u32,
    ) -> Result<Vec<LocalEdit>, StoreError>;

    /// Removes the customer's pending edit if it is still at `version` (it was pushed or
    /// dropped as it was read). `false` when it changed since, or is gone.
    async fn clear_local_edit(&self, id: &CustomerId, version: u64) -> Result<bool, StoreError>;
}

/// Sync runs, watermarks and the lease that keeps syncs from overlapping.
#[async_trait]
pub trait SyncStore: Send + Sync {
    /// Inserts or replaces the run (runs are written by the one worker that holds the lease).
    async fn put_sync_run(&self, run: &SyncRun) -> Result<(), StoreError>;

    async fn get_sync_run(&self, id: &SyncId) -> Result<Option<SyncRun>, StoreError>;

    /// Runs, newest first.
    async fn list_sync_runs(&self, page: &PageRequest) -> Result<Page<SyncRun>, StoreError>;

    /// The instant up to which `object` is known to be synced.
    async fn watermark(&self, object: &str) -> Result<Option<Timestamp>, StoreError>;

    async fn set_watermark(&self, object: &str, at: Timestamp) -> Result<(), StoreError>;

    /// Takes the lease `name` for `holder` until `now + ttl`, if it is free, expired, or
    /// already `holder`'s (renewal). `false` when someone else holds it.
    async fn acquire_lease(
        &self,
        name: &str,
        holder: &str,
        ttl: Duration,
        now: Timestamp,
    ) -> Result<bool, StoreError>;

    /// Gives the lease back if `holder` has it.
    async fn release_lease(&self, name: &str, holder: &str) -> Result<(), StoreError>;
}

/// A refresh token as stored: only its hash, never the token itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken {
    /// SHA-256 of the token, hex.
    pub token_hash: String,
    pub user_id: UserId,
    /// All tokens rotated from one sign-in share a family; reuse of a used token revokes it.
    pub family: String,
    pub expires_at: Timestamp,
}

/// What presenting a refresh token found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Consumed {
    /// Valid and now used up: the caller issues the next token of the family.
    Valid(RefreshToken),
    /// Already used once: the token was stolen or replayed; its family is now revoked.
    Reused { user_id: UserId, family: String },
    /// Unknown, expired or revoked.
    Invalid,
}

/// Users, groups and refresh tokens of the built-in identity provider. Only the embedded store
/// keeps them: deployments on DynamoDB sign people in with Cognito.
#[async_trait]
pub trait IdentityStore: Send + Sync {
    /// Adds a user; [`StoreError::Conflict`] when the id or the email is taken.
    async fn create_user(&self, user: &User) -> Result<(), StoreError>;

    async fn user_by_email(&self, email: &Email) -> Result<Option<User>, StoreError>;

    async fn user_by_id(&self, id: &UserId) -> Result<Option<User>, StoreError>;

    /// Replaces the user's groups; `false` when there is no such user.
    async fn set_user_groups(&self, id: &UserId, groups: &[String]) -> Result<bool, StoreError>;

    /// Every account, ordered by email (administrators' user list; pools are small).
    async fn list_users(&self) -> Result<Vec<User>, StoreError>;

    /// Replaces the user's password hash; `false` when there is no such user.
    async fn set_password_hash(&self, id: &UserId, hash: &str) -> Result<bool, StoreError>;

    async fn save_refresh_token(&self, token: &RefreshToken) -> Result<(), StoreError>;

    /// Uses a token up, atomically: of concurrent callers exactly one sees `Valid`.
    async fn consume_refresh_token(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Consumed, StoreError>;

    /// Revokes every token of the family (sign-out, or reuse detected).
    async fn revoke_refresh_family(&self, family: &str) -> Result<(), StoreError>;
}

/// Every aggregate of the store, as the use-cases hold it.
#[async_trait]
pub trait Store: QueryStore + CustomerStore + SyncStore + OpsStore {
    /// Succeeds when the backend accepts requests; used by `/readyz`.
    async fn ping(&self) -> Result<(), StoreError>;

    /// A short name for logs and the dashboard.
    fn backend_name(&self) -> &'static str;
}
