//! Expedite's vocabulary, shared by the browser bundle and the backend.
//!
//! Nothing here may depend on a web framework, an SDK or an async runtime: the crate is
//! compiled to wasm for the UI as well as natively for the server and worker. Values are
//! parsed once ("parse, don't validate"): an `AiQuery` always holds a valid `Prompt`.

pub mod customer;
pub mod error;
pub mod ids;
pub mod operations;
pub mod overview;
pub mod page;
pub mod query;
pub mod status;
pub mod sync;
pub mod timestamp;
pub mod user;

pub use customer::{
    Customer, CustomerCount, CustomerFilter, CustomerSort, CustomerTotals, Segment, dollars,
};
pub use error::{ErrorBody, ErrorCode, ErrorDetail};
pub use ids::{CustomerId, InvalidId, QueryId, SyncId, UserId};
pub use operations::{HOUR_MS, NamedCount, Operations, OpsHour, QueueNow, SyncSummary, hour_start};
pub use overview::{Account, LastSync, Overview};
pub use page::{Limit, Page, PageRequest};
pub use query::{AiQuery, Prompt, PromptError, QueryStatus, TokenUsage};
pub use status::{Deployment, SystemStatus};
pub use sync::{SyncCheckpoint, SyncIssue, SyncKind, SyncPosition, SyncRun, SyncStatus};
pub use timestamp::Timestamp;
pub use user::{ADMINS_GROUP, Email, InvalidEmail, Me, Role, User, UserSummary};
