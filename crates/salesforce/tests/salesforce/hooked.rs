//! A store that lets a test act between the pages of a sync: it runs a hook after every
//! customer upsert (one per page) and passes everything else through.

use std::{
    future::Future,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use async_trait::async_trait;
use expedite_core::{
    ops::Counts,
    store::{
        Answer, Created, CustomerStore, FieldChange, HourRollup, LocalEdit, NewQuery, OpsStore,
        QueryStore, Store, StoreError, SyncStore, UpsertReport,
    },
};
use expedite_domain::{
    AiQuery, Customer, CustomerCount, CustomerFilter, CustomerId, CustomerTotals, Page,
    PageRequest, QueryId, SyncId, SyncRun, Timestamp, UserId,
};

/// Called with the number of pages written so far (1 after the first page).
pub(crate) type Hook = Arc<dyn Fn(usize) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

pub(crate) struct HookedStore {
    inner: Arc<dyn Store>,
    hook: Hook,
    pages: AtomicUsize,
}

impl HookedStore {
    pub(crate) fn new(inner: Arc<dyn Store>, hook: Hook) -> Self {
        Self {
            inner,
            hook,
            pages: AtomicUsize::new(0),
        }
    }
}

#[async_trait]
impl CustomerStore for HookedStore {
    async fn upsert_customers(&self, batch: &[Customer]) -> Result<UpsertReport, StoreError> {
        let report = self.inner.upsert_customers(batch).await?;
        let pages = self.pages.fetch_add(1, Ordering::SeqCst) + 1;
        (self.hook)(pages).await;
        Ok(report)
    }
    async fn get_customer(&self, id: &CustomerId) -> Result<Option<Customer>, StoreError> {
        self.inner.get_customer(id).await
    }
    async fn list_customers(
        &self,
        filter: &CustomerFilter,
        page: &PageRequest,
    ) -> Result<Page<Customer>, StoreError> {
        self.inner.list_customers(filter, page).await
    }
    async fn count_customers(&self, filter: &CustomerFilter) -> Result<CustomerCount, StoreError> {
        self.inner.count_customers(filter).await
    }
    async fn customer_totals(&self) -> Result<CustomerTotals, StoreError> {
        self.inner.customer_totals().await
    }
    async fn record_local_edit(
        &self,
        id: &CustomerId,
        changes: Vec<FieldChange>,
        now: Timestamp,
    ) -> Result<LocalEdit, StoreError> {
        self.inner.record_local_edit(id, changes, now).await
    }
    async fn pending_edits(
        &self,
        after: Option<&CustomerId>,
        limit: u32,
    ) -> Result<Vec<LocalEdit>, StoreError> {
        self.inner.pending_edits(after, limit).await
    }
    async fn clear_local_edit(&self, id: &CustomerId, version: u64) -> Result<bool, StoreError> {
        self.inner.clear_local_edit(id, version).await
    }
}

#[async_trait]
impl SyncStore for HookedStore {
    async fn put_sync_run(&self, run: &SyncRun) -> Result<(), StoreError> {
        self.inner.put_sync_run(run).await
    }
    async fn get_sync_run(&self, id: &SyncId) -> Result<Option<SyncRun>, StoreError> {
        self.inner.get_sync_run(id).await
    }
    async fn list_sync_runs(&self, page: &PageRequest) -> Result<Page<SyncRun>, StoreError> {
        self.inner.list_sync_runs(page).await
    }
    async fn watermark(&self, object: &str) -> Result<Option<Timestamp>, StoreError> {
        self.inner.watermark(object).await
    }
    async fn set_watermark(&self, object: &str, at: Timestamp) -> Result<(), StoreError> {
        self.inner.set_watermark(object, at).await
    }
    async fn acquire_lease(
        &self,
        name: &str,
        holder: &str,
        ttl: Duration,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        self.inner.acquire_lease(name, holder, ttl, now).await
    }
    async fn release_lease(&self, name: &str, holder: &str) -> Result<(), StoreError> {
        self.inner.release_lease(name, holder).await
    }
}

#[async_trait]
impl QueryStore for HookedStore {
    async fn create_query(&self, new: NewQuery) -> Result<Created<AiQuery>, StoreError> {
        self.inner.create_query(new).await
    }
    async fn get_query(&self, id: &QueryId) -> Result<Option<AiQuery>, StoreError> {
        self.inner.get_query(id).await
    }
    async fn list_queries(
        &self,
        owner: &UserId,
        page: &PageRequest,
    ) -> Result<Page<AiQuery>, StoreError> {
        self.inner.list_queries(owner, page).await
    }
    async fn start_query(
        &self,
        id: &QueryId,
        seen_attempts: u32,
        now: Timestamp,
        stale_before: Timestamp,
    ) -> Result<Option<AiQuery>, StoreError> {
        self.inner
            .start_query(id, seen_attempts, now, stale_before)
            .await
    }
    async fn requeue_query(
        &self,
        id: &QueryId,
        attempt: u32,
        notice: &str,
        retry_at: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        self.inner
            .requeue_query(id, attempt, notice, retry_at, now)
            .await
    }
    async fn queued_queries(
        &self,
        before: Timestamp,
        limit: u32,
    ) -> Result<Vec<AiQuery>, StoreError> {
        self.inner.queued_queries(before, limit).await
    }
    async fn complete_query(
        &self,
        id: &QueryId,
        attempt: u32,
        answer: &Answer,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        self.inner.complete_query(id, attempt, answer, now).await
    }
    async fn fail_query(
        &self,
        id: &QueryId,
        attempt: Option<u32>,
        error: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        self.inner.fail_query(id, attempt, error, now).await
    }
}

#[async_trait]
impl OpsStore for HookedStore {
    async fn add_to_hour(&self, hour: Timestamp, counts: &Counts) -> Result<(), StoreError> {
        self.inner.add_to_hour(hour, counts).await
    }
    async fn hours(&self, from: Timestamp, to: Timestamp) -> Result<Vec<HourRollup>, StoreError> {
        self.inner.hours(from, to).await
    }
}

#[async_trait]
impl Store for HookedStore {
    async fn ping(&self) -> Result<(), StoreError> {
        self.inner.ping().await
    }
    fn backend_name(&self) -> &'static str {
        self.inner.backend_name()
    }
}
