//! Every kind of bad request gets its status as an `application/problem+json` document.

use actix_web::http::StatusCode;

use crate::helpers::spawn_app;

#[actix_web::test]
async fn bad_requests_are_problems_with_the_right_status() {
    let app = spawn_app().await;
    let big = format!("{{\"email\":\"{}\"}}", "a".repeat(70 * 1024)).into_bytes();
    type Case<'a> = (&'a str, &'a str, &'a str, Vec<u8>, StatusCode, &'a str);
    let cases: Vec<Case> = vec![
        (
            "POST",
            "/api/v1/auth/login",
            "application/json",
            b"{\"email\": ".to_vec(),
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            "POST",
            "/api/v1/auth/login",
            "text/plain",
            b"{}".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            "POST",
            "/api/v1/auth/login",
            "application/json",
            big,
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
        (
            "POST",
            "/api/v1/auth/login",
            "application/json",
            b"{\"email\": 5, \"password\": \"x\"}".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            "GET",
            "/api/v1/no-such-thing",
            "application/json",
            Vec::new(),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            "DELETE",
            "/api/v1/auth/login",
            "application/json",
            Vec::new(),
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
        (
            "PUT",
            "/healthz",
            "application/json",
            Vec::new(),
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
    ];
    for (method, path, content_type, body, status, code) in cases {
        let r = app.send_raw(method, path, content_type, body).await;
        assert_eq!(r.status, status, "{method} {path}: {}", r.body);
        assert_eq!(
            r.header("content-type"),
            Some("application/problem+json"),
            "{method} {path}"
        );
        assert_eq!(r.body["code"], code, "{method} {path}");
        assert_eq!(r.body["status"], status.as_u16(), "{method} {path}");
        assert!(
            r.body["type"].is_string()
                && r.body["title"].is_string()
                && r.body["detail"].is_string()
        );
    }
}
