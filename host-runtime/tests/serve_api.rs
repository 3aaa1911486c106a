//! `ordex serve` over real HTTP on 127.0.0.1: intake, webhooks, the agent
//! queue, the outbox and bundles, as API clients see them.

mod support;

use ordex_host::serve::adapters::signature::{hmac_base64, hmac_hex};
use serde_json::{Value, json};
use support::{Receiver, Server, eventually, example, scratch};

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64
}

fn error_codes(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["code"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn stored(server: &Server, id: &str) -> bool {
    server.get(&format!("/v1/events/{id}")).0 == 200
}

#[test]
fn intake_is_idempotent_groups_by_order_and_uses_the_order_history() {
    let dir = scratch("intake");
    let s = Server::start(&dir, &[]);

    let first = example("payment_declined", "evt-a1", "ord-a");
    let (status, body) = s.post("/v1/events", &first.to_string());
    assert_eq!(status, 201, "{body}");
    let r = &body["results"][0];
    assert_eq!(r["status"], "accepted");
    assert_eq!(r["case_opened"], true);
    let case_id = r["case_id"].as_i64().expect("case id");
    assert!(
        r["bundle_id"]
            .as_str()
            .is_some_and(|b| b.starts_with("sha256:"))
    );

    // A replay changes nothing, and says so.
    let (status, body) = s.post("/v1/events", &first.to_string());
    assert_eq!(status, 200);
    assert_eq!(body["results"][0]["status"], "duplicate");
    assert_eq!(body["accepted"], 0);

    // More declines on the same order join its case; the third reaches the
    // pack's max_declines_before_agent (3) only because the service tells the
    // rules about the earlier ones.
    for (i, id) in ["evt-a2", "evt-a3"].iter().enumerate() {
        let mut e = example("payment_declined", id, "ord-a");
        e["exception"]["payment"]["id"] = json!(format!("pay-{i}"));
        e["exception"]["payment"]["at"] = json!(format!("2026-11-27T1{i}:00:00Z"));
        let (status, body) = s.post("/v1/events", &e.to_string());
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["results"][0]["case_id"].as_i64(), Some(case_id));
        assert_eq!(body["results"][0]["case_opened"], false);
    }
    let (_, case) = s.get(&format!("/v1/cases/{case_id}"));
    assert_eq!(case["event_count"], 3);
    assert_eq!(case["case_events"].as_array().map(Vec::len), Some(3));
    assert_eq!(case["route"], "agent", "{}", case["decision"]);
    assert_eq!(
        case["decision"]["answer"]["ok"]["category"],
        "repeated_decline"
    );

    // The decision keeps the call that gave it: replayed on its bundle, with
    // a trace, it answers the same decision (what the console's "why" shows).
    let call = &case["decision"]["call"];
    assert_eq!(call["entry"], "triage");
    assert_eq!(
        call["input"]["exception"]["previous_attempts"]
            .as_array()
            .map(Vec::len),
        Some(2),
        "the earlier declines the rules were told about"
    );
    let bundle_id = case["decision"]["bundle_id"].as_str().expect("bundle id");
    let (status, bundle) = s.get(&format!("/v1/bundles/{bundle_id}"));
    assert_eq!(status, 200);
    let engine =
        ordex_core::api::Engine::from_bundle_json(&bundle.to_string()).expect("bundle compiles");
    let mut traced_call = call.clone();
    traced_call["trace"] = json!(true);
    let replay: Value = serde_json::from_str(&ordex_core::api::evaluate_json_str(
        &engine,
        &traced_call.to_string(),
    ))
    .expect("json");
    assert_eq!(replay["ok"], case["decision"]["answer"]["ok"]);
    assert_eq!(replay["trace"]["steps"][0]["function"], "triage");

    // The stored event keeps the decision and the bundle that made it.
    let (status, ev) = s.get("/v1/events/evt-a1");
    assert_eq!(status, 200);
    assert_eq!(ev["event"]["id"], "evt-a1");
    assert!(ev["answer"]["ok"]["route"].is_string());

    // A batch in NDJSON: all new events accepted, known ones reported as duplicates.
    let lines = [
        example("carrier_exception", "evt-b1", "ord-b").to_string(),
        example("return_requested", "evt-b2", "ord-c").to_string(),
        first.to_string(),
    ]
    .join("\n");
    let (status, body) = s.post_with("/v1/events", &lines, "application/x-ndjson", &[]);
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["accepted"], 2);
    assert_eq!(body["duplicates"], 1);
}

#[test]
fn bad_input_gets_a_clear_4xx_and_nothing_is_stored() {
    let dir = scratch("bad-input");
    let s = Server::start(&dir, &[("--max-body-bytes", "20000")]);

    // Malformed JSON.
    let (status, body) = s.post("/v1/events", "{\"schema_version\": 1,");
    assert_eq!(status, 422);
    assert_eq!(error_codes(&body), ["input_json_syntax"], "{body}");

    // A wrong type names its JSON path.
    let mut e = example("payment_declined", "evt-bad-1", "ord-bad");
    e["exception"]["payment"]["amount_minor"] = json!("12.00");
    let (status, body) = s.post("/v1/events", &e.to_string());
    assert_eq!(status, 422);
    assert_eq!(
        body["errors"][0]["location"]["path"],
        "event.exception.payment.amount_minor"
    );
    assert!(!stored(&s, "evt-bad-1"));

    // An unknown exception kind.
    let mut e = example("payment_declined", "evt-bad-2", "ord-bad");
    e["exception"]["kind"] = json!("payment_exploded");
    let (status, body) = s.post("/v1/events", &e.to_string());
    assert_eq!(status, 422);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("unknown variant `payment_exploded`"),
        "{body}"
    );

    // Oversized body.
    let mut e = example("payment_declined", "evt-bad-3", "ord-bad");
    e["attributes"] = json!({ "blob": "x".repeat(30_000) });
    let (status, body) = s.post("/v1/events", &e.to_string());
    assert_eq!(status, 413, "{body}");
    assert_eq!(error_codes(&body), ["body_too_large"]);
    assert!(!stored(&s, "evt-bad-3"));

    // One bad line in a batch: the error names it, and none of the batch is stored.
    let mut bad = example("carrier_exception", "evt-bad-5", "ord-bad");
    bad["order"]["currency"] = json!(5);
    let lines = [
        example("return_requested", "evt-bad-4", "ord-bad").to_string(),
        bad.to_string(),
    ]
    .join("\n");
    let (status, body) = s.post_with("/v1/events", &lines, "application/x-ndjson", &[]);
    assert_eq!(status, 422);
    assert_eq!(
        body["errors"][0]["location"]["path"], "events[1].order.currency",
        "{body}"
    );
    assert!(!stored(&s, "evt-bad-4") && !stored(&s, "evt-bad-5"));

    // No key, wrong key.
    let ok = example("return_requested", "evt-bad-6", "ord-bad").to_string();
    let (status, _) = s.post_with("/v1/events", &ok, "application/json", &[("no-auth", "")]);
    assert_eq!(status, 401);
    let (status, _) = s.post_with(
        "/v1/events",
        &ok,
        "application/json",
        &[("no-auth", ""), ("authorization", "Bearer nope")],
    );
    assert_eq!(status, 401);
    assert!(!stored(&s, "evt-bad-6"));

    // Webhooks without a configured secret are refused, not silently taken.
    let (status, _) = s.post_with(
        "/v1/webhooks/stripe",
        "{}",
        "application/json",
        &[("no-auth", "")],
    );
    assert_eq!(status, 503);

    // Queue queries are checked too.
    let (status, body) = s.get("/v1/cases?sort=random");
    assert_eq!(status, 400);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("sort")
    );
    let (status, _) = s.get("/v1/cases?cursor=garbage");
    assert_eq!(status, 400);

    let (_, cases) = s.get("/v1/cases?status=any");
    assert_eq!(cases["cases"].as_array().map(Vec::len), Some(0), "{cases}");
}

fn stripe_failed_payment(id: &str, order: &str) -> Value {
    json!({
        "id": id, "object": "event", "type": "payment_intent.payment_failed", "created": unix_now(),
        "data": { "object": {
            "id": "pi_3Q", "object": "payment_intent", "amount": 12900, "currency": "usd",
            "customer": "cus_S1", "metadata": { "order_id": order },
            "last_payment_error": {
                "type": "card_error", "code": "card_declined", "decline_code": "insufficient_funds",
                "charge": "ch_3Q",
                "payment_method": { "id": "pm_1", "card": { "brand": "visa", "country": "US", "fingerprint": "fp_1" } }
            }
        }}
    })
}

#[test]
fn provider_webhooks_are_verified_normalized_and_kept_raw() {
    let dir = scratch("webhooks");
    let s = Server::start(
        &dir,
        &[
            ("--stripe-secret", "whsec_test"),
            ("--easypost-secret", "ep_secret"),
            ("--aftership-secret", "as_secret"),
        ],
    );

    // Stripe: signed over "{t}.{body}".
    let body = stripe_failed_payment("evt_S1", "ord-s1").to_string();
    let t = unix_now().to_string();
    let sig = format!(
        "t={t},v1={}",
        hmac_hex("whsec_test", &[t.as_bytes(), b".", body.as_bytes()])
    );
    let (status, answer) = s.post_with(
        "/v1/webhooks/stripe",
        &body,
        "application/json",
        &[("no-auth", ""), ("stripe-signature", &sig)],
    );
    assert_eq!(status, 201, "{answer}");
    let (_, ev) = s.get("/v1/events/stripe:evt_S1");
    assert_eq!(ev["source"], "stripe");
    assert_eq!(ev["event"]["order"]["id"], "ord-s1");
    assert_eq!(
        ev["event"]["exception"]["payment"]["decline_code"],
        "insufficient_funds"
    );
    assert_eq!(ev["event"]["exception"]["payment"]["amount_minor"], 12900);
    assert_eq!(ev["raw_payload"]["data"]["object"]["id"], "pi_3Q");
    assert_eq!(ev["answer"]["ok"]["kind"], "payment_declined");

    // A replayed delivery (Stripe retries) is a duplicate.
    let (status, answer) = s.post_with(
        "/v1/webhooks/stripe",
        &body,
        "application/json",
        &[("no-auth", ""), ("stripe-signature", &sig)],
    );
    assert_eq!((status, answer["duplicates"].as_u64()), (200, Some(1)));

    // Bad signatures: wrong secret, tampered body, stale timestamp, missing header.
    let other = stripe_failed_payment("evt_S2", "ord-s2").to_string();
    let wrong = format!(
        "t={t},v1={}",
        hmac_hex("whsec_other", &[t.as_bytes(), b".", other.as_bytes()])
    );
    let old_t = (unix_now() - 3600).to_string();
    let stale = format!(
        "t={old_t},v1={}",
        hmac_hex("whsec_test", &[old_t.as_bytes(), b".", other.as_bytes()])
    );
    for header in [wrong.as_str(), sig.as_str(), stale.as_str()] {
        let (status, answer) = s.post_with(
            "/v1/webhooks/stripe",
            &other,
            "application/json",
            &[("no-auth", ""), ("stripe-signature", header)],
        );
        assert_eq!(status, 401, "{answer}");
        assert_eq!(error_codes(&answer), ["bad_signature"]);
    }
    let (status, _) = s.post_with(
        "/v1/webhooks/stripe",
        &other,
        "application/json",
        &[("no-auth", "")],
    );
    assert_eq!(status, 401);
    assert!(!stored(&s, "stripe:evt_S2"));

    // An event type the endpoint does not take.
    let refund = json!({ "id": "evt_S3", "type": "charge.refunded", "created": unix_now(), "data": { "object": { "id": "ch_1" } } }).to_string();
    let sig3 = format!(
        "t={t},v1={}",
        hmac_hex("whsec_test", &[t.as_bytes(), b".", refund.as_bytes()])
    );
    let (status, answer) = s.post_with(
        "/v1/webhooks/stripe",
        &refund,
        "application/json",
        &[("no-auth", ""), ("stripe-signature", &sig3)],
    );
    assert_eq!(status, 422);
    assert_eq!(error_codes(&answer), ["unsupported_event"]);

    // A carrier exception through the API first: later EasyPost updates for its
    // tracking number join the same order.
    let mut carrier = example("carrier_exception", "evt-c1", "ord-c1");
    carrier["exception"]["shipment"]["tracking_number"] = json!("EZ4000000004");
    assert_eq!(s.post("/v1/events", &carrier.to_string()).0, 201);
    let tracker = json!({
        "id": "evt_E1", "object": "Event", "description": "tracker.updated", "created_at": "2026-11-27T10:00:00Z",
        "result": {
            "id": "trk_1", "object": "Tracker", "tracking_code": "EZ4000000004", "carrier": "USPS",
            "status": "return_to_sender", "status_detail": "return", "updated_at": "2026-11-27T10:00:00Z",
            "tracking_details": [
                { "datetime": "2026-11-26T08:00:00Z", "status": "in_transit", "status_detail": "arrived_at_facility", "message": "Arrived", "tracking_location": { "city": "Chicago", "state": "IL", "country": "US" } },
                { "datetime": "2026-11-27T10:00:00Z", "status": "return_to_sender", "status_detail": "return", "message": "Returned to sender" }
            ]
        }
    })
    .to_string();
    let ep_sig = format!(
        "hmac-sha256-hex={}",
        hmac_hex("ep_secret", &[tracker.as_bytes()])
    );
    let (status, answer) = s.post_with(
        "/v1/webhooks/easypost",
        &tracker,
        "application/json",
        &[("no-auth", ""), ("x-hmac-signature", &ep_sig)],
    );
    assert_eq!(status, 201, "{answer}");
    let (_, ev) = s.get("/v1/events/easypost:evt_E1");
    assert_eq!(ev["event"]["order"]["id"], "ord-c1");
    assert_eq!(
        ev["event"]["exception"]["shipment"]["tracking_number"],
        "EZ4000000004"
    );
    // A tracker moving normally is acknowledged and not stored.
    let moving = tracker
        .replace("return_to_sender", "in_transit")
        .replace("\"return\"", "\"arrived_at_facility\"")
        .replace("evt_E1", "evt_E2");
    let ep_sig2 = format!(
        "hmac-sha256-hex={}",
        hmac_hex("ep_secret", &[moving.as_bytes()])
    );
    let (status, answer) = s.post_with(
        "/v1/webhooks/easypost",
        &moving,
        "application/json",
        &[("no-auth", ""), ("x-hmac-signature", &ep_sig2)],
    );
    assert_eq!(
        (status, answer["status"].as_str()),
        (200, Some("ignored")),
        "{answer}"
    );
    assert!(!stored(&s, "easypost:evt_E2"));
    let (status, _) = s.post_with(
        "/v1/webhooks/easypost",
        &moving,
        "application/json",
        &[("no-auth", ""), ("x-hmac-signature", &ep_sig)],
    );
    assert_eq!(status, 401);

    // AfterShip: base64 HMAC; its order_id names the order.
    let tracking = json!({
        "event": "tracking_update", "event_id": "as-1", "ts": unix_now(),
        "msg": {
            "id": "as_trk_1", "tracking_number": "9400100000000000000000", "slug": "usps", "tag": "Exception",
            "subtag": "Exception_004", "order_id": "ord-as1",
            "checkpoints": [{ "checkpoint_time": "2026-11-27T09:00:00", "tag": "Exception", "subtag": "Exception_004", "message": "Addressee not available", "location": "Denver, CO" }]
        }
    })
    .to_string();
    let as_sig = hmac_base64("as_secret", tracking.as_bytes());
    let (status, answer) = s.post_with(
        "/v1/webhooks/aftership",
        &tracking,
        "application/json",
        &[("no-auth", ""), ("aftership-hmac-sha256", &as_sig)],
    );
    assert_eq!(status, 201, "{answer}");
    let (_, ev) = s.get("/v1/events/aftership:as-1");
    assert_eq!(ev["event"]["order"]["id"], "ord-as1");
    assert_eq!(ev["raw_payload"]["msg"]["slug"], "usps");
}

#[test]
fn agents_page_through_the_queue_and_resolve_cases_with_outcomes() {
    let dir = scratch("queue");
    let s = Server::start(&dir, &[]);
    let kinds = [
        "payment_declined",
        "carrier_exception",
        "return_requested",
        "credit_hold",
        "contract_price_dispute",
        "marketplace_seller_late",
        "inventory_shortage",
        "customer_message",
    ];
    let mut batch = Vec::new();
    for i in 0..24 {
        let kind = kinds[i % kinds.len()];
        batch.push(example(kind, &format!("evt-q{i}"), &format!("ord-q{i}")).to_string());
    }
    let (status, body) = s.post_with("/v1/events", &batch.join("\n"), "application/x-ndjson", &[]);
    assert_eq!(
        (status, body["accepted"].as_u64()),
        (201, Some(24)),
        "{body}"
    );

    // Pages of 5 by priority: every open case once, in non-increasing priority.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/cases?limit=5&cursor={c}"),
            None => "/v1/cases?limit=5".to_owned(),
        };
        let (status, page) = s.get(&path);
        assert_eq!(status, 200, "{page}");
        for c in page["cases"].as_array().expect("cases") {
            seen.push((
                c["priority_score"].as_i64().unwrap_or(0),
                c["id"].as_i64().unwrap_or(0),
            ));
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let (_, all) = s.get("/v1/cases?limit=200");
    let open = all["cases"].as_array().map_or(0, Vec::len);
    assert_eq!(seen.len(), open);
    let mut ids: Vec<_> = seen.iter().map(|(_, id)| *id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), seen.len(), "a case appeared twice across pages");
    assert!(
        seen.windows(2).all(|w| w[0].0 >= w[1].0),
        "not sorted by priority: {seen:?}"
    );

    // SLA order and filters.
    let (_, by_sla) = s.get("/v1/cases?sort=sla_due&limit=200");
    let slas: Vec<String> = by_sla["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| c["sla_due"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(slas.windows(2).all(|w| w[0] <= w[1]));
    let (_, credit) = s.get("/v1/cases?kind=credit_hold&status=any");
    let credit = credit["cases"].as_array().expect("cases").clone();
    assert_eq!(credit.len(), 3);
    assert!(credit.iter().all(|c| {
        c["kinds"]
            .as_array()
            .is_some_and(|k| k.contains(&json!("credit_hold")))
    }));

    // Assign, note, resolve; the outcome is kept and undelivered actions are cancelled.
    let id = seen[0].1;
    assert_eq!(
        s.post(&format!("/v1/cases/{id}/assign"), r#"{"assignee":"ana"}"#)
            .0,
        200
    );
    let (_, mine) = s.get("/v1/cases?assignee=ana");
    assert_eq!(mine["cases"][0]["id"].as_i64(), Some(id));
    assert_eq!(
        s.post(
            &format!("/v1/cases/{id}/notes"),
            r#"{"author":"ana","text":"called the customer"}"#
        )
        .0,
        200
    );
    let (status, body) = s.post(
        &format!("/v1/cases/{id}/resolve"),
        r#"{"outcome":"teleported","by":"ana"}"#,
    );
    // `input_invalid` has one status on every route: 422.
    assert_eq!(status, 422, "{body}");
    let (status, body) = s.post(
        &format!("/v1/cases/{id}/resolve"),
        r#"{"outcome":"customer_contacted","by":"ana","note":"done"}"#,
    );
    assert_eq!(status, 200, "{body}");
    let (_, case) = s.get(&format!("/v1/cases/{id}"));
    assert_eq!(case["status"], "resolved");
    assert_eq!(case["outcome"], "customer_contacted");
    assert_eq!(case["notes"].as_array().map(Vec::len), Some(2));
    assert!(
        case["actions"]
            .as_array()
            .expect("actions")
            .iter()
            .all(|a| a["status"] != "pending" && a["status"] != "proposed")
    );
    assert_eq!(
        case["customer"]["outcomes"]["customer_contacted"], 1,
        "{}",
        case["customer"]
    );
    let (status, _) = s.post(
        &format!("/v1/cases/{id}/resolve"),
        r#"{"outcome":"other","by":"ana"}"#,
    );
    assert_eq!(status, 409);
    let (status, _) = s.get("/v1/cases/999999");
    assert_eq!(status, 404);
}

#[test]
fn the_outbox_delivers_signed_actions_at_least_once_with_backoff_and_dead_letters() {
    let flaky = Receiver::start(2);
    let dir = scratch("outbox");
    let s = Server::start(
        &dir,
        &[
            ("--webhook-url", flaky.url.as_str()),
            ("--webhook-secret", "hook-secret"),
            ("--delivery-backoff-ms", "50"),
        ],
    );
    let (status, body) = s.post(
        "/v1/events",
        &example("return_requested", "evt-o1", "ord-o1").to_string(),
    );
    assert_eq!(status, 201, "{body}");
    let keys: Vec<String> = body["results"][0]["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .map(|a| a["idempotency_key"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(!keys.is_empty());
    assert!(
        eventually(60, || {
            let (_, list) = s.get("/v1/actions?status=delivered");
            list["actions"].as_array().map_or(0, Vec::len) == keys.len()
        }),
        "not all delivered: {:?}",
        s.get("/v1/actions").1
    );
    let got = flaky.deliveries();
    for key in &keys {
        // Two failures, then success: three attempts with one key.
        assert_eq!(got.iter().filter(|d| &d.key == key).count(), 3, "{key}");
    }
    for d in &got {
        let sig = d.signature.as_deref().expect("signed");
        let (t, v1) = sig.split_once(",v1=").expect("format");
        let t = t.trim_start_matches("t=");
        assert_eq!(
            v1,
            hmac_hex("hook-secret", &[t.as_bytes(), b".", d.body.as_bytes()])
        );
        let body: Value = serde_json::from_str(&d.body).expect("json body");
        assert_eq!(body["idempotency_key"].as_str(), Some(d.key.as_str()));
    }
    drop(s);

    // A receiver that never succeeds: the action ends dead, and can be redelivered.
    let down = Receiver::start(u32::MAX);
    let dir = scratch("outbox-dead");
    let s = Server::start(
        &dir,
        &[
            ("--webhook-url", down.url.as_str()),
            ("--delivery-backoff-ms", "20"),
            ("--delivery-attempts", "3"),
        ],
    );
    let (status, _) = s.post(
        "/v1/events",
        &example("inventory_shortage", "evt-o2", "ord-o2").to_string(),
    );
    assert_eq!(status, 201);
    assert!(eventually(60, || {
        let (_, list) = s.get("/v1/actions?status=dead");
        !list["actions"].as_array().is_none_or(Vec::is_empty)
    }));
    let (_, dead) = s.get("/v1/actions?status=dead");
    let action = &dead["actions"][0];
    assert_eq!(action["attempts"], 3);
    assert!(
        action["last_error"]
            .as_str()
            .unwrap_or_default()
            .contains("500")
    );
    let (status, moved) = s.post(&format!("/v1/actions/{}/redeliver", action["id"]), "");
    assert_eq!(
        (status, moved["status"].as_str()),
        (200, Some("pending")),
        "{moved}"
    );
    let (status, _) = s.post(&format!("/v1/actions/{}/approve", action["id"]), "");
    assert_eq!(status, 409);
}

#[test]
fn bundles_are_tested_before_activation_switch_atomically_and_roll_back() {
    let dir = scratch("bundles");
    let s = Server::start(&dir, &[]);
    let (_, active) = s.get("/v1/bundles/active");
    let original = active["id"].as_str().expect("active id").to_owned();

    let bundle_path = dir.join("pack.json");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ordex"))
        .current_dir(support::repo())
        .args(["bundle", "rules", "--output"])
        .arg(&bundle_path)
        .output()
        .expect("ordex bundle");
    assert!(out.status.success());
    let bundle: Value =
        serde_json::from_str(&std::fs::read_to_string(&bundle_path).expect("read")).expect("json");

    // A rule change its own tests catch is rejected; the active bundle stays.
    let mut broken = bundle.clone();
    let payment = broken["files"]["triage/payment_declined.rhai"]
        .as_str()
        .expect("triage/payment_declined.rhai")
        .replace("\"P1\"", "\"P4\"");
    broken["files"]["triage/payment_declined.rhai"] = json!(payment);
    let broken = rebundle(&broken);
    let (status, body) = s.post("/v1/bundles", &broken.to_string());
    assert_eq!(status, 422, "{body}");
    assert!(
        body["detail"]["failed_cases"]
            .as_array()
            .is_some_and(|f| !f.is_empty()),
        "{body}"
    );
    assert_eq!(s.get("/v1/bundles/active").1["id"], original.as_str());

    // A syntax error is rejected with file:line:col.
    let mut bad = bundle.clone();
    bad["files"]["retry.rhai"] = json!("fn retry(request, ctx) { let x = ; }");
    let (status, body) = s.post("/v1/bundles", &rebundle(&bad).to_string());
    assert_eq!(status, 422);
    assert_eq!(
        body["detail"]["compile_errors"][0]["location"]["file"], "retry.rhai",
        "{body}"
    );

    // A misspelt call on a path no test takes is rejected before any rule
    // runs, with where it is and what was meant.
    let mut misspelt = bundle.clone();
    let triage = misspelt["files"]["triage.rhai"]
        .as_str()
        .expect("triage.rhai")
        .replacen("common::value_tier(", "common::value_teir(", 1);
    misspelt["files"]["triage.rhai"] = json!(triage);
    let (status, body) = s.post("/v1/bundles", &rebundle(&misspelt).to_string());
    assert_eq!(status, 422, "{body}");
    let first = &body["detail"]["compile_errors"][0];
    assert_eq!(first["code"], "unknown_function", "{body}");
    assert_eq!(first["location"]["file"], "triage.rhai", "{body}");
    assert_eq!(
        first["hint"], "did you mean `common::value_tier`?",
        "{body}"
    );

    // A change that passes is activated, and the previous one can be restored.
    let mut better = bundle.clone();
    let triage = format!(
        "// reviewed by ana\n{}",
        better["files"]["triage.rhai"]
            .as_str()
            .expect("triage.rhai")
    );
    better["files"]["triage.rhai"] = json!(triage);
    let better = rebundle(&better);
    let (status, body) = s.post("/v1/bundles", &better.to_string());
    assert_eq!(status, 201, "{body}");
    let new_id = body["id"].as_str().expect("id").to_owned();
    assert_ne!(new_id, original);
    assert_eq!(s.get("/v1/bundles/active").1["id"], new_id.as_str());
    let (_, ev) = s.post(
        "/v1/events",
        &example("payment_declined", "evt-bb1", "ord-bb1").to_string(),
    );
    assert_eq!(ev["results"][0]["bundle_id"], new_id.as_str());

    let (status, _) = s.post(&format!("/v1/bundles/{original}/activate"), "");
    assert_eq!(status, 200);
    assert_eq!(s.get("/v1/bundles/active").1["id"], original.as_str());
    let (_, list) = s.get("/v1/bundles");
    assert_eq!(list["bundles"].as_array().map(Vec::len), Some(2));
    // Pages and workers fetch the bundle file itself.
    let (status, file) = s.get(&format!("/v1/bundles/{new_id}"));
    assert_eq!(status, 200);
    assert_eq!(file["id"], new_id.as_str());
    assert_eq!(file, better);
    drop(s);

    // The choice survives a restart.
    let s = Server::start(&dir, &[]);
    assert_eq!(s.get("/v1/bundles/active").1["id"], original.as_str());
}

#[test]
fn storefronts_fetch_only_the_checkout_rules_without_a_key_and_revalidate_by_etag() {
    let dir = scratch("public-bundle");
    let s = Server::start(&dir, &[("--public-cors-origin", "https://shop.example")]);
    let plain = reqwest::blocking::Client::new();
    let fetch = |etag: Option<&str>| {
        let mut req = plain.get(s.url("/v1/public/checkout-bundle"));
        if let Some(e) = etag {
            req = req.header("if-none-match", e);
        }
        req.send().expect("public bundle")
    };
    let r = fetch(None);
    assert_eq!(r.status(), 200);
    let header = |r: &reqwest::blocking::Response, h: &str| {
        r.headers()
            .get(h)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let etag = header(&r, "etag");
    assert_eq!(
        header(&r, "access-control-allow-origin"),
        "https://shop.example"
    );
    assert!(header(&r, "cache-control").contains("public"));
    let public: Value = r.json().expect("json");
    assert_eq!(etag, format!("\"{}\"", public["id"].as_str().expect("id")));
    let files = public["files"].as_object().expect("files");
    assert!(files.contains_key("checkout.rhai"));
    for secret in [
        "triage.rhai",
        "retry.rhai",
        "models/intents.model",
        "triage/payment_declined.test.json",
    ] {
        assert!(!files.contains_key(secret), "{secret} is public");
    }
    let manifest = public["manifest"].as_str().expect("manifest");
    assert!(
        !manifest.contains("max_declines_before_agent"),
        "{manifest}"
    );
    // The page evaluates it: it is a complete bundle.
    let bundle = ordex_core::runtime::Bundle::from_json(&public.to_string()).expect("bundle");
    ordex_core::api::Engine::from_bundle(bundle).expect("compiles");
    assert_eq!(fetch(Some(&etag)).status(), 304);

    // A triage-only change leaves the public bundle (and the page's cache) as
    // it was; a checkout change gives it a new id.
    let (_, active) = s.get("/v1/bundles/active");
    let (_, full) = s.get(&format!(
        "/v1/bundles/{}",
        active["id"].as_str().expect("id")
    ));
    let mut triage_only = full.clone();
    triage_only["files"]["triage.rhai"] = json!(format!(
        "// reviewed\n{}",
        full["files"]["triage.rhai"].as_str().expect("triage")
    ));
    let (status, body) = s.post("/v1/bundles", &rebundle(&triage_only).to_string());
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["public_checkout_bundle"]["id"], public["id"], "{body}");
    assert_eq!(fetch(Some(&etag)).status(), 304);
    let mut checkout = full.clone();
    checkout["files"]["checkout.rhai"] = json!(format!(
        "// reviewed\n{}",
        full["files"]["checkout.rhai"].as_str().expect("checkout")
    ));
    let (status, body) = s.post("/v1/bundles", &rebundle(&checkout).to_string());
    assert_eq!(status, 201, "{body}");
    assert_ne!(body["public_checkout_bundle"]["id"], public["id"], "{body}");
    assert_eq!(fetch(Some(&etag)).status(), 200);
}

/// Recomputes a bundle's id after editing it (what `ordex bundle` does).
fn rebundle(b: &Value) -> Value {
    let files: std::collections::BTreeMap<String, String> =
        serde_json::from_value(b["files"].clone()).expect("files");
    let bundle = ordex_core::runtime::Bundle::from_files(
        b["manifest"].as_str().expect("manifest").to_owned(),
        files,
    );
    serde_json::from_str(&bundle.to_json()).expect("json")
}

#[test]
fn operations_endpoints_answer() {
    let dir = scratch("ops");
    let s = Server::start(&dir, &[]);
    let plain = reqwest::blocking::Client::new();
    assert_eq!(
        plain
            .get(s.url("/healthz"))
            .send()
            .expect("healthz")
            .status(),
        200
    );
    let ready: Value = plain
        .get(s.url("/readyz"))
        .send()
        .expect("readyz")
        .json()
        .expect("json");
    assert_eq!(ready["ready"], true);
    let doc: Value = plain
        .get(s.url("/openapi.json"))
        .send()
        .expect("openapi")
        .json()
        .expect("json");
    assert_eq!(doc["openapi"], "3.1.0");
    for p in [
        "/v1/events",
        "/v1/cases",
        "/v1/cases/{id}/resolve",
        "/v1/bundles",
        "/v1/webhooks/stripe",
    ] {
        assert!(doc["paths"][p].is_object(), "{p} missing");
    }
    assert!(doc["components"]["schemas"]["ExceptionEvent"].is_object());
    assert!(
        !doc.to_string().contains("#/$defs/"),
        "dangling schema references"
    );
    s.post(
        "/v1/events",
        &example("credit_hold", "evt-m1", "ord-m1").to_string(),
    );
    let metrics = plain
        .get(s.url("/metrics"))
        .send()
        .expect("metrics")
        .text()
        .expect("text");
    for m in [
        "ordex_events_total{source=\"api\",outcome=\"accepted\"} 1",
        "ordex_evaluation_seconds_bucket",
        "ordex_evaluation_fuel_count 1",
        "ordex_agent_queue_depth",
        "ordex_outbox_lag_seconds",
        "ordex_decisions_total",
    ] {
        assert!(metrics.contains(m), "{m} missing in\n{metrics}");
    }
    // Graceful shutdown exits cleanly.
    let status = s.terminate();
    assert!(status.success(), "{status:?}");
}

#[test]
fn pages_are_served_from_a_compressed_snapshot_and_the_package_from_an_immutable_prefix() {
    let dir = scratch("static-site");
    let www = dir.join("www");
    let pkg = dir.join("pkg");
    std::fs::create_dir_all(www.join("checkout")).expect("www");
    std::fs::create_dir_all(&pkg).expect("pkg");
    let page_js = format!(
        "import init from \"/pkg/web.js\";\n// {}\n",
        "padding ".repeat(200)
    );
    std::fs::write(
        www.join("checkout/index.html"),
        "<!doctype html><title>c</title>",
    )
    .expect("write");
    std::fs::write(www.join("checkout/checkout.js"), &page_js).expect("write");
    std::fs::write(pkg.join("web.js"), "export default 1;\n".repeat(100)).expect("write");
    let www_arg = www.to_string_lossy().into_owned();
    let pkg_arg = pkg.to_string_lossy().into_owned();
    let s = Server::start(&dir, &[("--www", &www_arg), ("--pkg", &pkg_arg)]);
    let plain = reqwest::blocking::Client::builder()
        .no_gzip()
        .no_brotli()
        .build()
        .expect("client");
    let get = |path: &str, headers: &[(&str, &str)]| {
        let mut req = plain.get(s.url(path));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.send().expect("GET")
    };
    let h = |r: &reqwest::blocking::Response, name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };

    // The page's reference to the package points at the hashed prefix.
    let r = get("/checkout/checkout.js", &[]);
    assert_eq!(r.status(), 200);
    assert_eq!(h(&r, "cache-control"), "no-cache");
    let etag = h(&r, "etag");
    let text = r.text().expect("text");
    let hashed = text
        .split('"')
        .find(|p| p.starts_with("/pkg/") && p.ends_with("/web.js"))
        .expect("rewritten import")
        .to_owned();
    assert_ne!(hashed, "/pkg/web.js");
    let r = get(&hashed, &[]);
    assert_eq!(r.status(), 200);
    assert_eq!(
        h(&r, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert!(h(&r, "content-type").starts_with("text/javascript"));

    // Compressed when the client accepts it; revalidation costs no body.
    let r = get("/checkout/checkout.js", &[("accept-encoding", "gzip, br")]);
    assert_eq!(h(&r, "content-encoding"), "br");
    assert!(r.bytes().expect("body").len() < page_js.len() / 4);
    let r = get("/checkout/checkout.js", &[("accept-encoding", "gzip")]);
    assert_eq!(h(&r, "content-encoding"), "gzip");
    assert_eq!(
        get("/checkout/checkout.js", &[("if-none-match", &etag)]).status(),
        304
    );

    // Rebuilding the files on disk does not touch what is being served.
    std::fs::remove_dir_all(&pkg).expect("rm pkg");
    std::fs::write(www.join("checkout/checkout.js"), "broken mid-build").expect("write");
    assert_eq!(get(&hashed, &[]).status(), 200);
    assert!(
        get("/checkout/checkout.js", &[])
            .text()
            .expect("text")
            .contains("/web.js")
    );

    // Directories, missing files, and API paths keep their meaning.
    assert_eq!(get("/checkout/", &[]).status(), 200);
    let r = plain
        .get(s.url("/checkout"))
        .send()
        .expect("redirect followed");
    assert_eq!(r.url().path(), "/checkout/");
    assert_eq!(get("/nope.js", &[]).status(), 404);
    assert_eq!(get("/v1/nope", &[]).status(), 404);
    let (status, _) = s.get("/v1/cases");
    assert_eq!(status, 200);
}

#[test]
fn a_stored_decision_replays_identically_a_candidate_bundle_shows_what_would_change_and_a_tampered_answer_is_caught()
 {
    let dir = scratch("replay");
    let s = Server::start(&dir, &[]);
    let (status, body) = s.post(
        "/v1/events",
        &example("carrier_exception", "evt-r1", "ord-r1").to_string(),
    );
    assert_eq!(status, 201, "{body}");
    let (status, body) = s.post(
        "/v1/events",
        &example("payment_declined", "evt-r2", "ord-r2").to_string(),
    );
    assert_eq!(status, 201, "{body}");
    let (status, body) = s.get("/v1/decisions/evt-r1/replay");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["identical"], true, "{body}");
    assert_eq!(body["first_difference"], Value::Null);
    assert_eq!(body["stored"], body["replayed"]);
    assert!(
        body["bundle_id"]
            .as_str()
            .is_some_and(|b| b.starts_with("sha256:"))
    );
    let (status, body) = s.get("/v1/decisions/evt-nope/replay");
    assert_eq!(status, 404, "{body}");

    // A dry run of a candidate bundle over HTTP: its tests run, nothing is
    // stored, and the what-if says the first decline would go to an agent.
    let dry = dir.join("dry");
    copy_dir(&support::repo().join("rules"), &dry);
    let manifest = std::fs::read_to_string(dry.join("ordex.toml")).unwrap();
    std::fs::write(
        dry.join("ordex.toml"),
        manifest.replace(
            "max_declines_before_agent = 3",
            "max_declines_before_agent = 1",
        ),
    )
    .unwrap();
    // The pack's own cases pin the old threshold; this candidate drops the
    // ones it changes (a dry run still runs whatever cases a bundle has).
    std::fs::remove_file(dry.join("triage/payment_declined.test.json")).unwrap();
    let bundle_file = dir.join("dry.json");
    let built = std::process::Command::new(env!("CARGO_BIN_EXE_ordex"))
        .args(["bundle"])
        .arg(&dry)
        .arg("--output")
        .arg(&bundle_file)
        .output()
        .expect("ordex bundle");
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let (_, before) = s.get("/v1/bundles");
    let (status, body) = s.post(
        "/v1/bundles?dry_run=true&since=36500d",
        &std::fs::read_to_string(&bundle_file).unwrap(),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["stored"], false, "{body}");
    assert_eq!(body["whatif"]["evaluated"], 2, "{body}");
    assert_eq!(body["whatif"]["routes"]["self_heal → agent"], 1, "{body}");
    let (_, after) = s.get("/v1/bundles");
    assert_eq!(before, after, "a dry run stores nothing");
    s.terminate();

    // The CLI answers the same from the database file.
    let db = dir.join("ordex.db");
    let cli = |id: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_ordex"))
            .current_dir(support::repo())
            .args(["replay", "--decision", id, "--database"])
            .arg(&db)
            .output()
            .expect("ordex replay")
    };
    let out = cli("evt-r1");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answer: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(answer["identical"], true);

    // What-if: a candidate that sends the first decline to an agent changes
    // that decision only, and says how much order value moves to agents.
    let candidate = dir.join("candidate");
    copy_dir(&support::repo().join("rules"), &candidate);
    let manifest = std::fs::read_to_string(candidate.join("ordex.toml")).unwrap();
    std::fs::write(
        candidate.join("ordex.toml"),
        manifest.replace(
            "max_declines_before_agent = 3",
            "max_declines_before_agent = 1",
        ),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ordex"))
        .current_dir(support::repo())
        .args([
            "whatif",
            "--since",
            "36500d",
            "--runtime",
            "native",
            "--database",
        ])
        .arg(&db)
        .arg("--bundle")
        .arg(&candidate)
        .output()
        .expect("ordex whatif");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["evaluated"], 2, "{report}");
    assert_eq!(report["changed"], 1, "{report}");
    assert_eq!(report["by_kind"]["payment_declined"]["changed"], 1);
    assert_eq!(report["by_kind"]["carrier_exception"]["changed"], 0);
    assert_eq!(report["routes"]["self_heal → agent"], 1);
    assert!(
        report["to_agents_minor"]
            .as_object()
            .is_some_and(|m| m.values().all(|v| v.as_i64() > Some(0)))
    );
    // Exactly the declined order's value moves, in its currency.
    let order = &example("payment_declined", "evt-r2", "ord-r2")["order"];
    let value = order["lines"]
        .as_array()
        .unwrap()
        .iter()
        .fold(order["shipping_minor"].as_i64().unwrap_or(0), |sum, l| {
            sum + l["quantity"].as_i64().unwrap() * l["unit_price_minor"].as_i64().unwrap()
        });
    let expected_value = order["total_minor"].as_i64().unwrap_or(value);
    assert_eq!(
        report["to_agents_minor"],
        json!({ order["currency"].as_str().unwrap(): expected_value }),
        "{report}"
    );
    assert_eq!(report["examples"][0]["event_id"], "evt-r2");

    // A stored answer that is not what its bundle answers is caught, at its path.
    let conn = rusqlite::Connection::open(&db).expect("open");
    conn.execute(
        "UPDATE decisions SET answer_json = json_set(answer_json, '$.ok.route', 'nobody')",
        [],
    )
    .expect("tamper");
    drop(conn);
    let out = cli("evt-r1");
    assert_eq!(out.status.code(), Some(1));
    let answer: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(answer["identical"], false);
    assert_eq!(answer["first_difference"], "$.ok.route");
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
