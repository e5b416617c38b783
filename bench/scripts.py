"""Writes the pgbench scripts of the bench, one per region (the zipcode is a
literal, as it is in a request; the keyword is drawn per transaction):

- floor-<n>.sql: the simplest correct search as one prepared statement —
  zip -> region, keyword -> service, the log INSERT, top 20 by average rating;
- server-<n>.sql: the server's own statements for a first page, as printed by
  `stm-api sql search`, with the values a request binds.

usage: scripts.py <database url> <output dir>   (server.sql already in the dir)
"""
import subprocess
import sys

url, out = sys.argv[1], sys.argv[2]


def query(sql):
    rows = subprocess.run(["psql", url, "-XAtc", sql], check=True, capture_output=True, text=True).stdout
    return [line.split("|") for line in rows.splitlines() if line]


zips = query("SELECT n, region_code, zipcode FROM bench_zip ORDER BY n")
ids = [int(r[0]) for r in query("SELECT service_id FROM bench_kw ORDER BY n")]
if ids != list(range(ids[0], ids[0] + len(ids))):
    sys.exit("scripts.py: service ids are not contiguous; the keyword draw assumes they are")
offset = ids[0] - 1

FLOOR = """\\set k random(1, :nkw)
WITH log AS (INSERT INTO service_search_logs (service_id, region, zipcode, searcher_key, searched_on, searched_at)
             VALUES ((SELECT service_id FROM bench_kw WHERE n = :k),
                     (SELECT region_code FROM bench_zip WHERE zipcode = '{zip}'),
                     '{zip}', 'bench-searcher', CURRENT_DATE, now()))
SELECT p.id, p.business_name, p.rating_sum::float8 / NULLIF(p.rating_count, 0) AS rating_avg
FROM service_providers p JOIN provider_services ps ON ps.provider_id = p.id
WHERE p.region_code = (SELECT region_code FROM bench_zip WHERE zipcode = '{zip}')
  AND ps.service_id = (SELECT service_id FROM bench_kw WHERE n = :k)
  AND p.status = 'approved' AND p.is_deleted = FALSE AND ps.is_active = TRUE
ORDER BY rating_avg DESC NULLS LAST, p.id LIMIT 20;
"""

# server.sql: statements separated by a line ";", each preceded by a line
# "-- params: name name ..." naming its `?` placeholders in order.
statements = []
params = None
body = []
for line in open(f"{out}/server.sql"):
    if line.startswith("-- params:"):
        params = line.split(":", 1)[1].split()
    elif line.strip() == ";":
        statements.append((params, "".join(body)))
        params, body = None, []
    else:
        body.append(line)
if not statements:
    sys.exit("scripts.py: `stm-api sql search` printed no statement")

I64_MAX = str(2**63 - 1)
for n, region, zipcode in zips:
    with open(f"{out}/floor-{n}.sql", "w") as f:
        f.write(FLOOR.format(zip=zipcode))
    values = {
        "region": f"'{region}'",
        "service_id": ":sid",
        "zipcode": f"'{zipcode}'",
        "searcher_key": "'bench-searcher'",
        "searched_on": "CURRENT_DATE",
        "searched_at": "now()",
        "after_score": I64_MAX,
        "after_rate": "1.7976931348623157e308",
        "after_completed": I64_MAX,
        "after_id": "0",
        "limit": "21",
    }
    with open(f"{out}/server-{n}.sql", "w") as f:
        f.write(f"\\set k random(1, :nkw)\n\\set sid :k + {offset}\n")
        for names, sql in statements:
            parts = sql.split("?")
            if len(parts) - 1 != len(names):
                sys.exit(f"scripts.py: {len(parts) - 1} placeholders but {len(names)} names")
            text = parts[0] + "".join(values[name] + part for name, part in zip(names, parts[1:]))
            # pgbench: one statement per line.
            f.write(" ".join(text.split()) + ";\n")
