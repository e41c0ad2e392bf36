// Sync chat history from chatemu with Node 20's built-ins only (fetch, zlib, crypto).
//
//     node history-sync.mjs [BASE_URL]      # default: $CHATEMU_URL, else http://127.0.0.1:8080
//
// Reads credentials from the control API, walks a Yunxin chatroom history to
// its end (checking one attachment's md5), then downloads an Easemob hourly
// archive, moving the emulator's clock until the hour is archived. Prints a
// summary; exits 1 on any mismatch. Set CHATEMU_CONTROL_TOKEN when the
// emulator runs with --control-token.
import { createHash, randomBytes } from "node:crypto";
import { gunzipSync } from "node:zlib";

const base = (process.argv[2] ?? process.env.CHATEMU_URL ?? "http://127.0.0.1:8080").replace(/\/+$/, "");

function fail(why) {
  console.error(`FAIL: ${why}`);
  process.exit(1);
}

// http returns {status, body (a Buffer), reason}; 4xx/5xx are answers, not exceptions.
async function http(method, url, headers = {}, json) {
  const init = { method, headers: { ...headers } };
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers["Content-Type"] = "application/json";
  }
  const resp = await fetch(url, init);
  const body = Buffer.from(await resp.arrayBuffer());
  return { status: resp.status, body, reason: resp.headers.get("X-Chatemu-Reason") ?? "" };
}

// control calls chatemu's own API under /_chatemu/, with the control token if there is one.
async function control(method, path, json) {
  const token = process.env.CHATEMU_CONTROL_TOKEN;
  const r = await http(method, `${base}/_chatemu/${path}`, token ? { Authorization: `Bearer ${token}` } : {}, json);
  if (r.status !== 200) fail(`${method} /_chatemu/${path}: HTTP ${r.status} ${r.body} ${r.reason}`);
  return JSON.parse(r.body);
}

const hex = (algorithm, data) => createHash(algorithm).update(data).digest("hex");

// yunxinWalk walks one sender's history in the first open room to its end.
async function yunxinWalk(app) {
  const room = app.chatrooms.find((r) => r.status === "open").id;
  const sender = app.accounts[0];
  let count = 0, pages = 0, token = null, attachment = null;
  for (;;) {
    const query = new URLSearchParams({ sender_id: sender, limit: "100" });
    if (token) query.set("page_token", token);
    const nonce = randomBytes(16).toString("hex");
    const curTime = String(Math.floor(Date.now() / 1000)); // CurTime: wall-clock seconds
    const headers = { AppKey: app.appkey, Nonce: nonce, CurTime: curTime, CheckSum: hex("sha1", app.app_secret + nonce + curTime) };
    const r = await http("GET", `${app.base_url}/im/v2/chatrooms/${room}/messages?${query}`, headers);
    const page = JSON.parse(r.body);
    // Yunxin errors are HTTP 200 with a code.
    if (r.status !== 200 || page.code !== 200) fail(`yunxin history: HTTP ${r.status} ${r.body} ${r.reason}`);
    pages++;
    for (const item of page.data.items) {
      count++;
      if (item.sender_id !== sender) fail(`yunxin: sender mismatch: ${item.sender_id} in ${sender}'s history`);
      if (!attachment && item.attachment?.md5) attachment = item.attachment;
    }
    if (!page.data.has_more) break;
    token = page.data.next_token;
  }
  if (!attachment) fail("yunxin: no message with a file attachment to check");
  const file = await http("GET", attachment.url);
  const md5 = hex("md5", file.body);
  if (file.status !== 200 || md5 !== attachment.md5 || file.body.length !== attachment.size) {
    fail(`yunxin attachment mismatch: HTTP ${file.status}, ${file.body.length} bytes md5 ${md5}, ` +
      `history says ${attachment.size} bytes md5 ${attachment.md5} ${file.reason}`);
  }
  console.log(`yunxin: app=${app.appkey} room=${room} sender=${sender} messages=${count} pages=${pages}`);
  console.log(`yunxin: attachment bytes=${file.body.length} md5=${md5} ok`);
}

// easemobArchive downloads the archive of the last whole hour before the emulator's now.
async function easemobArchive(app) {
  const orgApp = `${app.base_url}/${app.org}/${app.app}`;
  const t = await http("POST", `${orgApp}/token`, {},
    { grant_type: "client_credentials", client_id: app.client_id, client_secret: app.client_secret });
  if (t.status !== 200) fail(`easemob token: HTTP ${t.status} ${t.body} ${t.reason}`);
  const auth = { Authorization: `Bearer ${JSON.parse(t.body).access_token}` };

  const now = Date.parse((await control("GET", "clock")).now);
  const start = now - (now % 3_600_000) - 3_600_000;
  const offset = app.cluster === "cn" ? 8 * 3_600_000 : 0; // Beijing time has no DST
  const hour = new Date(start + offset).toISOString().slice(0, 13).replace(/\D/g, ""); // yyyyMMddHH

  let advances = 0, r, body;
  for (;;) {
    r = await http("GET", `${orgApp}/chatmessages/${hour}`, auth);
    body = JSON.parse(r.body);
    if (r.status === 200 || r.status === 404) break; // 404 storage_object_not_found: no message that hour
    // 400 illegal_argument "... expired or unstored": not archived yet. Move the clock, don't sleep.
    if (r.status !== 400 || body.error !== "illegal_argument" || advances === 5) {
      fail(`easemob chatmessages/${hour}: HTTP ${r.status} ${r.body} ${r.reason}`);
    }
    await control("POST", "clock", { advance: "2h" });
    advances++;
  }

  let records = 0;
  if (r.status === 200) {
    const gz = await http("GET", body.data[0].url); // a signed OSS link: no token
    if (gz.status !== 200) fail(`easemob archive download: HTTP ${gz.status} ${gz.body} ${gz.reason}`);
    for (const line of gunzipSync(gz.body).toString("utf8").split("\n")) {
      if (!line.trim()) continue;
      const record = JSON.parse(line);
      if (record.timestamp < start || record.timestamp >= start + 3_600_000) {
        fail(`easemob: record ${record.msg_id} at ${record.timestamp} is outside hour ${hour}`);
      }
      records++;
    }
  }
  console.log(`easemob: app=${app.org}/${app.app} hour=${hour} cluster=${app.cluster} records=${records} clock_advances=${advances}`);
}

const tenants = await control("GET", "tenants");
await yunxinWalk(tenants.yunxin[0]);
await easemobArchive(tenants.easemob[0]);
console.log("OK");
