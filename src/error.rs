//! `ApiError`: the one error type at the HTTP boundary, rendered as
//! `{"code", "message"}`. 5xx bodies say little; the log says everything.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;

use crate::aggregates::AggregateError;
use crate::dashboard::FiguresError;
use crate::projection::freshness::NotCurrent;
use crate::records::RecordError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request does not have the shape the API document gives it.
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    /// Well-formed, but its values contradict each other or the data (a range
    /// that ends before it starts): 422, so a client can tell the two apart.
    #[error("{message}")]
    Unprocessable { code: &'static str, message: String },
    /// The deployment's state forbids it (a screen token for an open deployment).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    MethodNotAllowed(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("too many requests; slow down")]
    RateLimited,
    #[error("the record store is unavailable; nothing was acknowledged, retry")]
    RecordsDown(String),
    #[error("the aggregate store is unavailable")]
    AggregatesDown(#[source] AggregateError),
    #[error("{0}")]
    NotCurrent(#[source] NotCurrent),
    #[error("{0}")]
    Overloaded(String),
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    pub fn bad(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::BadRequest {
            code,
            message: message.into(),
        }
    }

    pub fn unprocessable(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::Unprocessable {
            code,
            message: message.into(),
        }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::Conflict {
            code,
            message: message.into(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest { code, .. } | ApiError::Unprocessable { code, .. } | ApiError::Conflict { code, .. } => code,
            ApiError::NotFound(_) => "not_found",
            ApiError::MethodNotAllowed(_) => "method_not_allowed",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::TooLarge(_) => "too_large",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::RateLimited => "rate_limited",
            ApiError::RecordsDown(_) => "records_unavailable",
            ApiError::AggregatesDown(_) => "aggregates_unavailable",
            ApiError::NotCurrent(_) => "figures_not_current",
            ApiError::Overloaded(_) => "overloaded",
            ApiError::Internal(_) => "internal",
        }
    }
}

impl From<RecordError> for ApiError {
    fn from(e: RecordError) -> Self {
        if let RecordError::Refused(why) = &e {
            return ApiError::bad("invalid_value", format!("the record store refused a value in this request: {why}"));
        }
        ApiError::RecordsDown(e.to_string())
    }
}

impl From<FiguresError> for ApiError {
    fn from(e: FiguresError) -> Self {
        match e {
            FiguresError::Unavailable(e) => ApiError::AggregatesDown(e),
            FiguresError::NotCurrent(e) => ApiError::NotCurrent(e),
        }
    }
}

impl From<AggregateError> for ApiError {
    fn from(e: AggregateError) -> Self {
        ApiError::AggregatesDown(e)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ApiError::RecordsDown(_) | ApiError::AggregatesDown(_) | ApiError::NotCurrent(_) | ApiError::Overloaded(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if status.is_server_error() {
            tracing::error!(error = ?self, "request failed");
        }
        let mut res = HttpResponse::build(status);
        if status == StatusCode::SERVICE_UNAVAILABLE {
            res.insert_header(("Retry-After", "2"));
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            res.insert_header(("Retry-After", "1"));
        }
        res.json(json!({ "code": self.code(), "message": self.to_string() }))
    }
}
