//! The popularity aggregate: distinct searchers per day, offered services
//! only, ranked per region — one statement, portable SQLite/PostgreSQL (the
//! day is the `searched_on` column the application writes).

/// Distinct searchers per (service, region, UTC day), summed per (service,
/// region) over `[from, to)`, with whether a live provider offers the service
/// in the region (the same candidates as search). Binds: from, to.
pub(crate) const COUNTED_SQL: &str = "SELECT d.service_id, d.region, CAST(SUM(d.n) AS BIGINT) AS n,
        CASE WHEN EXISTS (
            SELECT 1 FROM service_providers p JOIN provider_services ps ON ps.provider_id = p.id
            WHERE p.region_code = d.region AND ps.service_id = d.service_id
              AND p.status = 'approved' AND p.is_deleted = FALSE AND ps.is_active = TRUE
        ) THEN 1 ELSE 0 END AS offered
    FROM (
        SELECT service_id, region, searched_on, COUNT(DISTINCT searcher_key) AS n
        FROM service_search_logs
        WHERE searched_at >= ? AND searched_at < ? AND region IS NOT NULL
        GROUP BY service_id, region, searched_on
    ) d
    GROUP BY d.service_id, d.region";

/// The popularity upsert over [`COUNTED_SQL`]: unoffered services rank last and
/// are never popular. Binds: from, to, top_k, min_searches, now, from, to.
pub(crate) fn recompute_sql() -> String {
    format!(
        "INSERT INTO service_region_popularity
        (service_id, region_code, search_count, window_start, window_end, is_popular, computed_at)
    SELECT service_id, region, n, ?, ?, (offered = 1 AND rn <= ? AND n >= ?), ?
    FROM (
        SELECT c.service_id, c.region, c.n, c.offered,
               ROW_NUMBER() OVER (PARTITION BY c.region ORDER BY c.offered DESC, c.n DESC, c.service_id) AS rn
        FROM ({COUNTED_SQL}) c
    ) counted
    WHERE TRUE
    ON CONFLICT (service_id, region_code) DO UPDATE SET
        search_count = excluded.search_count, window_start = excluded.window_start,
        window_end = excluded.window_end, is_popular = excluded.is_popular,
        computed_at = excluded.computed_at"
    )
}
