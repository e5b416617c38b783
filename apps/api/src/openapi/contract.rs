//! The `Contract` modifier of the OpenAPI document: the answers the shared
//! plumbing gives around every handler, added to each operation that can
//! meet them.

use utoipa::Modify;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::response::Response;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::{Content, Ref, RefOr};

/// The statuses the shared plumbing answers before or around any handler,
/// added to every operation that can meet them (a route's own description
/// wins): a JSON body can be malformed (400), too large (413), of another
/// media type (415) or of the wrong shape (422); a secured route answers 401;
/// a user's token can be of an ended session (401 `session_revoked`) or a
/// disabled account (403 `account_disabled`);
/// a query can hold a bad value (422); a path id can name nothing (404); an
/// `If-Match` can be malformed (400) or stale (412), and its pattern is the
/// one the server parses. New routes get all of this by themselves.
#[derive(Debug)]
pub(crate) struct Contract;

/// `If-Match` as `http::precondition::if_match` reads it: `*`, or a list of
/// (weak or strong) quoted entity tags, empty list elements allowed.
pub const IF_MATCH_PATTERN: &str = r#"^[ \t]*\*[ \t]*$|^[ \t,]*(W/)?"[\x21\x23-\x7E\x80-\xFF]*"([ \t]*,[ \t,]*(W/)?"[\x21\x23-\x7E\x80-\xFF]*")*[ \t]*(,[ \t,]*)?$"#;

fn problem(description: &str) -> RefOr<Response> {
    let mut response = Response::new(description);
    response.content.insert(
        "application/problem+json".to_owned(),
        RefOr::T(Content::new(Some(Ref::from_schema_name("Problem")))),
    );
    RefOr::T(response)
}

fn ensure(op: &mut Operation, status: &str, description: &str) {
    op.responses
        .responses
        .entry(status.to_owned())
        .or_insert_with(|| problem(description));
}

/// What a user's token answers once its session ended (`auth::revocations`).
const REVOKED_401: &str = "`session_revoked`: the token's session ended (logout, a revoked \
    session, a password change or reset) or its account was closed";
/// What a banned or suspended account's token answers.
const DISABLED_403: &str = "`account_disabled`: the account is suspended or banned";

/// Ensures `status`, described by `also` or with `also` appended.
fn mention(op: &mut Operation, status: &str, also: &str) {
    ensure(op, status, also);
    if let Some(RefOr::T(response)) = op.responses.responses.get_mut(status)
        && !response.description.contains(also)
    {
        response.description = format!("{}; {also}", response.description);
    }
}

fn complete(op: &mut Operation) {
    let json_body = op.request_body.as_ref().is_some_and(|b| match b {
        RefOr::T(body) => body.content.contains_key("application/json"),
        RefOr::Ref(_) => true,
    });
    if json_body {
        ensure(op, "400", "The body is not JSON");
        ensure(op, "413", "The body is over 64 KiB");
        ensure(op, "415", "The body is not `application/json`");
        ensure(
            op,
            "422",
            "The body is not an object of the documented shape, or a field is invalid",
        );
    }
    if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
        ensure(op, "401", "No or bad token");
    }
    let bearer =
        utoipa::openapi::security::SecurityRequirement::new("bearer", Vec::<String>::new());
    if op.security.as_ref().is_some_and(|s| s.contains(&bearer)) {
        mention(op, "401", REVOKED_401);
        mention(op, "403", DISABLED_403);
    }
    let mut path = false;
    let mut query = false;
    let mut if_match = false;
    for param in op.parameters.iter_mut().flatten() {
        let RefOr::T(param) = param else { continue };
        match param.parameter_in {
            ParameterIn::Path => path = true,
            ParameterIn::Query => query = true,
            ParameterIn::Header if param.name.eq_ignore_ascii_case("if-match") => {
                if_match = true;
                if let Some(RefOr::T(Schema::Object(schema))) = param.schema.as_mut() {
                    schema.pattern = Some(IF_MATCH_PATTERN.to_owned());
                }
            }
            _ => {}
        }
    }
    if path {
        ensure(op, "404", "No such resource visible to the caller");
    }
    if query {
        ensure(op, "422", "A query parameter is invalid");
    }
    if if_match {
        ensure(op, "400", "If-Match is malformed");
        ensure(op, "412", "If-Match names none of the current version");
    }
}

impl Modify for Contract {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let ops = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for op in ops.into_iter().flatten() {
                complete(op);
            }
        }
    }
}
