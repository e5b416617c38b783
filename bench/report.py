"""Writes the Markdown table of one bench run from raw.jsonl (medians over
rounds; every ratio is against the floor of the same run).

usage: report.py <raw.jsonl> <quick 0|1>
"""
import json
import statistics
import sys

rows = [json.loads(line) for line in open(sys.argv[1])]
quick = sys.argv[2] == "1"


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value, digits=2):
    return "–" if value is None else f"{value:.{digits}f}"


out = []
if quick:
    out.append("> quick run on tiny data: checks that the tool works; its figures mean nothing.\n")
gen = [r for r in rows if r["kind"] == "generate"]
if gen:
    out.append(f"Data generated in {gen[0]['seconds']:.0f} s.\n")
searches = [r for r in rows if r["kind"] == "search"]
out.append("| connections | contender | searches/s | share of floor | p50 ms | p99 ms | p99 / floor's | errors | answered | log rows |")
out.append("|---|---|---|---|---|---|---|---|---|---|")
for conns in sorted({r["conns"] for r in searches}):
    by = {}
    for r in searches:
        if r["conns"] == conns:
            by.setdefault(r["contender"], []).append(r)
    floor_rps = med([r["rps"] for r in by.get("floor", [])])
    floor_p99 = med([r["p99_ms"] for r in by.get("floor", [])])
    for name, label in (("floor", "bare SQL, simplest search (pgbench)"),
                        ("statements", "server's statements (pgbench)"),
                        ("server", "stm-api (wrk)"),
                        ("available", "stm-api, `available_on` (wrk)"),
                        ("baseline", "stm-api baseline build (wrk)")):
        runs = by.get(name, [])
        if not runs:
            continue
        rps, p99 = med([r["rps"] for r in runs]), med([r["p99_ms"] for r in runs])
        share = rps / floor_rps if floor_rps else None
        p99_ratio = p99 / floor_p99 if floor_p99 and p99 else None
        out.append(
            f"| {conns} | {label} | {rps:.0f} | {fmt(share)} | {fmt(med([r['p50_ms'] for r in runs]))} | "
            f"{fmt(p99)} | {fmt(p99_ratio)} | {sum(r['errors'] for r in runs)} | "
            f"{sum(r['answered'] for r in runs)} | {sum(r['log_rows'] for r in runs)} |")
server = [r for r in searches if r["contender"] == "server"]
start = [r for r in rows if r["kind"] == "server_start"]
idle = [r for r in rows if r["kind"] == "server_idle"]
peak = [r for r in rows if r["kind"] == "server_peak"]
out.append("")
if start:
    out.append(f"- server ready in {start[0]['seconds'] * 1000:.0f} ms (start to `/readyz`), RSS {start[0]['rss_kib'] / 1024:.1f} MiB")
if idle:
    out.append(f"- server RSS idle after warm-up: {idle[0]['rss_kib'] / 1024:.1f} MiB")
if peak:
    out.append(f"- server peak RSS (VmHWM) over the whole search load: {peak[0]['hwm_kib'] / 1024:.1f} MiB")
for conns in sorted({r["conns"] for r in server}):
    cpu = med([r["cpu_ms_per_request"] for r in server if r["conns"] == conns])
    out.append(f"- server CPU per request at {conns} connections: {fmt(cpu, 3)} ms")
available = [r for r in searches if r["contender"] == "available"]
for conns in sorted({r["conns"] for r in available}):
    plain = [r for r in server if r["conns"] == conns]
    avail = [r for r in available if r["conns"] == conns]
    rps, arps = med([r["rps"] for r in plain]), med([r["rps"] for r in avail])
    p99, ap99 = med([r["p99_ms"] for r in plain]), med([r["p99_ms"] for r in avail])
    out.append(f"- `available_on` against plain search at {conns} connections: throughput "
               f"{fmt(arps / rps if rps else None)}×, p99 {fmt(ap99 / p99 if p99 else None)}× "
               f"(CPU per request {fmt(med([r['cpu_ms_per_request'] for r in avail]), 3)} ms)")
base = [r for r in searches if r["contender"] == "baseline"]
if base:
    out.append("")
    out.append("This build against the baseline build, alternated in this run (ratio = this / baseline):")
    out.append("")
    out.append("| connections | searches/s | baseline searches/s | ratio | p99 ms | baseline p99 ms | ratio | CPU ms/request | baseline | peak RSS MiB | baseline |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for conns in sorted({r["conns"] for r in base}):
        now_runs = [r for r in server if r["conns"] == conns]
        old_runs = [r for r in base if r["conns"] == conns]
        rps, brps = med([r["rps"] for r in now_runs]), med([r["rps"] for r in old_runs])
        p99, bp99 = med([r["p99_ms"] for r in now_runs]), med([r["p99_ms"] for r in old_runs])
        cpu, bcpu = (med([r["cpu_ms_per_request"] for r in runs]) for runs in (now_runs, old_runs))
        hwm, bhwm = (max(r["hwm_kib"] for r in runs) / 1024 for runs in (now_runs, old_runs))
        out.append(
            f"| {conns} | {rps:.0f} | {brps:.0f} | {fmt(rps / brps if brps else None)} | {fmt(p99)} | {fmt(bp99)} | "
            f"{fmt(p99 / bp99 if bp99 else None)} | {fmt(cpu, 3)} | {fmt(bcpu, 3)} | {hwm:.1f} | {bhwm:.1f} |")
pop = [r for r in rows if r["kind"] == "popularity"]
if pop:
    out.append("")
    out.append("| popularity, logs in | bare aggregate ms | server recompute ms | ratio |")
    out.append("|---|---|---|---|")
    for order in ("time", "random"):
        bare = med([r["ms"] for r in pop if r["order"] == order and r["contender"] == "bare"])
        srv = med([r["ms"] for r in pop if r["order"] == order and r["contender"] == "server"])
        if bare is not None and srv is not None:
            out.append(f"| {order} order | {bare:.0f} | {srv:.0f} | {srv / bare:.2f} |")
    if any(r["contender"] == "baseline" for r in pop):
        out.append("")
        out.append("| popularity, logs in | server recompute ms | baseline recompute ms | ratio |")
        out.append("|---|---|---|---|")
        for order in ("time", "random"):
            srv = med([r["ms"] for r in pop if r["order"] == order and r["contender"] == "server"])
            old = med([r["ms"] for r in pop if r["order"] == order and r["contender"] == "baseline"])
            if srv is not None and old:
                out.append(f"| {order} order | {srv:.0f} | {old:.0f} | {srv / old:.2f} |")
print("\n".join(out))
