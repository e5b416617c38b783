//! HTTP plumbing shared by every route: problem responses, extractor error
//! handlers, metrics and the middleware that ties them together.

pub mod body;
pub mod extract_errors;
pub mod json;
pub mod metrics;
pub mod metrics_access;
pub mod middleware;
pub mod optional_json;
pub mod precondition;
pub mod problem;
pub mod responses;
pub mod rules;

pub use problem::{ApiError, Problem};
