#!/usr/bin/env python3
"""Socket generator: N WebSockets of one user replay a backlog at once.

Used by bench/sockets (which starts the server); prints one JSON line with the
server's resident memory before, at its peak during the replay, and after.
Arguments: base URL, server pid, sockets, backlog events, customer e-mail,
password, admin e-mail, admin password.
"""
import asyncio
import json
import sys
import time
import urllib.request

import websockets


def call(base, method, path, token=None, body=None):
    req = urllib.request.Request(base + path, method=method)
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", "Bearer " + token)
    data = json.dumps(body).encode() if body is not None else None
    with urllib.request.urlopen(req, data, timeout=30) as r:
        raw = r.read()
        return json.loads(raw) if raw else None


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


async def replay(url, want):
    got = 0
    async with websockets.connect(url, max_size=2**20, open_timeout=60) as ws:
        while got < want:
            frame = json.loads(await asyncio.wait_for(ws.recv(), 120))
            if "seq" in frame:
                got += 1
    return got


async def main():
    base, pid, sockets, backlog, email, password, admin, admin_pw = sys.argv[1:9]
    pid, sockets, backlog = int(pid), int(sockets), int(backlog)
    api = base + "/api/v1"
    admin_token = call(api, "POST", "/auth/login", body={"email": admin, "password": admin_pw})["access_token"]
    call(api, "PATCH", "/admin/settings", admin_token, {"chat_posts_per_minute": 10000})
    token = call(api, "POST", "/auth/login", body={"email": email, "password": password})["access_token"]
    thread = call(api, "GET", "/threads?limit=1", token)["items"][0]["id"]
    for i in range(backlog):
        call(api, "POST", f"/threads/{thread}/messages", token, {"body": f"backlog message {i} " + "x" * 200})
    events = call(api, "GET", "/events?limit=1", token)
    before = rss_kib(pid)
    peak = before
    url = base.replace("http", "ws", 1) + f"/api/v1/ws?after=0&access_token={token}"
    started = time.monotonic()
    task = asyncio.gather(*(replay(url, backlog) for _ in range(sockets)))
    while not task.done():
        peak = max(peak, rss_kib(pid))
        await asyncio.sleep(0.05)
    delivered = sum(task.result())
    seconds = time.monotonic() - started
    await asyncio.sleep(1)
    after = rss_kib(pid)
    print(json.dumps({
        "sockets": sockets, "backlog_events": backlog, "delivered": delivered,
        "seconds": round(seconds, 2), "rss_before_mib": round(before / 1024, 1),
        "rss_peak_mib": round(peak / 1024, 1), "rss_after_mib": round(after / 1024, 1),
        "first_event_seen": bool(events and events.get("items")),
    }))


asyncio.run(main())
