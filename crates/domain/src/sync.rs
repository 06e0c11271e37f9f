//! Salesforce sync runs and their outcome.

use serde::{Deserialize, Serialize};

use crate::{SyncId, Timestamp, UserId};

/// What started a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SyncKind {
    Scheduled,
    Manual,
}

/// Where a run is. SKIPPED: another sync held the lease.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SyncStatus {
    Queued,
    Running,
    Completed,
    Failed,
    Skipped,
}

impl SyncStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "QUEUED",
            Self::Running => "RUNNING",
            Self::Completed => "COMPLETED",
            Self::Failed => "FAILED",
            Self::Skipped => "SKIPPED",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Queued,
            Self::Running,
            Self::Completed,
            Self::Failed,
            Self::Skipped,
        ]
        .into_iter()
        .find(|status| status.as_str() == text)
    }
}

/// A problem with one record (or the whole run when `record_id` is absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncIssue {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub record_id: Option<String>,
    pub code: String,
    pub message: String,
}

/// The position a run has reached inside its window, saved after every page it writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncCheckpoint {
    /// The last record written, in the window's order (`SystemModstamp`, then `Id`); the
    /// pull goes on after it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub pulled_to: Option<SyncPosition>,
    /// Every page of the window is written (and the watermark moved).
    #[serde(default)]
    pub pull_done: bool,
    /// Manual runs: the push has handled the local edits up to this customer id.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub pushed_to: Option<String>,
}

/// One record's place in the window's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncPosition {
    pub system_modstamp: Timestamp,
    pub id: String,
}

/// One sync run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncRun {
    #[serde(rename = "sync_id")]
    pub id: SyncId,
    pub kind: SyncKind,
    pub status: SyncStatus,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub triggered_by: Option<UserId>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub window_start: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub window_end: Option<Timestamp>,
    pub pulled: u32,
    pub pushed: u32,
    pub deleted: u32,
    /// Query pages written so far.
    #[serde(default)]
    pub pages: u32,
    /// How often the run paused at the end of a worker's time budget and went on in a
    /// later delivery (on AWS, a Lambda invocation's time limit; never when self-hosted).
    #[serde(default)]
    pub continuations: u32,
    /// How far the run has got, so that a later delivery resumes there.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub checkpoint: Option<SyncCheckpoint>,
    #[serde(default)]
    pub issues: Vec<SyncIssue>,
    /// The org's instance URL (`https://mydomain.my.salesforce.com`), as the run's first
    /// sign-in reported it; record links are built on it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub instance_url: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl SyncRun {
    /// A run as first recorded: QUEUED, no window yet, nothing counted.
    pub fn queued(
        id: SyncId,
        kind: SyncKind,
        triggered_by: Option<UserId>,
        now: Timestamp,
    ) -> Self {
        Self {
            id,
            kind,
            status: SyncStatus::Queued,
            triggered_by,
            window_start: None,
            window_end: None,
            pulled: 0,
            pushed: 0,
            deleted: 0,
            pages: 0,
            continuations: 0,
            checkpoint: None,
            issues: Vec::new(),
            instance_url: None,
            created_at: now,
            updated_at: now,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_instance_url_is_optional_on_the_wire() {
        let id = SyncId::parse("0190b4a2-0000-7000-8000-000000000001").unwrap();
        let mut run = SyncRun::queued(id, SyncKind::Scheduled, None, Timestamp::from_millis(0));
        let body = serde_json::to_value(&run).unwrap();
        assert!(body.get("instance_url").is_none(), "skipped when none");
        let read: SyncRun = serde_json::from_value(body).unwrap();
        assert_eq!(read.instance_url, None, "runs saved before it read as none");
        run.instance_url = Some("https://acme.my.salesforce.com".into());
        let body = serde_json::to_value(&run).unwrap();
        assert_eq!(body["instance_url"], "https://acme.my.salesforce.com");
        assert_eq!(serde_json::from_value::<SyncRun>(body).unwrap(), run);
    }
}
