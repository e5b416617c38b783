//! The missing-service digest's SQL: what is pending per region, and the
//! claim-mark-write transaction that sends one region's digest.

use kernel::{StoreError, Timestamp};
use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};
use supply::ports::{DigestSend, PendingDemand};

use crate::effects::write_message;
use crate::error::store_err;
use crate::sql::{exec, stmt};

/// Regions with undigested requests, an active LSM and a digest due. Binds: cutoff.
const PENDING_SQL: &str =
    "SELECT r.region, COUNT(*) AS n, COUNT(DISTINCT r.keyword) AS k, MAX(r.id) AS up_to
    FROM service_requests r JOIN regions g ON g.code = r.region
    WHERE r.email_sent = FALSE
      AND (g.demand_digest_sent_at IS NULL OR g.demand_digest_sent_at <= ?)
      AND EXISTS (SELECT 1 FROM local_service_managers l JOIN users u ON u.id = l.user_id
                  WHERE l.region_code = g.code AND u.status = 'active')
    GROUP BY r.region ORDER BY r.region";

/// The region's most requested undigested keywords. Binds: region, up_to, limit.
const TOP_SQL: &str = "SELECT keyword, COUNT(*) AS n FROM service_requests
    WHERE region = ? AND email_sent = FALSE AND id <= ?
    GROUP BY keyword ORDER BY n DESC, keyword LIMIT ?";

/// The claim: one winner per region per period. Binds: now, region, cutoff.
const CLAIM_SQL: &str = "UPDATE regions SET demand_digest_sent_at = ?
    WHERE code = ? AND (demand_digest_sent_at IS NULL OR demand_digest_sent_at <= ?)";

/// Marks the counted requests sent. Binds: region, up_to.
const MARK_SQL: &str = "UPDATE service_requests SET email_sent = TRUE
    WHERE region = ? AND email_sent = FALSE AND id <= ?";

/// What each due region has pending, with its `top` keywords.
pub(crate) async fn pending_demand(
    db: &DatabaseConnection,
    cutoff: Timestamp,
    top: u32,
) -> Result<Vec<PendingDemand>, StoreError> {
    let rows = db
        .query_all_raw(stmt(db, PENDING_SQL, vec![cutoff.into()]))
        .await
        .map_err(store_err)?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let region: String = r.try_get("", "region").map_err(store_err)?;
        let up_to_id: i64 = r.try_get("", "up_to").map_err(store_err)?;
        let values = vec![
            region.clone().into(),
            up_to_id.into(),
            i64::from(top).into(),
        ];
        let top_keywords = db
            .query_all_raw(stmt(db, TOP_SQL, values))
            .await
            .map_err(store_err)?
            .into_iter()
            .map(|k| {
                Ok((
                    k.try_get("", "keyword").map_err(store_err)?,
                    k.try_get("", "n").map_err(store_err)?,
                ))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        out.push(PendingDemand {
            region,
            requests: r.try_get("", "n").map_err(store_err)?,
            keywords: r.try_get("", "k").map_err(store_err)?,
            up_to_id,
            top_keywords,
        });
    }
    Ok(out)
}

/// Claims, marks and writes in one transaction; `false` (nothing written)
/// when the claim is lost or the requests are not those counted.
pub(crate) async fn send_digest(
    db: &DatabaseConnection,
    digest: DigestSend,
) -> Result<bool, StoreError> {
    let txn = db.begin().await.map_err(store_err)?;
    // The claim is the first write: it takes the region's row lock (PostgreSQL)
    // or the write lock (SQLite), so a racing run re-reads the new claim and loses.
    let claim = vec![
        digest.now.into(),
        digest.region.clone().into(),
        digest.cutoff.into(),
    ];
    if exec(&txn, CLAIM_SQL, claim).await? != 1 {
        txn.rollback().await.map_err(store_err)?;
        return Ok(false);
    }
    let mark = vec![digest.region.clone().into(), digest.up_to_id.into()];
    // A request committed late below `up_to_id` (or sent meanwhile) changes
    // the count: the message would misstate it, so the next tick recounts.
    let marked = exec(&txn, MARK_SQL, mark).await?;
    if i64::try_from(marked).ok() != Some(digest.requests) {
        txn.rollback().await.map_err(store_err)?;
        return Ok(false);
    }
    write_message(&txn, &digest.message, digest.now).await?;
    txn.commit().await.map_err(store_err)?;
    Ok(true)
}
