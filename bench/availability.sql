-- Hours and bookings for every bench provider (after generate.sql), so that a
-- search with `available_on` has real schedules to read (issue 19).
-- psql variable: day, the searched day (a weekday, past the minimum notice).
-- Every provider works weekdays 09:00-17:00 and Saturdays 10:00-13:00 in its
-- region's zone, keeps the flexible, moderate or strict policy in turn, and
-- has jobs booked (accepted: in_progress) on `day`: three one-hour slots (10:00, 12:00,
-- 14:00) for most, all eight for one provider in ten, drawn by a hash of its id
-- (who then has no free slot that day and drops out of the search).
\set ON_ERROR_STOP on
SET synchronous_commit = off;

INSERT INTO provider_schedules (provider_id, cancellation_policy, updated_at)
SELECT id, (ARRAY['flexible', 'moderate', 'strict'])[1 + id % 3], now()
FROM service_providers;

INSERT INTO provider_availability_rules (provider_id, weekday, start_minute, end_minute)
SELECT p.id, d, 540, 1020 FROM service_providers p CROSS JOIN generate_series(1, 5) d
UNION ALL
SELECT p.id, 6, 600, 780 FROM service_providers p;

CREATE TEMP TABLE bench_bookings AS
SELECT p.id AS provider_id, p.zipcode, p.region_code,
       (SELECT service_id FROM provider_services WHERE provider_id = p.id ORDER BY service_id LIMIT 1) AS service_id,
       ((:'day'::date + make_time(h, 0, 0)) AT TIME ZONE r.time_zone) AS start_at
FROM service_providers p
JOIN regions r ON r.code = p.region_code
CROSS JOIN LATERAL unnest(CASE WHEN abs(hashint4(p.id::int)) % 10 = 0 THEN ARRAY[9, 10, 11, 12, 13, 14, 15, 16]
                               ELSE ARRAY[10, 12, 14] END) h;

WITH booked AS (
  INSERT INTO jobs (customer_id, provider_id, service_id, status, description, zipcode, region_code,
                    scheduled_at, response_deadline, responded_at, price_cents)
  SELECT c.first + b.provider_id % c.n,
         b.provider_id, b.service_id, 'in_progress', 'bench booking', b.zipcode, b.region_code,
         b.start_at, now() + interval '1 day', now(), 10000
  FROM bench_bookings b,
       (SELECT min(id) AS first, count(*) AS n FROM users WHERE email LIKE 'bench-customer-%') c
  RETURNING id, provider_id, scheduled_at
)
INSERT INTO slot_holds (provider_id, job_id, kind, slot_start, start_at, end_at)
SELECT provider_id, id, 'booking', scheduled_at, scheduled_at, scheduled_at + interval '1 hour'
FROM booked;

ANALYZE provider_schedules;
ANALYZE provider_availability_rules;
ANALYZE slot_holds;
ANALYZE jobs;
