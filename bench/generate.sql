-- Bench data for STM's schema (PostgreSQL), after `stm-api migrate` and
-- `stm-api seed` loaded the catalog (45 services, 50 regions).
-- psql variables: providers, customers, ratings, logs, anon_pool, user_pool.
-- Every provider is approved in region (n % 50), offers 6 services and has
-- its figures (rating_sum, rating_count, completed_jobs, response figures)
-- kept as the server keeps them on write.
\set ON_ERROR_STOP on
SET synchronous_commit = off;

-- Lookup tables of the bench only: the n-th region with one of its zipcodes,
-- the n-th service with its search keyword (the slug).
DROP TABLE IF EXISTS bench_zip, bench_kw;
CREATE TABLE bench_zip AS
SELECT row_number() OVER (ORDER BY code)::int AS n, code AS region_code,
       (SELECT p FROM json_array_elements_text(zip_prefixes::json) p LIMIT 1) || '01' AS zipcode
FROM regions;
ALTER TABLE bench_zip ADD PRIMARY KEY (n);
CREATE TABLE bench_kw AS
SELECT row_number() OVER (ORDER BY id)::int AS n, id AS service_id, slug AS keyword FROM services;
ALTER TABLE bench_kw ADD PRIMARY KEY (n);
CREATE UNIQUE INDEX ON bench_kw (keyword);
CREATE UNIQUE INDEX ON bench_zip (zipcode);
SELECT count(*) AS nkw FROM bench_kw \gset
SELECT count(*) AS nzip FROM bench_zip \gset

INSERT INTO users (email, password_hash, first_name, last_name, status)
SELECT 'bench-provider-' || g || '@bench.test', 'x', 'Pro', 'Vider ' || g, 'active'
FROM generate_series(1, :providers) g;
INSERT INTO users (email, password_hash, first_name, last_name, status)
SELECT 'bench-customer-' || g || '@bench.test', 'x', 'Cus', 'Tomer ' || g, 'active'
FROM generate_series(1, :customers) g;
INSERT INTO user_roles (user_id, role)
SELECT id, CASE WHEN email LIKE 'bench-provider-%' THEN 'provider' ELSE 'customer' END
FROM users WHERE email LIKE 'bench-%';

INSERT INTO service_providers (user_id, business_name, phone, zipcode, region_code, status, approved_at)
SELECT u.id, 'Bench Business ' || u.id, '+15555550100', z.zipcode, z.region_code, 'approved', now()
FROM users u
JOIN bench_zip z ON z.n = 1 + (u.id % :nzip)
WHERE u.email LIKE 'bench-provider-%';

-- Six distinct services per provider.
INSERT INTO provider_services (provider_id, service_id, is_active)
SELECT p.id, k.service_id, TRUE
FROM service_providers p
CROSS JOIN LATERAL (SELECT DISTINCT 1 + ((p.id * 7 + i * 11) % :nkw) AS n
                    FROM generate_series(0, 5) i) pick
JOIN bench_kw k ON k.n = pick.n;

-- Completed and paid jobs, one rating each.
CREATE TEMP TABLE bench_jobs AS
SELECT g, (SELECT min(id) FROM service_providers) + (g * 7919) % (SELECT count(*) FROM service_providers) AS provider_id,
       (SELECT min(id) FROM users WHERE email LIKE 'bench-customer-%') + (g % :customers) AS customer_id
FROM generate_series(1, :ratings) g;
INSERT INTO jobs (customer_id, provider_id, service_id, status, description, zipcode, region_code,
                  response_deadline, responded_at, completed_at, paid_at, price_cents)
SELECT b.customer_id, p.id, ps.service_id, 'paid', 'bench job ' || b.g, p.zipcode, p.region_code,
       now() - interval '30 days', now() - interval '30 days', now() - interval '20 days',
       now() - interval '19 days', 10000
FROM bench_jobs b
JOIN service_providers p ON p.id = b.provider_id
CROSS JOIN LATERAL (SELECT service_id FROM provider_services WHERE provider_id = p.id LIMIT 1) ps;
INSERT INTO ratings_feedback (job_id, customer_id, provider_id, rating, punctuality_rating, response_time)
SELECT id, customer_id, provider_id, 1 + (id * 31) % 5, 1 + (id * 17) % 5, 1 + (id * 13) % 5 FROM jobs;

UPDATE service_providers p SET rating_sum = r.s, rating_count = r.c, completed_jobs = r.c,
       median_response_minutes = 5 + p.id % 120, response_rate = (p.id % 100) / 100.0,
       stats_refreshed_at = now()
FROM (SELECT provider_id, sum(rating) AS s, count(*) AS c FROM ratings_feedback GROUP BY provider_id) r
WHERE r.provider_id = p.id;

-- Search logs over the popularity window, in time order as traffic writes
-- them: most searchers anonymous (a daily key per client), a minority
-- signed in (a key per user).
INSERT INTO service_search_logs (service_id, region, zipcode, searcher_key, searched_on, searched_at)
SELECT k.service_id, z.region_code, z.zipcode,
       CASE WHEN g % 5 = 0 THEN md5('user:' || (hashint % :user_pool))
            ELSE md5('anon:' || (hashint % :anon_pool) || ':' || (at AT TIME ZONE 'UTC')::date) END,
       (at AT TIME ZONE 'UTC')::date, at
FROM (
    SELECT g, now() - interval '7 days' + (g * interval '7 days' / :logs) AS at,
           abs(hashint4(g)) AS hashint,
           1 + abs(hashint4(g + 1)) % :nkw AS kn, 1 + abs(hashint4(g + 2)) % :nzip AS zn
    FROM generate_series(1, :logs) g
) s
JOIN bench_kw k ON k.n = s.kn
JOIN bench_zip z ON z.n = s.zn;

ANALYZE;
