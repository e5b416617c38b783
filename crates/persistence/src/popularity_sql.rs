//! The popularity aggregate: distinct searchers per day, offered services
//! only, ranked per region — one statement, portable SQLite/PostgreSQL (the
//! day is the `searched_on` column the application writes).

/// Distinct searchers per (service, region, UTC day), summed per (service,
/// region) over `[from, to)`, with whether a live provider offers the service
/// in the region (the same candidates as search). Binds: from, to.
pub(crate) fn counted_sql() -> String {
    format!(
        "SELECT d.service_id, d.region, CAST(SUM(d.n) AS BIGINT) AS n,
        CASE WHEN EXISTS (
            SELECT 1 FROM service_providers p JOIN provider_services ps ON ps.provider_id = p.id
            WHERE p.region_code = d.region AND ps.service_id = d.service_id
              AND {live} AND ps.is_active = TRUE
        ) THEN 1 ELSE 0 END AS offered
    FROM (
        SELECT service_id, region, searched_on, COUNT(DISTINCT searcher_key) AS n
        FROM service_search_logs
        WHERE searched_at >= ? AND searched_at < ? AND region IS NOT NULL
        GROUP BY service_id, region, searched_on
    ) d
    GROUP BY d.service_id, d.region",
        live = crate::liveness::live_provider("p")
    )
}

/// The popularity upsert over [`counted_sql()`]: unoffered services rank last and
/// are never popular. Binds: from, to, top_k, min_searches, now, from, to.
pub(crate) fn recompute_sql() -> String {
    upsert_from(&format!("({})", counted_sql()))
}

/// PostgreSQL's first step: the counts into a transaction-local table. An
/// `INSERT … SELECT` never runs in parallel; `CREATE TABLE AS` does, so the
/// scan and the per-day distinct counts take the same plan as the bare
/// aggregate (docs/performance.md). A utility statement takes no binds: the
/// window is written as literals of the run's own instants.
pub(crate) fn counted_table_sql(from: &str, to: &str) -> String {
    let mut binds = [from, to].into_iter();
    let select: String = counted_sql()
        .split('?')
        .enumerate()
        .map(|(i, part)| match i {
            0 => part.to_owned(),
            _ => format!("TIMESTAMPTZ '{}'{part}", binds.next().unwrap_or_default()),
        })
        .collect();
    format!("CREATE TEMPORARY TABLE {COUNTED_TABLE} ON COMMIT DROP AS {select}")
}

/// The table of [`counted_table_sql`].
pub(crate) const COUNTED_TABLE: &str = "popularity_counted";

/// PostgreSQL's second step: the upsert over [`COUNTED_TABLE`]. Binds: from,
/// to, top_k, min_searches, now.
pub(crate) fn recompute_from_table_sql() -> String {
    upsert_from(COUNTED_TABLE)
}

/// The ranked upsert over `source` (a table or a parenthesised select of
/// [`counted_sql()`]'s columns).
fn upsert_from(source: &str) -> String {
    format!(
        "INSERT INTO service_region_popularity
        (service_id, region_code, search_count, window_start, window_end, is_popular, computed_at)
    SELECT service_id, region, n, ?, ?, (offered = 1 AND rn <= ? AND n >= ?), ?
    FROM (
        SELECT c.service_id, c.region, c.n, c.offered,
               ROW_NUMBER() OVER (PARTITION BY c.region ORDER BY c.offered DESC, c.n DESC, c.service_id) AS rn
        FROM {source} c
    ) counted
    WHERE TRUE
    ON CONFLICT (service_id, region_code) DO UPDATE SET
        search_count = excluded.search_count, window_start = excluded.window_start,
        window_end = excluded.window_end, is_popular = excluded.is_popular,
        computed_at = excluded.computed_at"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_counted_table_binds_the_window_as_literals() {
        let sql = counted_table_sql("2026-11-23T00:00:00.000000Z", "2026-11-30T00:00:00.000000Z");
        assert!(!sql.contains('?'), "{sql}");
        assert!(sql.contains(
            "searched_at >= TIMESTAMPTZ '2026-11-23T00:00:00.000000Z' \
             AND searched_at < TIMESTAMPTZ '2026-11-30T00:00:00.000000Z'"
        ));
        assert_eq!(recompute_from_table_sql().matches('?').count(), 5);
        assert_eq!(recompute_sql().matches('?').count(), 7);
    }
}
