//! Request extractors whose failures are the API's JSON errors, not axum's plain text.

use axum::{
    extract::{FromRequest, FromRequestParts, Query, Request, rejection::JsonRejection},
    http::request::Parts,
};
use expedite_domain::{ErrorCode, Limit, PageRequest};
use serde::{Deserialize, de::DeserializeOwned};

use crate::error::ApiError;

/// A JSON body; 400 with a clear message when it is missing, not JSON, or the wrong shape.
#[derive(Debug)]
pub(crate) struct JsonBody<T>(pub(crate) T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(ApiError::new(
                ErrorCode::BadRequest,
                body_problem(&rejection),
            )),
        }
    }
}

fn body_problem(rejection: &JsonRejection) -> String {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => {
            "Send the body as JSON with Content-Type: application/json.".to_owned()
        }
        JsonRejection::JsonSyntaxError(_) => "The body is not valid JSON.".to_owned(),
        JsonRejection::JsonDataError(error) => {
            format!("The body has the wrong shape: {}", error.body_text())
        }
        other => other.body_text(),
    }
}

/// Query-string parameters; 400 when they do not parse.
#[derive(Debug)]
pub(crate) struct Params<T>(pub(crate) T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(Self(value)),
            Err(rejection) => Err(ApiError::new(
                ErrorCode::BadRequest,
                format!("Bad query parameters: {}", rejection.body_text()),
            )),
        }
    }
}

/// `?cursor=&limit=` of every listing.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct PageParams {
    /// Where to continue: the `next_cursor` of the previous page of the same listing
    /// (opaque; any other value is refused with 400).
    #[param(pattern = r"^[A-Za-z0-9_-]*$")]
    pub(crate) cursor: Option<String>,
    /// Items per page, 1 to 100 (default 25).
    #[param(minimum = 1, maximum = 100)]
    pub(crate) limit: Option<u32>,
}

impl PageParams {
    pub(crate) fn page(&self) -> Result<PageRequest, ApiError> {
        let limit = Limit::parse(self.limit)
            .map_err(|error| ApiError::new(ErrorCode::BadRequest, error.to_string()))?;
        Ok(PageRequest {
            cursor: self.cursor.clone().filter(|cursor| !cursor.is_empty()),
            limit,
        })
    }
}
