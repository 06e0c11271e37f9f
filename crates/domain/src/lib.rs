//! Expedite's vocabulary, shared by the browser bundle and the backend.
//!
//! Nothing here may depend on a web framework, an SDK or an async runtime: the crate is
//! compiled to wasm for the UI as well as natively for the server and worker.

pub mod error;
pub mod status;

pub use error::{ErrorBody, ErrorCode, ErrorDetail};
pub use status::{Deployment, SystemStatus};
