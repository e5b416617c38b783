-- The bare SQL of the popularity computation: distinct searchers per
-- (service, region, UTC day) over the 7-day window, summed per (service,
-- region). What the server's recompute must stay within 1.2x of.
SELECT service_id, region, sum(n) AS searches
FROM (
    SELECT service_id, region, searched_on, count(DISTINCT searcher_key) AS n
    FROM service_search_logs
    WHERE searched_at >= now() - interval '7 days' AND searched_at < now() + interval '1 day'
      AND region IS NOT NULL
    GROUP BY service_id, region, searched_on
) d
GROUP BY service_id, region;
