//! AI queries on DynamoDB: conditional updates for every transition, a transaction for
//! idempotent creation.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, Put, ReturnValue, TransactWriteItem};
use expedite_core::store::{
    Answer, Created, IDEMPOTENCY_WINDOW, NewQuery, QueryStore, StoreError, decode_cursor, page_from,
};
use expedite_domain::{
    AiQuery, CustomerId, Page, PageRequest, Prompt, QueryId, QueryStatus, Timestamp, TokenUsage,
    UserId,
};

use super::{
    DynamoStore, TIE,
    attr::{Item, corrupt, get_n, get_s, n, opt_n, opt_s, put_opt, s},
    conditions::{is_condition_failed, is_transaction_canceled, settle},
    indexes, padded, unavailable,
};

const LISTING: &str = "queries";
/// Bounded retries when concurrent creates conflict inside DynamoDB's transaction engine.
const CREATE_ATTEMPTS: usize = 5;

fn query_pk(id: &QueryId) -> AttributeValue {
    s(format!("Q#{id}"))
}

fn created_sk(at: Timestamp, id: &QueryId) -> String {
    format!("{}{TIE}{id}", padded(at.as_millis()))
}

/// The sort key of the sparse index of QUEUED queries: when the query is due, then its id.
fn due_sk(at: Timestamp, id: &QueryId) -> String {
    format!("{}{TIE}{id}", padded(at.as_millis()))
}

#[async_trait]
impl QueryStore for DynamoStore {
    async fn create_query(&self, new: NewQuery) -> Result<Created<AiQuery>, StoreError> {
        let query = new.queued();
        let Some(key) = &new.idempotency_key else {
            self.client
                .put_item()
                .table_name(&self.tables.queries)
                .set_item(Some(query_item(&query)))
                .condition_expression("attribute_not_exists(pk)")
                .send()
                .await
                .map_err(unavailable)?;
            return Ok(Created::New(query));
        };

        let idem_pk = s(format!("IDEM#{}#{key}", new.owner));
        let window = i64::try_from(IDEMPOTENCY_WINDOW.as_millis()).unwrap_or(i64::MAX);
        let mut missing = None;
        for _ in 0..CREATE_ATTEMPTS {
            let put_query = Put::builder()
                .table_name(&self.tables.queries)
                .set_item(Some(query_item(&query)))
                .condition_expression("attribute_not_exists(pk)")
                .build()
                .map_err(corrupt)?;
            let put_key = Put::builder()
                .table_name(&self.tables.queries)
                .item("pk", idem_pk.clone())
                .item("query_id", s(query.id.as_str()))
                .item("created_at", n(new.now.as_millis()))
                // DynamoDB's TTL removes the item some time after this (seconds since epoch).
                .item("expires_at", n((new.now.as_millis() + window) / 1000 + 1))
                .condition_expression("attribute_not_exists(pk) OR created_at < :expired")
                .expression_attribute_values(":expired", n(new.now.as_millis() - window))
                .build()
                .map_err(corrupt)?;
            let written = self
                .client
                .transact_write_items()
                .transact_items(TransactWriteItem::builder().put(put_key).build())
                .transact_items(TransactWriteItem::builder().put(put_query).build())
                .send()
                .await;
            match written {
                Ok(_) => return Ok(Created::New(query)),
                Err(error) if is_transaction_canceled(&error) => {
                    let existing = self
                        .client
                        .get_item()
                        .table_name(&self.tables.queries)
                        .key("pk", idem_pk.clone())
                        .consistent_read(true)
                        .send()
                        .await
                        .map_err(unavailable)?;
                    if let Some(item) = existing.item() {
                        let id = QueryId::parse(get_s(item, "query_id")?).map_err(corrupt)?;
                        let fresh =
                            get_n::<i64>(item, "created_at")? >= new.now.as_millis() - window;
                        if fresh {
                            // The winning transaction may still be applying its query item
                            // (emulators apply a transaction's items one at a time): look again
                            // shortly, a bounded number of times.
                            if let Some(query) = self.get_query(&id).await? {
                                return Ok(Created::Existing(query));
                            }
                            missing = Some(id);
                        }
                    }
                    // A conflicting transaction that did not commit: try again.
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
                Err(error) => return Err(unavailable(error)),
            }
        }
        Err(match missing {
            Some(id) => corrupt(format!("idempotency key points at missing query {id}")),
            None => StoreError::Unavailable("idempotent create kept conflicting".into()),
        })
    }

    async fn get_query(&self, id: &QueryId) -> Result<Option<AiQuery>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.tables.queries)
            .key("pk", query_pk(id))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable)?;
        output.item().map(read_query).transpose()
    }

    async fn list_queries(
        &self,
        owner: &UserId,
        page: &PageRequest,
    ) -> Result<Page<AiQuery>, StoreError> {
        let limit = page.limit.get();
        let mut request = self
            .client
            .query()
            .table_name(&self.tables.queries)
            .index_name(indexes::QUERIES_BY_OWNER)
            .key_condition_expression("#owner = :owner")
            .expression_attribute_names("#owner", "owner")
            .expression_attribute_values(":owner", s(owner.as_str()))
            .scan_index_forward(false)
            .limit(i32::try_from(limit + 1).unwrap_or(i32::MAX));
        if let Some(cursor) = &page.cursor {
            let (pk, sk): (String, String) =
                serde_json::from_value(decode_cursor(cursor, LISTING)?)
                    .map_err(|_| StoreError::InvalidCursor)?;
            request = request
                .exclusive_start_key("pk", s(pk))
                .exclusive_start_key("owner", s(owner.as_str()))
                .exclusive_start_key("created_sk", s(sk));
        }
        let output = request.send().await.map_err(unavailable)?;
        let items = output
            .items()
            .iter()
            .map(read_query)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(page_from(items, limit, LISTING, |last| {
            serde_json::json!([
                format!("Q#{}", last.id),
                created_sk(last.created_at, &last.id)
            ])
        }))
    }

    async fn start_query(
        &self,
        id: &QueryId,
        seen_attempts: u32,
        now: Timestamp,
        stale_before: Timestamp,
    ) -> Result<Option<AiQuery>, StoreError> {
        let output = self
            .client
            .update_item()
            .table_name(&self.tables.queries)
            .key("pk", query_pk(id))
            .update_expression(
                "SET #status = :running, attempts = attempts + :one, updated_at = :now \
                 REMOVE notice, retry_at, queued, due_sk",
            )
            .condition_expression(
                "attribute_exists(pk) AND attempts = :seen \
                 AND (#status = :queued OR (#status = :running AND updated_at < :stale))",
            )
            .expression_attribute_values(":stale", n(stale_before.as_millis()))
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":running", s(QueryStatus::Running.as_str()))
            .expression_attribute_values(":queued", s(QueryStatus::Queued.as_str()))
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":now", n(now.as_millis()))
            .expression_attribute_values(":seen", n(seen_attempts))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match output {
            Ok(output) => output.attributes().map(read_query).transpose(),
            Err(error) if is_condition_failed(&error) => Ok(None),
            Err(error) => Err(unavailable(error)),
        }
    }

    async fn complete_query(
        &self,
        id: &QueryId,
        attempt: u32,
        answer: &Answer,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let citations = serde_json::to_string(&answer.citations).map_err(corrupt)?;
        let output = self
            .client
            .update_item()
            .table_name(&self.tables.queries)
            .key("pk", query_pk(id))
            .update_expression(
                "SET #status = :completed, answer = :answer, citations = :citations, model = :model, \
                 prompt_tokens = :pt, completion_tokens = :ct, updated_at = :now \
                 REMOVE #error, notice, retry_at, queued, due_sk",
            )
            .condition_expression("attribute_exists(pk) AND #status = :running AND attempts = :attempt")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#error", "error")
            .expression_attribute_values(":completed", s(QueryStatus::Completed.as_str()))
            .expression_attribute_values(":running", s(QueryStatus::Running.as_str()))
            .expression_attribute_values(":answer", s(&answer.text))
            .expression_attribute_values(":citations", s(citations))
            .expression_attribute_values(":model", s(&answer.model))
            .expression_attribute_values(":pt", n(answer.usage.prompt_tokens))
            .expression_attribute_values(":ct", n(answer.usage.completion_tokens))
            .expression_attribute_values(":now", n(now.as_millis()))
            .expression_attribute_values(":attempt", n(attempt))
            .send()
            .await;
        settle(output)
    }

    async fn requeue_query(
        &self,
        id: &QueryId,
        attempt: u32,
        notice: &str,
        retry_at: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let output = self
            .client
            .update_item()
            .table_name(&self.tables.queries)
            .key("pk", query_pk(id))
            .update_expression(
                "SET #status = :queued, notice = :notice, retry_at = :retry_at, \
                 updated_at = :now, queued = :queued, due_sk = :due_sk",
            )
            .condition_expression(
                "attribute_exists(pk) AND #status = :running AND attempts = :attempt",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":queued", s(QueryStatus::Queued.as_str()))
            .expression_attribute_values(":running", s(QueryStatus::Running.as_str()))
            .expression_attribute_values(":notice", s(notice))
            .expression_attribute_values(":retry_at", n(retry_at.as_millis()))
            .expression_attribute_values(":now", n(now.as_millis()))
            .expression_attribute_values(":due_sk", s(due_sk(retry_at, id)))
            .expression_attribute_values(":attempt", n(attempt))
            .send()
            .await;
        settle(output)
    }

    async fn queued_queries(
        &self,
        before: Timestamp,
        limit: u32,
    ) -> Result<Vec<AiQuery>, StoreError> {
        // The sparse index holds only QUEUED queries, by the time they are due.
        let output = self
            .client
            .query()
            .table_name(&self.tables.queries)
            .index_name(indexes::QUERIES_QUEUED)
            .key_condition_expression("queued = :queued AND due_sk < :before")
            .expression_attribute_values(":queued", s(QueryStatus::Queued.as_str()))
            .expression_attribute_values(":before", s(padded(before.as_millis())))
            .limit(i32::try_from(limit).unwrap_or(i32::MAX))
            .send()
            .await
            .map_err(unavailable)?;
        output.items().iter().map(read_query).collect()
    }

    async fn fail_query(
        &self,
        id: &QueryId,
        attempt: Option<u32>,
        error: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut request = self
            .client
            .update_item()
            .table_name(&self.tables.queries)
            .key("pk", query_pk(id))
            .update_expression(
                "SET #status = :failed, #error = :error, updated_at = :now \
                 REMOVE notice, retry_at, queued, due_sk",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#error", "error")
            .expression_attribute_values(":failed", s(QueryStatus::Failed.as_str()))
            .expression_attribute_values(":queued", s(QueryStatus::Queued.as_str()))
            .expression_attribute_values(":running", s(QueryStatus::Running.as_str()))
            .expression_attribute_values(":error", s(error))
            .expression_attribute_values(":now", n(now.as_millis()));
        request = match attempt {
            Some(attempt) => request
                .condition_expression(
                    "attribute_exists(pk) AND #status IN (:queued, :running) AND attempts = :attempt",
                )
                .expression_attribute_values(":attempt", n(attempt)),
            None => request
                .condition_expression("attribute_exists(pk) AND #status IN (:queued, :running)"),
        };
        settle(request.send().await)
    }
}

fn query_item(query: &AiQuery) -> Item {
    let mut item = Item::new();
    item.insert("pk".into(), query_pk(&query.id));
    item.insert("id".into(), s(query.id.as_str()));
    item.insert("owner".into(), s(query.owner.as_str()));
    item.insert(
        "created_sk".into(),
        s(created_sk(query.created_at, &query.id)),
    );
    item.insert("prompt".into(), s(query.prompt.as_str()));
    item.insert("status".into(), s(query.status.as_str()));
    item.insert("citations".into(), s("[]"));
    item.insert("attempts".into(), n(query.attempts));
    item.insert("created_at".into(), n(query.created_at.as_millis()));
    item.insert("updated_at".into(), n(query.updated_at.as_millis()));
    if query.status == QueryStatus::Queued {
        item.insert("queued".into(), s(QueryStatus::Queued.as_str()));
        let due = query.retry_at.unwrap_or(query.updated_at);
        item.insert("due_sk".into(), s(due_sk(due, &query.id)));
    }
    put_opt(&mut item, "answer", query.answer.as_deref());
    put_opt(&mut item, "error", query.error.as_deref());
    put_opt(&mut item, "model", query.model.as_deref());
    item
}

fn read_query(item: &Item) -> Result<AiQuery, StoreError> {
    let status = get_s(item, "status")?;
    let citations: Vec<CustomerId> = match opt_s(item, "citations")? {
        Some(json) => serde_json::from_str(&json).map_err(corrupt)?,
        None => Vec::new(),
    };
    let prompt_tokens: Option<u32> = opt_n(item, "prompt_tokens")?;
    let completion_tokens: Option<u32> = opt_n(item, "completion_tokens")?;
    Ok(AiQuery {
        id: QueryId::parse(get_s(item, "id")?).map_err(corrupt)?,
        owner: UserId::parse(get_s(item, "owner")?).map_err(corrupt)?,
        prompt: Prompt::parse(get_s(item, "prompt")?).map_err(corrupt)?,
        status: QueryStatus::parse(&status).ok_or_else(|| corrupt(status))?,
        answer: opt_s(item, "answer")?,
        citations,
        error: opt_s(item, "error")?,
        notice: opt_s(item, "notice")?,
        retry_at: opt_n::<i64>(item, "retry_at")?.map(Timestamp::from_millis),
        attempts: get_n(item, "attempts")?,
        model: opt_s(item, "model")?,
        usage: prompt_tokens
            .zip(completion_tokens)
            .map(|(prompt_tokens, completion_tokens)| TokenUsage {
                prompt_tokens,
                completion_tokens,
            }),
        created_at: Timestamp::from_millis(get_n(item, "created_at")?),
        updated_at: Timestamp::from_millis(get_n(item, "updated_at")?),
    })
}
