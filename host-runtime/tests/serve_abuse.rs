//! `ordex serve` against hostile and careless clients, over real HTTP on
//! 127.0.0.1: stalled and slow connections, floods, oversize declarations,
//! hostile bundles, reused ids and inputs that must not reach the rules.
//! Every loop here is bounded in count and time.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{KEY, Server, example, scratch};

fn connect(s: &Server) -> TcpStream {
    let addr = s.base.trim_start_matches("http://");
    let stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .expect("timeout");
    stream
}

/// Reads until the server closes the connection (or 15 s pass); what it sent.
fn read_until_closed(stream: &mut TcpStream) -> (String, Duration) {
    let started = Instant::now();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
    (
        String::from_utf8_lossy(&out).into_owned(),
        started.elapsed(),
    )
}

fn status_of(response: &str) -> u16 {
    response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn body_of(response: &str) -> Value {
    response
        .split_once("\r\n\r\n")
        .and_then(|(_, b)| serde_json::from_str(b.trim()).ok())
        .unwrap_or(Value::Null)
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

#[test]
fn stalled_and_slow_clients_are_cut_off_and_oversize_bodies_refused_up_front() {
    let dir = scratch("abuse-timeouts");
    let s = Server::start(
        &dir,
        &[
            ("--header-timeout-ms", "600"),
            ("--body-timeout-ms", "800"),
            ("--max-body-bytes", "4194304"),
        ],
    );

    // A connection that never sends a byte is closed after the header timeout.
    let (_, took) = read_until_closed(&mut connect(&s));
    assert!(took < Duration::from_secs(10), "held for {took:?}");

    // Headers that trickle in and stop (slowloris) are cut off too.
    let mut slow = connect(&s);
    slow.write_all(b"POST /v1/webhooks/stripe HTTP/1.1\r\nHost: x\r\n")
        .expect("write");
    let (_, took) = read_until_closed(&mut slow);
    assert!(took < Duration::from_secs(10), "held for {took:?}");

    // A body that stalls half-way gets a JSON 408 and the connection closes.
    let mut stalled = connect(&s);
    let head = format!(
        "POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\nContent-Type: application/json\r\nContent-Length: 4000000\r\n\r\n"
    );
    stalled.write_all(head.as_bytes()).expect("write");
    stalled.write_all(&[b' '; 1024]).expect("write");
    let (response, took) = read_until_closed(&mut stalled);
    assert_eq!(status_of(&response), 408, "{response}");
    assert_eq!(body_of(&response)["errors"][0]["code"], "body_timeout");
    assert!(took < Duration::from_secs(10), "held for {took:?}");

    // A declared length over the limit is refused before a byte of body is read,
    // even on the webhook routes that need no key.
    let mut huge = connect(&s);
    huge.write_all(
        b"POST /v1/webhooks/stripe HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n",
    )
    .expect("write");
    let (response, _) = read_until_closed(&mut huge);
    assert_eq!(status_of(&response), 413, "{response}");
    assert_eq!(body_of(&response)["errors"][0]["code"], "body_too_large");

    // An idle keep-alive connection is closed after its request.
    let mut idle = connect(&s);
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .expect("write");
    let (response, took) = read_until_closed(&mut idle);
    assert_eq!(status_of(&response), 200, "{response}");
    assert!(took < Duration::from_secs(10), "held for {took:?}");
}

#[test]
fn connections_and_in_flight_bodies_are_capped_and_shutdown_cuts_stalled_requests() {
    let dir = scratch("abuse-caps");
    let s = Server::start(
        &dir,
        &[
            ("--max-connections", "3"),
            ("--header-timeout-ms", "20000"),
            ("--body-timeout-ms", "60000"),
            ("--max-body-bytes", "1048576"),
            ("--inflight-body-bytes", "1048576"),
            ("--shutdown-grace-ms", "500"),
        ],
    );
    // One request declares a 1 MiB body and stalls: it holds the group's budget.
    let mut holder = connect(&s);
    let head = format!(
        "POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\nContent-Type: application/json\r\nContent-Length: 1048576\r\n\r\n{{"
    );
    holder.write_all(head.as_bytes()).expect("write");
    std::thread::sleep(Duration::from_millis(300));
    // Another large body on the same route group waits for nobody: 503 at once.
    let e = example("return_requested", "evt-cap-1", "ord-cap");
    let mut padded = e.clone();
    padded["attributes"] = json!({ "note": "x".repeat(600_000) });
    let (status, body) = s.post("/v1/events", &padded.to_string());
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["errors"][0]["code"], "busy");
    // Small bodies of other groups still pass.
    assert_eq!(s.get("/v1/cases").0, 200);

    // Two more idle connections reach the cap of 3; the next is told so and closed.
    let _a = connect(&s);
    let _b = connect(&s);
    std::thread::sleep(Duration::from_millis(300));
    let (response, _) = read_until_closed(&mut connect(&s));
    assert_eq!(status_of(&response), 503, "{response}");
    assert_eq!(body_of(&response)["errors"][0]["code"], "busy");

    // SIGTERM with a request stalled in flight: the grace period ends it.
    let started = Instant::now();
    let pid = s.child.id();
    let status = s.terminate();
    assert!(status.success(), "exit {status:?} (pid {pid})");
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "shutdown took {:?}",
        started.elapsed()
    );
    drop(holder);
}

#[test]
fn unauthenticated_webhook_routes_are_rate_limited_per_address() {
    let dir = scratch("abuse-rate");
    let s = Server::start(&dir, &[("--webhook-rate", "1"), ("--webhook-burst", "3")]);
    let mut statuses = Vec::new();
    for _ in 0..10 {
        let r = s
            .client
            .post(s.url("/v1/webhooks/stripe"))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .expect("POST");
        let status = r.status().as_u16();
        if status == 429 {
            assert!(r.headers().contains_key("retry-after"));
            let body: Value = r.json().expect("json");
            assert_eq!(body["errors"][0]["code"], "rate_limited");
        }
        statuses.push(status);
    }
    // Unconfigured Stripe answers 503 while the address is within its rate.
    assert_eq!(
        statuses.iter().filter(|&&c| c == 503).count(),
        3,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|&&c| c == 429).count(),
        7,
        "{statuses:?}"
    );
    // The API proper is not limited by it.
    assert_eq!(s.get("/v1/cases").0, 200);
}

fn default_bundle() -> Value {
    let out = scratch("abuse-bundle-file").join("bundle.json");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_ordex"))
        .current_dir(support::repo())
        .args(["bundle", "rules", "-o"])
        .arg(&out)
        .status()
        .expect("ordex bundle");
    assert!(status.success());
    serde_json::from_str(&std::fs::read_to_string(out).expect("bundle")).expect("json")
}

/// Recomputes a bundle's id after its files changed, without compiling it
/// (`ordex bundle` would run the hostile library on this machine).
fn rebundle(b: &Value) -> Value {
    let files = b["files"]
        .as_object()
        .expect("files")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().expect("text").to_owned()))
        .collect();
    let manifest = b["manifest"].as_str().expect("manifest").to_owned();
    let bundle = ordex_core::runtime::Bundle::from_files(manifest, files);
    serde_json::from_str(&bundle.to_json()).expect("json")
}

fn with_library(base: &Value, manifest_extra: &str, library: &str) -> Value {
    let mut b = base.clone();
    let manifest = b["manifest"].as_str().expect("manifest").to_owned();
    b["manifest"] = json!(format!("{manifest}\n{manifest_extra}\n"));
    b["files"]["lib/hostile.rhai"] = json!(library);
    rebundle(&b)
}

#[test]
fn hostile_bundles_are_refused_inside_the_sandbox_with_typed_errors() {
    let dir = scratch("abuse-bundles");
    let s = Server::start(&dir, &[("--load-deadline-ms", "3000")]);
    let pid = s.child.id();
    let base = default_bundle();
    let before = rss_kib(pid);

    // A library that fills a map with 16 MB strings when it loads.
    let hoarder = with_library(
        &base,
        "",
        "let s = \"x\"; while s.len() < 8000000 { s += s; }\nlet m = #{};\nfor i in 0..80 { m[`k${i}`] = s + i; }\nfn noop() { 0 }\n",
    );
    // Raise the string limit to its ceiling, as the attacker would.
    let mut hoarder_raised = hoarder.clone();
    let manifest = hoarder["manifest"]
        .as_str()
        .expect("m")
        .replace("[limits]", "[limits]\nmax_string_size = 16777216");
    hoarder_raised["manifest"] = json!(manifest);
    let hoarder = rebundle(&hoarder_raised);
    let started = Instant::now();
    let (status, body) = s.post("/v1/bundles", &hoarder.to_string());
    assert_eq!(status, 422, "{body}");
    let text = body.to_string();
    eprintln!("hoarding library: {text}");
    assert!(
        body["detail"]["load_error"]["code"] == "limit_exceeded"
            || body["detail"]["compile_errors"].is_array(),
        "{text}"
    );
    for leak in ["backtrace", "wasm function", "0x"] {
        assert!(!text.contains(leak), "the answer leaks `{leak}`: {text}");
    }
    assert!(started.elapsed() < Duration::from_secs(30));
    // The server's own memory did not take the hoard (the guest's cap did).
    let after = rss_kib(pid);
    assert!(
        after < before + 400 * 1024,
        "RSS grew from {before} KiB to {after} KiB"
    );

    // A library that loops when it loads stops at the load deadline or fuel.
    let mut looping = with_library(
        &base,
        "",
        "let n = 0;\nwhile n < 99000000 { n += 1; }\nfn noop() { 0 }\n",
    );
    let manifest = looping["manifest"]
        .as_str()
        .expect("m")
        .replace("max_operations = 500000", "max_operations = 100000000");
    looping["manifest"] = json!(manifest);
    let looping = rebundle(&looping);
    let started = Instant::now();
    let (status, body) = s.post("/v1/bundles", &looping.to_string());
    assert_eq!(status, 422, "{body}");
    eprintln!("looping library: {body} after {:?}", started.elapsed());
    // Stopped by the load budget, or by Rhai's own operation count if the
    // guest is fast: either way typed, bounded, and outside the process.
    assert!(
        body["detail"]["load_error"]["code"] == "limit_exceeded"
            || body.to_string().contains("operations"),
        "{body}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );

    // A bundle whose every test case runs into a limit is refused, unless the
    // manifest says the pack tests its limits on purpose.
    let mut spinner = base.clone();
    spinner["files"]["tests/limits.json"] = json!(
        json!({"entry": "spin", "now": "2026-11-27T10:00:00Z", "base": {},
               "cases": (0..4).map(|i| json!({"name": format!("spins-{i}"), "patch": {}, "expect_error": {"code": "limit_exceeded"}})).collect::<Vec<_>>()})
            .to_string()
    );
    spinner["files"]["spin.rhai"] = json!("fn spin(input, ctx) { loop { } }");
    let m = spinner["manifest"].as_str().expect("m").to_owned();
    let only_spin = |extra: &str| {
        let mut b = spinner.clone();
        b["manifest"] = json!(format!(
            "{extra}{m}\n[entries.spin]\nfile = \"spin.rhai\"\n"
        ));
        // The default pack's own cases pass; make the spinning ones the majority.
        let files = b["files"].as_object_mut().expect("files");
        files.retain(|k, _| {
            (!k.starts_with("tests/") && !k.ends_with(".test.json")) || k == "tests/limits.json"
        });
        rebundle(&b)
    };
    let (status, body) = s.post("/v1/bundles?activate=false", &only_spin("").to_string());
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["detail"]["tests"]["hit_limits"], 4, "{body}");
    let (status, body) = s.post(
        "/v1/bundles?activate=false",
        &only_spin("allow_limit_tests = true\n").to_string(),
    );
    assert_eq!(status, 201, "{body}");
}

#[test]
fn event_ids_and_inputs_are_checked_at_the_edge() {
    let dir = scratch("abuse-input");
    let s = Server::start(&dir, &[]);
    let codes = |b: &Value| -> Vec<String> {
        b["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["code"].as_str().map(str::to_owned))
            .collect()
    };

    // Ids: present, visible ASCII, bounded.
    for bad in ["", "evt 1", "evt\u{7}", &"x".repeat(201)] {
        let e = example("return_requested", bad, "ord-id");
        let (status, body) = s.post("/v1/events", &e.to_string());
        assert_eq!(status, 422, "{bad:?}: {body}");
        assert_eq!(body["errors"][0]["location"]["path"], "event.id", "{body}");
    }

    // A reused id with other content is refused with 409; nothing changes.
    let first = example("return_requested", "evt-reuse", "ord-reuse-1");
    assert_eq!(s.post("/v1/events", &first.to_string()).0, 201);
    let other = example("return_requested", "evt-reuse", "ord-reuse-2");
    let (status, body) = s.post("/v1/events", &other.to_string());
    assert_eq!(status, 409, "{body}");
    assert_eq!(codes(&body), ["event_id_reused"]);
    let (_, cases) = s.get("/v1/cases?order_id=ord-reuse-2&status=any");
    assert_eq!(cases["cases"].as_array().map(Vec::len), Some(0), "{cases}");
    // The same content with keys in another order is a plain replay.
    let reordered: String = {
        let mut fields: Vec<(String, Value)> = first
            .as_object()
            .expect("object")
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        fields.reverse();
        let parts: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{}:{v}", Value::String(k.clone())))
            .collect();
        format!("{{{}}}", parts.join(","))
    };
    let (status, body) = s.post("/v1/events", &reordered);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["results"][0]["status"], "duplicate");
    // In a batch, a reused id refuses the whole batch.
    let lines = [
        example("carrier_exception", "evt-reuse-b1", "ord-reuse-3").to_string(),
        other.to_string(),
    ]
    .join("\n");
    let (status, _) = s.post_with("/v1/events", &lines, "application/x-ndjson", &[]);
    assert_eq!(status, 409);
    assert_eq!(s.get("/v1/events/evt-reuse-b1").0, 404);

    // Amounts: never negative, never near overflow; the path is named.
    for (path, value) in [
        ("amount_minor", json!(-100)),
        ("amount_minor", json!(9_223_372_036_854_775_000_i64)),
    ] {
        let mut e = example("payment_declined", "evt-amount", "ord-amount");
        e["exception"]["payment"][path] = value;
        let (status, body) = s.post("/v1/events", &e.to_string());
        assert_eq!(status, 422, "{body}");
        assert_eq!(
            body["errors"][0]["location"]["path"],
            "event.exception.payment.amount_minor"
        );
    }

    // A repeated key is refused, not silently resolved.
    let e = example("return_requested", "evt-dup-key", "ord-dup");
    let text = e.to_string();
    let dup = text.replacen("{", "{\"id\":\"evt-other\",", 1);
    let (status, body) = s.post("/v1/events", &dup);
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains("duplicate key `id`"), "{body}");

    // occurred_at far from the server's clock.
    for at in ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"] {
        let mut e = example("return_requested", "evt-time", "ord-time");
        e["occurred_at"] = json!(at);
        let (status, body) = s.post("/v1/events", &e.to_string());
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["errors"][0]["location"]["path"], "event.occurred_at");
    }

    // The content type is read: form data and plain text are refused.
    let ok = example("return_requested", "evt-ct", "ord-ct").to_string();
    for ct in ["text/plain", "application/x-www-form-urlencoded"] {
        let (status, body) = s.post_with("/v1/events", &ok, ct, &[]);
        assert_eq!(status, 415, "{body}");
        assert_eq!(codes(&body), ["unsupported_media_type"]);
    }
    assert_eq!(s.get("/v1/events/evt-ct").0, 404);
}

#[test]
fn errors_are_json_with_one_status_per_code() {
    let dir = scratch("abuse-consistency");
    let s = Server::start(&dir, &[]);

    // 401 names the scheme; the scheme's case does not matter.
    let r = s.client.get(s.url("/v1/cases")).send().expect("GET");
    assert_eq!(r.status().as_u16(), 401);
    assert!(
        r.headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("Bearer"))
    );
    let r = s
        .client
        .get(s.url("/v1/cases"))
        .header("authorization", format!("bearer {KEY}"))
        .send()
        .expect("GET");
    assert_eq!(r.status().as_u16(), 200);

    // Framework rejections answer in the API's JSON, with a code.
    for (path, status, code) in [
        ("/v1/cases?limit=lots", 400, "query_invalid"),
        ("/v1/cases/abc", 400, "path_invalid"),
        ("/v1/nothing-here", 404, "not_found"),
    ] {
        let (got, body) = s.get(path);
        assert_eq!(got, status, "{path}: {body}");
        assert_eq!(body["errors"][0]["code"], code, "{path}: {body}");
    }
    let r = s
        .client
        .delete(s.url("/v1/events"))
        .bearer_auth(KEY)
        .send()
        .expect("DELETE");
    assert_eq!(r.status().as_u16(), 405);
    let body: Value = r.json().expect("json");
    assert_eq!(body["errors"][0]["code"], "method_not_allowed");

    // `input_invalid` is 422 wherever it is raised.
    let e = example("return_requested", "evt-cons-1", "ord-cons");
    let (status, body) = s.post("/v1/events", &e.to_string());
    assert_eq!(status, 201, "{body}");
    let case_id = body["results"][0]["case_id"].as_i64().expect("case");
    let (status, body) = s.post(
        &format!("/v1/cases/{case_id}/notes"),
        r#"{"author":"","text":""}"#,
    );
    assert_eq!(
        (status, body["errors"][0]["code"].clone()),
        (422, json!("input_invalid"))
    );

    // A resolved case refuses reassignment.
    let (status, _) = s.post(
        &format!("/v1/cases/{case_id}/resolve"),
        r#"{"outcome":"customer_contacted","by":"ana"}"#,
    );
    assert_eq!(status, 200);
    let (status, body) = s.post(
        &format!("/v1/cases/{case_id}/assign"),
        r#"{"assignee":"bo"}"#,
    );
    assert_eq!(status, 409, "{body}");

    // The database is readable by its owner only.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("ordex.db"))
            .expect("db")
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "mode {mode:o}");
    }
}

#[test]
fn a_batch_sees_its_own_earlier_events() {
    let dir = scratch("abuse-batch");
    let s = Server::start(&dir, &[]);
    // Three declines of one order in one batch: the third reaches the pack's
    // max_declines_before_agent through the batch's earlier events alone.
    let lines: Vec<String> = (0..3)
        .map(|i| {
            let mut e = example("payment_declined", &format!("evt-bv-{i}"), "ord-bv");
            e["exception"]["payment"]["id"] = json!(format!("pay-bv-{i}"));
            e["exception"]["payment"]["at"] = json!(format!("2026-11-27T1{i}:00:00Z"));
            e.to_string()
        })
        .collect();
    let (status, body) = s.post_with("/v1/events", &lines.join("\n"), "application/x-ndjson", &[]);
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["accepted"], 3);
    let case_id = body["results"][0]["case_id"].as_i64().expect("case");
    assert_eq!(body["results"][2]["case_id"].as_i64(), Some(case_id));
    assert_eq!(
        body["results"][2]["decision"]["category"], "repeated_decline",
        "{body}"
    );
    let (_, case) = s.get(&format!("/v1/cases/{case_id}"));
    assert_eq!(case["route"], "agent");
}
