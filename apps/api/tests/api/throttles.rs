//! Login and password-check throttles (issue 17, item 8): per e-mail only
//! failures count, per client IP every attempt does. The limiters live in
//! memory, so one backend shows them.

use actix_web::http::StatusCode;
use persistence::Backend;
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, spawn_app_with, text};
use crate::supply_support::PASSWORD;

/// An app allowing three failures a minute per e-mail, one registered user.
async fn app_with_user(email: &str) -> (TestApp, String) {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.auth.login_attempts_per_minute_per_email = 3;
    })
    .await;
    let session = app.register(email, "customer").await;
    let token = text(&session, "access_token").to_owned();
    (app, token)
}

fn login(email: &str, password: &str) -> Value {
    json!({"email": email, "password": password})
}

fn assert_limited(r: &Reply) {
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert_eq!(r.body["code"], "rate_limited");
    assert!(
        r.header("retry-after")
            .and_then(|s| s.parse::<u64>().ok())
            .is_some_and(|s| (1..=60).contains(&s)),
        "Retry-After: {:?}",
        r.header("retry-after")
    );
}

#[actix_web::test]
async fn correct_passwords_are_never_refused_for_earlier_successes() {
    let (app, token) = app_with_user("dev@example.com").await;
    for n in 0..8 {
        let r = app
            .post("/api/v1/auth/login", &login("dev@example.com", PASSWORD))
            .await;
        assert_eq!(r.status, StatusCode::OK, "login {n}: {}", r.body);
    }
    let passwords = [PASSWORD, "a second passphrase", PASSWORD];
    for pair in passwords.windows(2) {
        let body = json!({"current_password": pair[0], "new_password": pair[1]});
        let r = app
            .call("POST", "/api/v1/me/password", Some(&token), Some(&body))
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    }
    let r = app
        .call(
            "DELETE",
            "/api/v1/me",
            Some(&token),
            Some(&json!({"password": PASSWORD})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
}

#[actix_web::test]
async fn failures_still_lock_the_address_even_for_its_owner() {
    let (app, _) = app_with_user("eve@example.com").await;
    for _ in 0..3 {
        let r = app
            .post(
                "/api/v1/auth/login",
                &login("eve@example.com", "not the password"),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    }
    let owner = app
        .post("/api/v1/auth/login", &login("EVE@example.com", PASSWORD))
        .await;
    assert_limited(&owner);
}

#[actix_web::test]
async fn a_success_after_failures_below_the_limit_works() {
    let (app, _) = app_with_user("fay@example.com").await;
    let wrong = login("fay@example.com", "not the password");
    for _ in 0..2 {
        assert_eq!(
            app.post("/api/v1/auth/login", &wrong).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    for _ in 0..3 {
        let r = app
            .post("/api/v1/auth/login", &login("fay@example.com", PASSWORD))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    // Successes neither cost nor refund: the third failure is the last one.
    assert_eq!(
        app.post("/api/v1/auth/login", &wrong).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_limited(&app.post("/api/v1/auth/login", &wrong).await);
}

#[actix_web::test]
async fn wrong_passwords_on_account_routes_count_as_failures() {
    let (app, token) = app_with_user("gil@example.com").await;
    let wrong = json!({"password": "not the password"});
    for _ in 0..3 {
        let r = app
            .call("DELETE", "/api/v1/me", Some(&token), Some(&wrong))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    }
    let change = json!({"current_password": PASSWORD, "new_password": "a second passphrase"});
    let r = app
        .call("POST", "/api/v1/me/password", Some(&token), Some(&change))
        .await;
    assert_limited(&r);
    let right = json!({"password": PASSWORD});
    assert_limited(
        &app.call("DELETE", "/api/v1/me", Some(&token), Some(&right))
            .await,
    );
}

#[actix_web::test]
async fn concurrent_wrong_guesses_do_not_overtake_the_limit() {
    let (app, _) = app_with_user("hal@example.com").await;
    let wrong = login("hal@example.com", "not the password");
    let replies =
        futures_util::future::join_all((0..12).map(|_| app.post("/api/v1/auth/login", &wrong)))
            .await;
    let checked = replies
        .iter()
        .filter(|r| r.status == StatusCode::UNAUTHORIZED)
        .count();
    assert!(
        (1..=3).contains(&checked),
        "{checked} wrong passwords were checked"
    );
    for r in replies
        .iter()
        .filter(|r| r.status != StatusCode::UNAUTHORIZED)
    {
        assert!(
            matches!(
                r.status,
                StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
            ),
            "{} {}",
            r.status,
            r.body
        );
        assert!(r.header("retry-after").is_some());
    }
}

#[actix_web::test]
async fn the_ip_limit_counts_every_attempt() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.auth.login_attempts_per_minute_per_ip = 3;
    })
    .await;
    app.register("ivy@example.com", "customer").await;
    for _ in 0..3 {
        let r = app
            .post("/api/v1/auth/login", &login("ivy@example.com", PASSWORD))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let r = app
        .post("/api/v1/auth/login", &login("ivy@example.com", PASSWORD))
        .await;
    assert_limited(&r);
}
