// Sync chat history from chatemu with Java 17's JDK only (java.net.http), as a single-file program.
//
//     java HistorySync.java [BASE_URL]      # default: $CHATEMU_URL, else http://127.0.0.1:8080
//
// Reads credentials from the control API, walks a Yunxin chatroom history to
// its end (checking one attachment's md5), then downloads an Easemob hourly
// archive, moving the emulator's clock until the hour is archived. Prints a
// summary; exits 1 on any mismatch. Set CHATEMU_CONTROL_TOKEN when the
// emulator runs with --control-token. The JDK has no JSON parser: Json below
// is a minimal one; a real project would use Jackson or Gson.
import java.io.*;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.*;
import java.nio.charset.StandardCharsets;
import java.security.*;
import java.time.*;
import java.time.format.DateTimeFormatter;
import java.util.*;
import java.util.zip.GZIPInputStream;

public class HistorySync {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static String base;

    record Resp(int status, byte[] body, String reason) {
        Map<String, Object> json() { return Json.obj(Json.parse(new String(body, StandardCharsets.UTF_8))); }
        public String toString() { return "HTTP " + status + " " + new String(body, StandardCharsets.UTF_8) + " " + reason; }
    }

    static Resp http(String method, String url, Map<String, String> headers, String json) throws Exception {
        var req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60));
        headers.forEach(req::header);
        if (json != null) req.header("Content-Type", "application/json");
        req.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        var resp = HTTP.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
        return new Resp(resp.statusCode(), resp.body(), resp.headers().firstValue("X-Chatemu-Reason").orElse(""));
    }

    /** Calls chatemu's own API under /_chatemu/, with the control token if there is one. */
    static Map<String, Object> control(String method, String path, String json) throws Exception {
        var token = System.getenv("CHATEMU_CONTROL_TOKEN");
        var r = http(method, base + "/_chatemu/" + path, token == null ? Map.of() : Map.of("Authorization", "Bearer " + token), json);
        if (r.status() != 200) fail(method + " /_chatemu/" + path + ": " + r);
        return r.json();
    }

    static void fail(String why) { System.err.println("FAIL: " + why); System.exit(1); }

    static String hex(String algorithm, byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(data));
    }

    /** Walks one sender's history in the first open room to its end. */
    static void yunxinWalk(Map<String, Object> app) throws Exception {
        var room = Json.list(app.get("chatrooms")).stream().map(Json::obj)
                .filter(r -> r.get("status").equals("open")).findFirst().orElseThrow().get("id");
        var sender = (String) Json.list(app.get("accounts")).get(0);
        int count = 0, pages = 0;
        String token = null;
        Map<String, Object> attachment = null;
        while (true) {
            var url = app.get("base_url") + "/im/v2/chatrooms/" + Json.num(room) + "/messages?limit=100&sender_id="
                    + URLEncoder.encode(sender, StandardCharsets.UTF_8)
                    + (token == null ? "" : "&page_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
            var nonce = UUID.randomUUID().toString().replace("-", "");
            var curTime = String.valueOf(Instant.now().getEpochSecond()); // CurTime: wall-clock seconds
            var checkSum = hex("SHA-1", (app.get("app_secret") + nonce + curTime).getBytes(StandardCharsets.UTF_8));
            var r = http("GET", url, Map.of("AppKey", (String) app.get("appkey"), "Nonce", nonce, "CurTime", curTime, "CheckSum", checkSum), null);
            var page = r.json();
            // Yunxin errors are HTTP 200 with a code.
            if (r.status() != 200 || Json.num(page.get("code")) != 200) fail("yunxin history: " + r);
            pages++;
            var data = Json.obj(page.get("data"));
            for (var it : Json.list(data.get("items"))) {
                var item = Json.obj(it);
                count++;
                if (!sender.equals(item.get("sender_id"))) fail("yunxin: sender mismatch: " + item.get("sender_id") + " in " + sender + "'s history");
                if (attachment == null && item.get("attachment") instanceof Map<?, ?> a && a.containsKey("md5")) attachment = Json.obj(a);
            }
            if (!(Boolean) data.get("has_more")) break;
            token = (String) data.get("next_token");
        }
        if (attachment == null) fail("yunxin: no message with a file attachment to check");
        var file = http("GET", (String) attachment.get("url"), Map.of(), null);
        var md5 = hex("MD5", file.body());
        if (file.status() != 200 || !md5.equals(attachment.get("md5")) || file.body().length != Json.num(attachment.get("size")))
            fail("yunxin attachment mismatch: HTTP " + file.status() + ", " + file.body().length + " bytes md5 " + md5
                    + ", history says " + Json.num(attachment.get("size")) + " bytes md5 " + attachment.get("md5") + " " + file.reason());
        System.out.printf("yunxin: app=%s room=%d sender=%s messages=%d pages=%d%n", app.get("appkey"), Json.num(room), sender, count, pages);
        System.out.printf("yunxin: attachment bytes=%d md5=%s ok%n", file.body().length, md5);
    }

    /** Downloads the archive of the last whole hour before the emulator's now. */
    static void easemobArchive(Map<String, Object> app) throws Exception {
        var orgApp = app.get("base_url") + "/" + app.get("org") + "/" + app.get("app");
        var t = http("POST", orgApp + "/token", Map.of(), "{\"grant_type\":\"client_credentials\",\"client_id\":"
                + Json.quote((String) app.get("client_id")) + ",\"client_secret\":" + Json.quote((String) app.get("client_secret")) + "}");
        if (t.status() != 200) fail("easemob token: " + t);
        var auth = Map.of("Authorization", "Bearer " + t.json().get("access_token"));

        var now = Instant.parse((String) control("GET", "clock", null).get("now"));
        var start = now.truncatedTo(java.time.temporal.ChronoUnit.HOURS).minus(Duration.ofHours(1));
        var zone = ZoneId.of("cn".equals(app.get("cluster")) ? "Asia/Shanghai" : "UTC");
        var hour = DateTimeFormatter.ofPattern("yyyyMMddHH").withZone(zone).format(start);

        int advances = 0;
        Resp r;
        while (true) {
            r = http("GET", orgApp + "/chatmessages/" + hour, auth, null);
            if (r.status() == 200 || r.status() == 404) break; // 404 storage_object_not_found: no message that hour
            // 400 illegal_argument "... expired or unstored": not archived yet. Move the clock, don't sleep.
            if (r.status() != 400 || !"illegal_argument".equals(r.json().get("error")) || advances == 5)
                fail("easemob chatmessages/" + hour + ": " + r);
            control("POST", "clock", "{\"advance\":\"2h\"}");
            advances++;
        }

        int records = 0;
        if (r.status() == 200) {
            var link = (String) Json.obj(Json.list(r.json().get("data")).get(0)).get("url");
            var gz = http("GET", link, Map.of(), null); // a signed OSS link: no token
            if (gz.status() != 200) fail("easemob archive download: " + gz);
            var in = new BufferedReader(new InputStreamReader(new GZIPInputStream(new ByteArrayInputStream(gz.body())), StandardCharsets.UTF_8));
            long lo = start.toEpochMilli(), hi = lo + 3_600_000;
            for (var line = in.readLine(); line != null; line = in.readLine()) {
                if (line.isBlank()) continue;
                var record = Json.obj(Json.parse(line));
                long at = Json.num(record.get("timestamp"));
                if (at < lo || at >= hi) fail("easemob: record " + record.get("msg_id") + " at " + at + " is outside hour " + hour);
                records++;
            }
        }
        System.out.printf("easemob: app=%s/%s hour=%s cluster=%s records=%d clock_advances=%d%n",
                app.get("org"), app.get("app"), hour, app.get("cluster"), records, advances);
    }

    public static void main(String[] args) throws Exception {
        base = (args.length > 0 ? args[0] : Objects.requireNonNullElse(System.getenv("CHATEMU_URL"), "http://127.0.0.1:8080")).replaceAll("/+$", "");
        var tenants = control("GET", "tenants", null);
        yunxinWalk(Json.obj(Json.list(tenants.get("yunxin")).get(0)));
        easemobArchive(Json.obj(Json.list(tenants.get("easemob")).get(0)));
        System.out.println("OK");
    }
}

/** A minimal JSON reader (and string quoting): objects, arrays, strings, numbers (as Double), booleans, null. */
class Json {
    private final String s;
    private int i;
    private Json(String s) { this.s = s; }

    static Object parse(String text) { var p = new Json(text); var v = p.value(); p.ws(); if (p.i != text.length()) throw p.err(); return v; }
    @SuppressWarnings("unchecked") static Map<String, Object> obj(Object v) { return (Map<String, Object>) v; }
    @SuppressWarnings("unchecked") static List<Object> list(Object v) { return (List<Object>) v; }
    static long num(Object v) { return ((Number) v).longValue(); }

    private IllegalArgumentException err() { return new IllegalArgumentException("bad JSON at " + i); }
    private void ws() { while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++; }
    private boolean eat(char c) { ws(); if (i < s.length() && s.charAt(i) == c) { i++; return true; } return false; }

    private Object value() {
        ws();
        if (i >= s.length()) throw err();
        char c = s.charAt(i);
        if (eat('{')) {
            var m = new LinkedHashMap<String, Object>();
            if (eat('}')) return m;
            do { ws(); var k = string(); if (!eat(':')) throw err(); m.put(k, value()); } while (eat(','));
            if (!eat('}')) throw err();
            return m;
        }
        if (eat('[')) {
            var l = new ArrayList<Object>();
            if (eat(']')) return l;
            do l.add(value()); while (eat(','));
            if (!eat(']')) throw err();
            return l;
        }
        if (c == '"') return string();
        for (var lit : List.of("true", "false", "null"))
            if (s.startsWith(lit, i)) { i += lit.length(); return lit.equals("null") ? null : lit.equals("true"); }
        int j = i;
        while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
        if (j == i) throw err();
        return Double.parseDouble(s.substring(j, i));
    }

    private String string() {
        if (s.charAt(i++) != '"') throw err();
        var b = new StringBuilder();
        for (char c; (c = s.charAt(i++)) != '"'; ) {
            if (c != '\\') { b.append(c); continue; }
            c = s.charAt(i++);
            switch (c) {
                case 'n' -> b.append('\n'); case 't' -> b.append('\t'); case 'r' -> b.append('\r');
                case 'b' -> b.append('\b'); case 'f' -> b.append('\f');
                case 'u' -> { b.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; }
                default -> b.append(c); // \" \\ \/
            }
        }
        return b.toString();
    }

    /** Writes s as a JSON string. */
    static String quote(String s) {
        var b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }
}
