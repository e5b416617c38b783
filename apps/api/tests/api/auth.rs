//! Accounts over HTTP: register, login, refresh, logout, /me and every refusal.

use actix_web::http::StatusCode;
use persistence::Backend;
use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::helpers::{registration, spawn_app, spawn_app_with, text};

#[actix_web::test]
async fn register_login_refresh_and_me() {
    let app = spawn_app().await;
    let session = app.register("Ann@Example.com", "customer").await;
    assert_eq!(session["user"]["email"], "ann@example.com");
    assert_eq!(session["user"]["roles"], json!(["customer"]));
    assert_eq!(session["token_type"], "Bearer");
    assert_eq!(session["expires_in"], 900);

    let login = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "ANN@example.com", "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);

    let refreshed = app
        .post(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": text(&login.body, "refresh_token")}),
        )
        .await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.body);
    assert_ne!(
        text(&refreshed.body, "refresh_token"),
        text(&login.body, "refresh_token")
    );

    let me = app
        .get("/api/v1/me", Some(text(&refreshed.body, "access_token")))
        .await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    assert_eq!(me.body["user"]["email"], "ann@example.com");
    assert_eq!(
        me.body["customer"],
        json!({"zipcode": "10001", "region_code": "nyc"})
    );
    assert_eq!(me.body["provider"], json!(null));
}

#[actix_web::test]
async fn reusing_a_rotated_refresh_token_revokes_the_whole_session() {
    let app = spawn_app().await;
    let first = app.register("bob@example.com", "provider").await;
    let old = text(&first, "refresh_token").to_owned();
    let second = app
        .post("/api/v1/auth/refresh", &json!({"refresh_token": old}))
        .await;
    assert_eq!(second.status, StatusCode::OK);
    let newer = text(&second.body, "refresh_token").to_owned();

    let replay = app
        .post("/api/v1/auth/refresh", &json!({"refresh_token": old}))
        .await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED);
    assert_eq!(replay.body["code"], "invalid_refresh_token");
    // The legitimate newer token died with its family.
    let after = app
        .post("/api/v1/auth/refresh", &json!({"refresh_token": newer}))
        .await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn logout_revokes_the_refresh_token() {
    let app = spawn_app().await;
    let session = app.register("cat@example.com", "customer").await;
    let token = text(&session, "refresh_token");
    let out = app
        .post("/api/v1/auth/logout", &json!({"refresh_token": token}))
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let again = app
        .post("/api/v1/auth/refresh", &json!({"refresh_token": token}))
        .await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn registration_refuses_admin_lsm_bad_fields_and_unknown_fields() {
    let app = spawn_app().await;
    for role in ["admin", "lsm"] {
        let r = app
            .post(
                "/api/v1/auth/register",
                &registration("x@example.com", role),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.body["errors"][0]["field"], "role");
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
    }
    let mut bad = registration("not-an-email", "customer");
    bad["password"] = json!("short");
    bad["zipcode"] = json!("1234");
    let r = app.post("/api/v1/auth/register", &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.error_fields(), ["email", "password", "zipcode"]);

    let mut extra = registration("y@example.com", "customer");
    extra["is_admin"] = json!(true);
    let r = app.post("/api/v1/auth/register", &extra).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["errors"][0]["field"], "is_admin");

    let r = app
        .post("/api/v1/auth/register", &json!({"email": "z@example.com"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Nothing was created by any refused request.
    let login = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "y@example.com", "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(login.status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn emails_are_unique_whatever_their_case() {
    let app = spawn_app().await;
    app.register("dup@example.com", "customer").await;
    let r = app
        .post(
            "/api/v1/auth/register",
            &registration("DUP@Example.COM", "provider"),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.body["code"], "email_taken");
}

#[actix_web::test]
async fn login_failures_do_not_reveal_whether_the_email_exists() {
    let app = spawn_app().await;
    app.register("eve@example.com", "customer").await;
    let wrong = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "eve@example.com", "password": "wrong password!"}),
        )
        .await;
    let unknown = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "nobody@example.com", "password": "wrong password!"}),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.body, unknown.body);
}

#[actix_web::test]
async fn repeated_logins_for_one_email_are_rate_limited() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.auth.login_attempts_per_minute_per_email = 3
    })
    .await;
    let attempt = json!({"email": "fay@example.com", "password": "wrong password!"});
    for _ in 0..3 {
        assert_eq!(
            app.post("/api/v1/auth/login", &attempt).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let limited = app.post("/api/v1/auth/login", &attempt).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        limited
            .header("retry-after")
            .and_then(|s| s.parse::<u64>().ok())
            .is_some_and(|s| s >= 1)
    );
    assert_eq!(limited.body["code"], "rate_limited");
}

#[actix_web::test]
async fn suspended_and_banned_users_cannot_log_in_or_refresh() {
    let app = spawn_app().await;
    let session = app.register("gus@example.com", "customer").await;
    let id = session["user"]["id"].as_i64().unwrap_or_default();
    for status in ["suspended", "banned"] {
        app.db
            .conn()
            .execute_unprepared(&format!(
                "UPDATE users SET status = '{status}' WHERE id = {id}"
            ))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let login = app
            .post(
                "/api/v1/auth/login",
                &json!({"email": "gus@example.com", "password": "correct horse battery"}),
            )
            .await;
        assert_eq!(login.status, StatusCode::FORBIDDEN, "{status}");
        assert_eq!(login.body["code"], "account_disabled");
    }
    let refresh = app
        .post(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": text(&session, "refresh_token")}),
        )
        .await;
    assert_eq!(refresh.status, StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn me_needs_a_valid_token() {
    let app = spawn_app().await;
    let none = app.get("/api/v1/me", None).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert_eq!(none.header("www-authenticate"), Some("Bearer"));
    let forged = app
        .get("/api/v1/me", Some("eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0."))
        .await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
    assert_eq!(forged.body["code"], "unauthorized");
}

#[actix_web::test]
async fn a_bootstrap_admin_is_created_from_configuration() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.bootstrap.admin_email = Some("root@example.com".into());
        s.bootstrap.admin_password = Some(stm_api::config::Secret::new("bootstrap password"));
    })
    .await;
    let login = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "root@example.com", "password": "bootstrap password"}),
        )
        .await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    assert_eq!(login.body["user"]["roles"], json!(["admin"]));
}

#[actix_web::test]
async fn account_fields_are_checked_raw_and_login_bounds_tell_nothing_about_accounts() {
    let app = spawn_app().await;
    let mut padded = registration("pad@example.com", "customer");
    padded["zipcode"] = json!(" 10001");
    padded["phone"] = json!("212 555 0100 ext 7");
    let r = app.post("/api/v1/auth/register", &padded).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.error_fields(), ["phone", "zipcode"]);

    app.register("known@example.com", "customer").await;
    let login = |password: String| json!({"email": "known@example.com", "password": password});
    let wrong = app
        .post("/api/v1/auth/login", &login("x".repeat(128)))
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{}", wrong.body);
    let long = app
        .post("/api/v1/auth/login", &login("x".repeat(129)))
        .await;
    assert_eq!(
        (long.status, long.body["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("password"))
    );
    let token = app
        .post(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": "t".repeat(257)}),
        )
        .await;
    assert_eq!(
        (token.status, token.body["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("refresh_token"))
    );
}
