"""Turns one pgbench or wrk run into a JSON line of raw.jsonl.

usage: parse.py pgbench <name> <conns> <dir> <log rows written>
       parse.py wrk <name> <conns> <wrk output> <log rows written> <cpu ticks> <ticks per s> <peak rss KiB>
"""
import glob
import json
import re
import sys


def percentile(values, q):
    values = sorted(values)
    if not values:
        return None
    return values[min(len(values) - 1, int(q * len(values)))]


def ms(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


kind, name, conns = sys.argv[1], sys.argv[2], int(sys.argv[3])
if kind == "pgbench":
    directory, rows = sys.argv[4], int(sys.argv[5])
    text = open(f"{directory}/out.txt").read()
    tps = float(re.search(r"tps = ([\d.]+) \(without initial connection time\)", text).group(1))
    done = int(re.search(r"number of transactions actually processed: (\d+)", text).group(1))
    failed = re.search(r"number of failed transactions: (\d+)", text)
    latencies = []
    for path in glob.glob(f"{directory}/pgbench_log*"):
        for line in open(path):
            fields = line.split()
            latencies.append(int(fields[2]) / 1000.0)
    result = {
        "kind": "search", "contender": name, "conns": conns, "rps": tps, "answered": done,
        "errors": int(failed.group(1)) if failed else 0, "log_rows": rows,
        "p50_ms": percentile(latencies, 0.50), "p99_ms": percentile(latencies, 0.99),
    }
else:
    path, rows, ticks, hz, hwm = sys.argv[4], int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7]), int(sys.argv[8])
    text = open(path).read()
    answered = int(re.search(r"(\d+) requests in", text).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, socket.groups())) if socket else 0)
    result = {
        "kind": "search", "contender": name, "conns": conns,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),
        "answered": answered, "errors": errors, "log_rows": rows,
        "p50_ms": ms(re.search(r"\s50%\s+([\d.]+\w+)", text).group(1)),
        "p99_ms": ms(re.search(r"\s99%\s+([\d.]+\w+)", text).group(1)),
        "cpu_ms_per_request": (ticks / hz * 1000.0 / answered) if answered else None,
        "hwm_kib": hwm,
    }
print(json.dumps(result))
