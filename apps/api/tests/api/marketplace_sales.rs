//! `/marketplace/transactions` over HTTP: a provider's staff record an
//! off-platform sale and move it (complete, cancel, refund) while its
//! marketplace invoice follows; the client reads but does not act; anyone
//! else gets 404; racing refunds give one 200 and 409s, on both backends.

use actix_web::http::StatusCode;
use futures_util::future::join_all;
use persistence::Backend;
use serde_json::{Value, json};

use crate::helpers::{TestApp, id};
use crate::jobs_support::{Market, market};
use crate::supply_support::user;

const SALES: &str = "/api/v1/marketplace/transactions";

async fn me(app: &TestApp, token: &str) -> i64 {
    id(&app.get("/api/v1/me", Some(token)).await.body["user"])
}

fn sale_body(amount: i64, client: Option<i64>) -> Value {
    json!({
        "service_description": "Deep clean, paid cash",
        "amount_cents": amount,
        "transaction_date": "2026-11-29",
        "client_user_id": client,
        "payment_method": "card",
        "notes": "off-platform"
    })
}

async fn invoice(m: &Market, sale: &Value) -> Value {
    let inv = sale["invoice_id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no invoice in {sale}"));
    let r = m
        .app
        .get(
            &format!("/api/v1/billing/invoices/{inv}"),
            Some(&m.provider),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body
}

async fn act(m: &Market, token: &str, sale: i64, action: &str) -> crate::helpers::Reply {
    m.app
        .send(
            "POST",
            &format!("{SALES}/{sale}/{action}"),
            Some(token),
            None,
            &[],
        )
        .await
}

async fn lifecycle(backend: Backend) {
    let m = market(backend).await;
    let client = me(&m.app, &m.customer).await;
    // Only a client of the provider may be named (see sales_clients.rs).
    m.book().await;
    // Recorded: pending, fee and net computed, an issued invoice of the full amount.
    let big = 3_000_000_005_i64;
    let made = m
        .app
        .create(&m.provider, SALES, sale_body(big, Some(client)))
        .await;
    assert_eq!(made["status"], "pending");
    assert_eq!(made["platform_fee_cents"], 300_000_001);
    assert_eq!(made["net_payout_cents"], 2_700_000_004_i64);
    assert_eq!(made["client_user_id"], client);
    let inv = invoice(&m, &made).await;
    assert_eq!(
        (
            &inv["status"],
            &inv["balance_cents"],
            &inv["is_marketplace_invoice"]
        ),
        (&json!("issued"), &json!(big), &json!(true)),
        "{inv}"
    );
    let sid = id(&made);

    // The client reads it (and in their list) but may not act; a stranger sees nothing.
    let seen = m
        .app
        .get(&format!("{SALES}/{sid}"), Some(&m.customer))
        .await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.body);
    let mine = m.app.get(SALES, Some(&m.customer)).await;
    assert_eq!(mine.body["items"][0]["id"], sid);
    assert_eq!(
        act(&m, &m.customer, sid, "complete").await.status,
        StatusCode::FORBIDDEN
    );
    let stranger = user(&m.app, "stranger@example.test", "customer").await;
    assert_eq!(
        m.app
            .get(&format!("{SALES}/{sid}"), Some(&stranger))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        act(&m, &stranger, sid, "cancel").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        m.app.get(SALES, Some(&stranger)).await.body["items"],
        json!([])
    );
    // Not yet paid: nothing to refund.
    assert_eq!(
        act(&m, &m.provider, sid, "refund").await.status,
        StatusCode::CONFLICT
    );

    // Complete: the invoice is paid by one payment of the whole amount.
    let done = act(&m, &m.provider, sid, "complete").await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.body["status"], "completed");
    let inv = invoice(&m, &made).await;
    assert_eq!(
        (&inv["status"], &inv["balance_cents"]),
        (&json!("paid"), &json!(0))
    );
    let payments = m
        .app
        .get(
            &format!("/api/v1/billing/payments?invoice_id={}", inv["id"]),
            Some(&m.provider),
        )
        .await;
    assert_eq!(payments.body["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(payments.body["items"][0]["amount_cents"], big);
    assert_eq!(payments.body["items"][0]["method"], "card");
    assert_eq!(
        act(&m, &m.provider, sid, "complete").await.status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        act(&m, &m.provider, sid, "cancel").await.status,
        StatusCode::CONFLICT
    );

    // Refund: the payment refunded in full, the invoice issued again at its full balance.
    let back = act(&m, &m.provider, sid, "refund").await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.body);
    assert_eq!(back.body["status"], "refunded");
    let inv = invoice(&m, &made).await;
    assert_eq!(
        (&inv["status"], &inv["balance_cents"]),
        (&json!("issued"), &json!(big))
    );
    let payments = m
        .app
        .get(
            &format!("/api/v1/billing/payments?invoice_id={}", inv["id"]),
            Some(&m.provider),
        )
        .await;
    assert_eq!(payments.body["items"][0]["status"], "refunded");
    assert_eq!(payments.body["items"][0]["refunded_cents"], big);
    let again = act(&m, &m.provider, sid, "refund").await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(again.body["code"], "invalid_transition");

    // Cancel: the invoice is void.
    let other = id(&m.app.create(&m.provider, SALES, sale_body(700, None)).await);
    let off = act(&m, &m.provider, other, "cancel").await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    let inv = invoice(&m, &off.body).await;
    assert_eq!(inv["status"], "void");
    assert_eq!(
        act(&m, &m.provider, other, "complete").await.status,
        StatusCode::CONFLICT
    );

    // The client was told of each change of their sale.
    let inbox = m.app.get("/api/v1/notifications", Some(&m.customer)).await;
    let kinds: Vec<&str> = inbox.body["items"]
        .as_array()
        .map(|i| i.iter().filter_map(|n| n["kind"].as_str()).collect())
        .unwrap_or_default();
    for kind in [
        "marketplace.transaction_recorded",
        "marketplace.transaction_completed",
        "marketplace.transaction_refunded",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing in {kinds:?}");
    }
}

#[actix_web::test]
async fn a_sale_moves_with_its_invoice_on_sqlite() {
    lifecycle(Backend::Sqlite).await;
}

#[actix_web::test]
async fn a_sale_moves_with_its_invoice_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    lifecycle(Backend::Postgres).await;
}

#[actix_web::test]
async fn fee_and_net_are_never_input_and_every_field_is_checked() {
    let m = market(Backend::Sqlite).await;
    for field in ["platform_fee_cents", "net_payout_cents"] {
        let mut body = sale_body(1_000, None);
        body[field] = json!(1);
        let r = m
            .app
            .send("POST", SALES, Some(&m.provider), Some(&body), &[])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.body["errors"][0]["field"], field, "{}", r.body);
    }
    // The documented rules (ranges, formats, enums) are checked first, all at
    // once; the domain's (blank text, a real date) after them, all at once.
    let documented = json!({"service_description": "x", "amount_cents": 0, "transaction_date": "2026-11-01",
        "payment_method": "gold", "currency": "dollars"});
    let domain =
        json!({"service_description": " ", "amount_cents": 5, "transaction_date": "tomorrow"});
    let long_ago =
        json!({"service_description": "x", "amount_cents": 5, "transaction_date": "0900-01-01"});
    for (bad, expected) in [
        (
            documented,
            vec!["amount_cents", "currency", "payment_method"],
        ),
        (domain, vec!["service_description", "transaction_date"]),
        (long_ago, vec!["transaction_date"]),
    ] {
        let r = m
            .app
            .send("POST", SALES, Some(&m.provider), Some(&bad), &[])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let mut fields = r.error_fields();
        fields.sort_unstable();
        assert_eq!(fields, expected, "{}", r.body);
    }
    let r = m
        .app
        .send("POST", SALES, Some(&m.provider), Some(&json!([1])), &[])
        .await;
    assert!(r.status.is_client_error(), "{}", r.status);
    let r = m
        .app
        .send("POST", SALES, Some(&m.provider), Some(&json!({"client_user_id": 999_999, "service_description": "x", "amount_cents": 5, "transaction_date": "2026-11-01"})), &[])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "client_user_id");
    // Someone without a tenant does not record sales; no token is a 401.
    let r = m
        .app
        .send(
            "POST",
            SALES,
            Some(&m.customer),
            Some(&sale_body(5, None)),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = m
        .app
        .send("POST", SALES, None, Some(&sale_body(5, None)), &[])
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // A body on an action is refused; the fee follows the platform setting.
    let sid = id(&m.app.create(&m.provider, SALES, sale_body(15, None)).await);
    let r = m
        .app
        .send(
            "POST",
            &format!("{SALES}/{sid}/complete"),
            Some(&m.provider),
            Some(&json!({"amount_cents": 1})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = m
        .app
        .get(&format!("{SALES}/{sid}"), Some(&m.provider))
        .await;
    assert_eq!(
        (&r.body["platform_fee_cents"], &r.body["net_payout_cents"]),
        (&json!(2), &json!(13))
    );
}

async fn racing_refunds(backend: Backend) {
    let m = market(backend).await;
    let sid = id(&m
        .app
        .create(&m.provider, SALES, sale_body(10_000, None))
        .await);
    let done = act(&m, &m.provider, sid, "complete").await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let path = format!("{SALES}/{sid}/refund");
    let replies =
        join_all((0..6).map(|_| m.app.send("POST", &path, Some(&m.provider), None, &[]))).await;
    let ok = replies
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .count();
    let conflicts = replies
        .iter()
        .filter(|r| r.status == StatusCode::CONFLICT)
        .count();
    assert_eq!(
        (ok, conflicts),
        (1, 5),
        "{:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    let sale = m
        .app
        .get(&format!("{SALES}/{sid}"), Some(&m.provider))
        .await;
    let inv = invoice(&m, &sale.body).await;
    assert_eq!(
        (&inv["balance_cents"], &inv["version"]),
        (&json!(10_000), &json!(3)),
        "{inv}"
    );
    let payments = m
        .app
        .get(
            &format!("/api/v1/billing/payments?invoice_id={}", inv["id"]),
            Some(&m.provider),
        )
        .await;
    assert_eq!(payments.body["items"][0]["refunded_cents"], 10_000);
    // Racing completions of a pending sale: one payment only.
    let sid = id(&m.app.create(&m.provider, SALES, sale_body(500, None)).await);
    let path = format!("{SALES}/{sid}/complete");
    let replies =
        join_all((0..6).map(|_| m.app.send("POST", &path, Some(&m.provider), None, &[]))).await;
    assert_eq!(
        replies
            .iter()
            .filter(|r| r.status == StatusCode::OK)
            .count(),
        1
    );
    let sale = m
        .app
        .get(&format!("{SALES}/{sid}"), Some(&m.provider))
        .await;
    let inv = invoice(&m, &sale.body).await;
    let payments = m
        .app
        .get(
            &format!("/api/v1/billing/payments?invoice_id={}", inv["id"]),
            Some(&m.provider),
        )
        .await;
    assert_eq!(payments.body["items"].as_array().map(Vec::len), Some(1));
}

#[actix_web::test]
async fn racing_refunds_give_one_200_on_sqlite() {
    racing_refunds(Backend::Sqlite).await;
}

#[actix_web::test]
async fn racing_refunds_give_one_200_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    racing_refunds(Backend::Postgres).await;
}

#[actix_web::test]
async fn a_paid_jobs_sale_is_refunded_like_any_other() {
    let m = market(Backend::Sqlite).await;
    let job = m.book().await;
    let jid = id(&job);
    for action in ["accept", "complete", "mark-paid"] {
        let r = m.act(&m.provider, jid, action, None).await;
        assert_eq!(r.status, StatusCode::OK, "{action}: {}", r.body);
    }
    let list = m.app.get(SALES, Some(&m.provider)).await;
    let sold = &list.body["items"][0];
    assert_eq!(
        (&sold["job_id"], &sold["status"]),
        (&json!(jid), &json!("completed")),
        "{sold}"
    );
    let inv = invoice(&m, sold).await;
    assert_eq!(inv["status"], "paid");
    // The customer reads it too.
    let theirs = m.app.get(SALES, Some(&m.customer)).await;
    assert_eq!(theirs.body["items"][0]["id"], sold["id"]);
    let back = act(&m, &m.provider, id(sold), "refund").await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.body);
    let inv = invoice(&m, sold).await;
    assert_eq!(
        (&inv["status"], &inv["balance_cents"]),
        (&json!("issued"), &json!(5000))
    );
}

#[actix_web::test]
async fn an_invoice_moved_in_billing_refuses_the_edge() {
    let m = market(Backend::Sqlite).await;
    let made = m
        .app
        .create(&m.provider, SALES, sale_body(1_000, None))
        .await;
    let inv = made["invoice_id"].as_i64().unwrap_or_default();
    // Part of it paid through billing: the sale can no longer be completed
    // (a full payment would overpay) nor cancelled (the invoice has a payment).
    let paid = m
        .app
        .send(
            "POST",
            &format!("/api/v1/billing/invoices/{inv}/payments"),
            Some(&m.provider),
            Some(&json!({"amount_cents": 100, "method": "cash"})),
            &[],
        )
        .await;
    assert_eq!(paid.status, StatusCode::CREATED, "{}", paid.body);
    for action in ["complete", "cancel"] {
        let r = act(&m, &m.provider, id(&made), action).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{action}: {}", r.body);
        assert_eq!(r.body["code"], "conflict");
    }
    let read = m
        .app
        .get(&format!("{SALES}/{}", id(&made)), Some(&m.provider))
        .await;
    assert_eq!(read.body["status"], "pending");
    let inv = invoice(&m, &made).await;
    assert_eq!(
        (&inv["status"], &inv["balance_cents"]),
        (&json!("partially_paid"), &json!(900))
    );
}
