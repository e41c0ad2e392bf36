#!/usr/bin/env python3
"""Sync chat history from chatemu with the Python standard library only.

    python3 history_sync.py [BASE_URL]      # default: $CHATEMU_URL, else http://127.0.0.1:8080

Reads credentials from the control API, walks a Yunxin chatroom history to
its end (checking one attachment's md5), then downloads an Easemob hourly
archive, moving the emulator's clock until the hour is archived. Prints a
summary; exits 1 on any mismatch. Set CHATEMU_CONTROL_TOKEN when the
emulator runs with --control-token.
"""
import datetime as dt
import gzip
import hashlib
import json
import os
import secrets
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


def fail(why):
    sys.exit(f"FAIL: {why}")


def said(status, data, reason):
    """Describes an answer for an error message."""
    return f"HTTP {status} {data[:500].decode(errors='replace')} {reason}".strip()


def http(method, url, headers=None, body=None):
    """Returns (status, body bytes, X-Chatemu-Reason); 4xx/5xx are answers, not exceptions."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, resp.read(), resp.headers.get("X-Chatemu-Reason", "")
    except urllib.error.HTTPError as err:
        return err.code, err.read(), err.headers.get("X-Chatemu-Reason", "")


def control(base, method, path, body=None):
    """Calls chatemu's own API under /_chatemu/, with the control token if there is one."""
    token = os.environ.get("CHATEMU_CONTROL_TOKEN")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    status, data, reason = http(method, f"{base}/_chatemu/{path}", headers, body)
    if status != 200:
        fail(f"{method} /_chatemu/{path}: {said(status, data, reason)}")
    return json.loads(data)


def yunxin_walk(app):
    """Walks one sender's history in the first open room; returns (room, sender, messages, pages)."""
    room = next(r["id"] for r in app["chatrooms"] if r["status"] == "open")
    sender = app["accounts"][0]
    count, pages, token, attachment = 0, 0, None, None
    while True:
        query = {"sender_id": sender, "limit": 100}
        if token:
            query["page_token"] = token
        nonce, cur_time = secrets.token_hex(16), str(int(time.time()))  # CurTime: wall-clock seconds
        checksum = hashlib.sha1((app["app_secret"] + nonce + cur_time).encode()).hexdigest()
        headers = {"AppKey": app["appkey"], "Nonce": nonce, "CurTime": cur_time, "CheckSum": checksum}
        url = f"{app['base_url']}/im/v2/chatrooms/{room}/messages?{urllib.parse.urlencode(query)}"
        status, data, reason = http("GET", url, headers)
        page = json.loads(data)
        if status != 200 or page["code"] != 200:  # Yunxin errors are HTTP 200 with a code
            fail(f"yunxin history: {said(status, data, reason)}")
        pages += 1
        for item in page["data"]["items"]:
            count += 1
            if item["sender_id"] != sender:
                fail(f"yunxin: sender mismatch: {item['sender_id']} in {sender}'s history")
            if attachment is None and "md5" in item.get("attachment", {}):
                attachment = item["attachment"]
        if not page["data"]["has_more"]:
            break
        token = page["data"]["next_token"]
    if attachment is None:
        fail("yunxin: no message with a file attachment to check")
    status, blob, reason = http("GET", attachment["url"])
    md5 = hashlib.md5(blob).hexdigest()
    if status != 200 or md5 != attachment["md5"] or len(blob) != attachment["size"]:
        fail(f"yunxin attachment mismatch: HTTP {status}, {len(blob)} bytes md5 {md5}, "
             f"history says {attachment['size']} bytes md5 {attachment['md5']} {reason}")
    print(f"yunxin: app={app['appkey']} room={room} sender={sender} messages={count} pages={pages}")
    print(f"yunxin: attachment bytes={len(blob)} md5={md5} ok")


def easemob_archive(base, app):
    """Downloads the archive of the last whole hour before the emulator's now."""
    org_app = f"{app['base_url']}/{app['org']}/{app['app']}"
    status, data, reason = http("POST", f"{org_app}/token", body={
        "grant_type": "client_credentials", "client_id": app["client_id"], "client_secret": app["client_secret"]})
    if status != 200:
        fail(f"easemob token: {said(status, data, reason)}")
    auth = {"Authorization": "Bearer " + json.loads(data)["access_token"]}

    now = dt.datetime.fromisoformat(control(base, "GET", "clock")["now"].replace("Z", "+00:00"))
    start = now.replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=1)
    zone = dt.timezone(dt.timedelta(hours=8 if app["cluster"] == "cn" else 0))  # Beijing has no DST
    hour = start.astimezone(zone).strftime("%Y%m%d%H")

    advances = 0
    while True:
        status, data, reason = http("GET", f"{org_app}/chatmessages/{hour}", auth)
        body = json.loads(data)
        if status == 200 or status == 404:  # 404 storage_object_not_found: no message that hour
            break
        # 400 illegal_argument "... expired or unstored": not archived yet. Move the clock, don't sleep.
        if status != 400 or body.get("error") != "illegal_argument" or advances == 5:
            fail(f"easemob chatmessages/{hour}: {said(status, data, reason)}")
        control(base, "POST", "clock", {"advance": "2h"})
        advances += 1

    records = 0
    if status == 200:
        status, gz, reason = http("GET", body["data"][0]["url"])  # a signed OSS link: no token
        if status != 200:
            fail(f"easemob archive download: {said(status, gz, reason)}")
        lo, hi = start.timestamp() * 1000, start.timestamp() * 1000 + 3600_000
        for line in gzip.decompress(gz).splitlines():
            if line.strip():
                record = json.loads(line)
                if not lo <= record["timestamp"] < hi:
                    fail(f"easemob: record {record['msg_id']} at {record['timestamp']} is outside hour {hour}")
                records += 1
    print(f"easemob: app={app['org']}/{app['app']} hour={hour} cluster={app['cluster']} "
          f"records={records} clock_advances={advances}")


def main():
    base = (sys.argv[1] if len(sys.argv) > 1 else os.environ.get("CHATEMU_URL", "http://127.0.0.1:8080")).rstrip("/")
    tenants = control(base, "GET", "tenants")
    yunxin_walk(tenants["yunxin"][0])
    easemob_archive(base, tenants["easemob"][0])
    print("OK")


if __name__ == "__main__":
    main()
