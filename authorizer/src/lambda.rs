//! The Lambda entry: each REQUEST authorizer event through [`authorize`].

use std::sync::Arc;

use expedite_identity::Verifier;
use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};

use crate::decision::{AuthorizerEvent, Refused, authorize};

/// API Gateway reads the error's message: exactly `Unauthorized` means 401; anything else 500.
impl From<Refused> for Diagnostic {
    fn from(refused: Refused) -> Self {
        let error_type = match refused {
            Refused::Unauthorized => "Unauthorized",
            Refused::KeysUnavailable => "KeysUnavailable",
        };
        Diagnostic {
            error_type: error_type.to_owned(),
            error_message: refused.to_string(),
        }
    }
}

/// Serves invocations from the Lambda Runtime API until the runtime stops.
pub async fn run(verifier: Verifier) -> Result<(), lambda_runtime::Error> {
    let verifier = Arc::new(verifier);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<AuthorizerEvent>| {
        let verifier = Arc::clone(&verifier);
        async move { authorize(&verifier, &event.payload).await }
    }))
    .await
}
