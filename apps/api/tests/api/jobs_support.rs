//! Factories for job scenarios: an approved provider offering dog walking in
//! New York, a customer, and a booked job.

use actix_web::http::StatusCode;
use persistence::Backend;
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::supply_support::{app_with_admin, applicant, lsm, service_id, user};

/// Everyone a job scenario needs.
pub struct Market {
    pub app: TestApp,
    pub admin: String,
    pub lsm: String,
    pub provider: String,
    pub provider_id: i64,
    pub customer: String,
    pub service_id: i64,
}

/// An app with an approved NYC dog walker and a customer.
pub async fn market(backend: Backend) -> Market {
    let (app, admin) = app_with_admin(backend).await;
    let lsm = lsm(&app, &admin, "lsm@nyc.test", "nyc").await;
    let walking = service_id(&app, "dog-walking").await;
    let (provider, provider_id) = applicant(
        &app,
        "walker@example.test",
        "10001",
        "212-555-0100",
        &[walking],
    )
    .await;
    let r = app
        .call(
            "POST",
            &format!("/api/v1/lsm/providers/{provider_id}/approve"),
            Some(&lsm),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let customer = user(&app, "customer@example.test", "customer").await;
    Market {
        app,
        admin,
        lsm,
        provider,
        provider_id,
        customer,
        service_id: walking,
    }
}

impl Market {
    /// A valid booking body.
    pub fn booking(&self) -> Value {
        json!({
            "provider_id": self.provider_id,
            "service_id": self.service_id,
            "description": "Two walks for Rex",
            "answers": {"dog_count": 1, "walk_length": "30 minutes"},
            "zipcode": "10001",
            "price_cents": 5000
        })
    }

    /// Books a job as the customer; returns it.
    pub async fn book(&self) -> Value {
        let r = self
            .app
            .call(
                "POST",
                "/api/v1/jobs",
                Some(&self.customer),
                Some(&self.booking()),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.body
    }

    /// POST an action on a job.
    pub async fn act(
        &self,
        token: &str,
        job: i64,
        action: &str,
        body: Option<&Value>,
    ) -> crate::helpers::Reply {
        self.app
            .call(
                "POST",
                &format!("/api/v1/jobs/{job}/{action}"),
                Some(token),
                body,
            )
            .await
    }
}
