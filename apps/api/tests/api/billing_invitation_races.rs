//! Invitations over time and under races, on SQLite and PostgreSQL: an expired
//! invitation is refused and recorded as expired; one user accepting several
//! invitations at once joins exactly one tenant.

use actix_web::http::StatusCode;
use persistence::Backend;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use crate::billing_invitations::{account, answer, invite, join_as_staff, on, status};
use crate::supply_support::count;

async fn expired_invitations(backend: Backend) {
    let Some(app) = on(backend).await else { return };
    let owner = app.tenant_owner("late@example.com", "late-co").await;
    let (invitee, _) = account(&app, "slow@example.com").await;
    let invitation = invite(&app, &owner, "slow@example.com").await;
    // Eight days pass for this invitation.
    let conn = app.db.conn();
    let past = chrono::Utc::now() - chrono::Duration::days(1);
    let sql = persistence_placeholders(
        conn.get_database_backend(),
        "UPDATE tenant_invitations SET expires_at = ? WHERE id = ?",
    );
    conn.execute_raw(Statement::from_sql_and_values(
        conn.get_database_backend(),
        sql,
        [past.into(), invitation.into()],
    ))
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let mine = app
        .call("GET", "/api/v1/me/tenant-invitations", Some(&invitee), None)
        .await;
    assert_eq!(
        mine.body["items"],
        json!([]),
        "an expired invitation is not offered"
    );
    let (code, body) = answer(&app, &invitee, invitation, "accept", None).await;
    assert_eq!(code, StatusCode::CONFLICT, "{body}");
    assert_eq!(
        status(&app, &invitee, "GET", "/api/v1/tenants/me").await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        count(&app, &format!("SELECT COUNT(*) AS n FROM tenant_invitations WHERE id = {invitation} AND status = 'expired'")).await,
        1
    );
    let listed = app
        .call("GET", "/api/v1/tenants/me/invitations", Some(&owner), None)
        .await;
    assert_eq!(listed.body["items"][0]["status"], "expired");
    // A new invitation can be sent and accepted.
    join_as_staff(&app, &owner, "slow@example.com", &invitee).await;
}

fn persistence_placeholders(backend: sea_orm::DbBackend, sql: &str) -> String {
    if backend == sea_orm::DbBackend::Postgres {
        sql.replacen('?', "$1", 1).replacen('?', "$2", 1)
    } else {
        sql.to_owned()
    }
}

#[actix_web::test]
async fn expired_invitations_are_refused_on_sqlite() {
    expired_invitations(Backend::Sqlite).await;
}

#[actix_web::test]
async fn expired_invitations_are_refused_on_postgres() {
    expired_invitations(Backend::Postgres).await;
}

async fn racing_accepts(backend: Backend) {
    let Some(app) = on(backend).await else { return };
    let (invitee, invitee_id) = account(&app, "wanted@example.com").await;
    let mut invitations = Vec::new();
    for n in 0..4 {
        let owner = app
            .tenant_owner(&format!("owner{n}@example.com"), &format!("firm-{n}"))
            .await;
        invitations.push(invite(&app, &owner, "wanted@example.com").await);
    }
    let replies = futures_util::future::join_all(
        invitations
            .iter()
            .map(|i| answer(&app, &invitee, *i, "accept", None)),
    )
    .await;
    let codes: Vec<StatusCode> = replies.iter().map(|(c, _)| *c).collect();
    assert_eq!(
        codes.iter().filter(|c| **c == StatusCode::OK).count(),
        1,
        "{codes:?}"
    );
    assert_eq!(
        codes.iter().filter(|c| **c == StatusCode::CONFLICT).count(),
        3,
        "{codes:?}"
    );
    assert_eq!(
        count(&app, &format!("SELECT COUNT(*) AS n FROM users WHERE id = {invitee_id} AND tenant_id IS NOT NULL AND tenant_role = 'staff'")).await,
        1
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) AS n FROM tenant_invitations WHERE status = 'accepted'"
        )
        .await,
        1,
        "the refused accepts left their invitations pending"
    );
}

#[actix_web::test]
async fn racing_accepts_join_one_tenant_on_sqlite() {
    racing_accepts(Backend::Sqlite).await;
}

#[actix_web::test]
async fn racing_accepts_join_one_tenant_on_postgres() {
    racing_accepts(Backend::Postgres).await;
}
