//! Retry outcomes reach the learner: results posted for planned retries are
//! counted per segment, and once a segment has enough of them the next
//! retry of a decline like it is timed by the learner (and says so).

mod support;

use support::{Server, example, scratch};

#[test]
fn outcomes_of_planned_retries_teach_the_learner_which_then_times_the_next_retry() {
    let dir = scratch("retry-learning");
    let server = Server::start(&dir, &[]);
    let first = example("payment_declined", "evt-rl-1", "ord-rl-1");
    let (s, body) = server.post("/v1/events", &first.to_string());
    assert!((200..300).contains(&s), "{body}");
    let params = &body["results"][0]["decision"]["actions"][0]["params"];
    assert!(params.is_object(), "{body}");
    let (_, case) = server.get(&format!("/v1/cases/{}", body["results"][0]["case_id"]));
    let action = case["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["type"] == "retry_payment")
        .expect("a retry")
        .clone();
    assert_eq!(
        action["params"]["plan_source"], "schedule",
        "no evidence yet: {action}"
    );

    // Outcomes of that retry, as a gateway integration reports them.
    let at = action["params"]["at"].as_str().unwrap().to_owned();
    for i in 0..160 {
        let result = format!(
            r#"{{"order_id": "ord-rl-1", "at": "{at}", "approved": {}}}"#,
            i % 3 == 0
        );
        let (s, r) = server.post("/v1/payment-results", &result);
        assert_eq!(s, 200, "{r}");
        assert!(
            r["segment"]
                .as_str()
                .unwrap()
                .starts_with("insufficient_funds|??|USD|"),
            "{r}"
        );
    }
    let (s, r) = server.post(
        "/v1/payment-results",
        r#"{"order_id": "ord-unknown", "at": "2026-11-27T10:00:00Z", "approved": true}"#,
    );
    assert_eq!(s, 404, "{r}");
    let (s, r) = server.post(
        "/v1/payment-results",
        r#"{"order_id": "ord-rl-1", "approved": true}"#,
    );
    assert_eq!(s, 422, "{r}");

    // A decline like the first, on another order: the learner times it.
    let second = example("payment_declined", "evt-rl-2", "ord-rl-2");
    let (_, body) = server.post("/v1/events", &second.to_string());
    let (_, case) = server.get(&format!("/v1/cases/{}", body["results"][0]["case_id"]));
    let action = case["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["type"] == "retry_payment")
        .expect("a retry")
        .clone();
    assert_eq!(action["params"]["plan_source"], "learned", "{action}");
    assert!(
        action["params"]["learned"]["evidence"].as_u64().unwrap() >= 160,
        "{action}"
    );
    server.kill();
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn signed(server: &Server, payload: &serde_json::Value) -> (u16, serde_json::Value) {
    let body = payload.to_string();
    let t = unix_now().to_string();
    let sig = format!(
        "t={t},v1={}",
        ordex_host::serve::adapters::signature::hmac_hex(
            "whsec_test",
            &[t.as_bytes(), b".", body.as_bytes()]
        )
    );
    server.post_with(
        "/v1/webhooks/stripe",
        &body,
        "application/json",
        &[("no-auth", ""), ("stripe-signature", &sig)],
    )
}

#[test]
fn stripe_tells_the_learner_how_a_delivered_retry_ended() {
    let dir = scratch("retry-stripe");
    let server = Server::start(&dir, &[("--stripe-secret", "whsec_test")]);
    let failed = serde_json::json!({
        "id": "evt_R1", "object": "event", "type": "payment_intent.payment_failed", "created": unix_now(),
        "data": { "object": {
            "id": "pi_R1", "object": "payment_intent", "amount": 4900, "currency": "usd",
            "metadata": { "order_id": "ord-r1" },
            "last_payment_error": { "type": "card_error", "code": "card_declined", "decline_code": "insufficient_funds",
                "payment_method": { "id": "pm_1", "card": { "brand": "visa", "country": "US", "fingerprint": "fp_r1" } } }
        }}
    });
    let (s, answer) = signed(&server, &failed);
    assert_eq!(s, 201, "{answer}");
    let succeeded = serde_json::json!({
        "id": "evt_R2", "object": "event", "type": "payment_intent.succeeded", "created": unix_now(),
        "data": { "object": { "id": "pi_R1", "object": "payment_intent", "amount": 4900, "currency": "usd", "metadata": { "order_id": "ord-r1" } } }
    });
    // Before the retry is delivered, a success is not its outcome.
    let (s, answer) = signed(&server, &succeeded);
    assert_eq!(
        (s, answer["status"].as_str()),
        (200, Some("ignored")),
        "{answer}"
    );
    // The receiver ran the retry (delivered); now the success is its outcome.
    {
        let db = rusqlite::Connection::open(dir.join("ordex.db")).unwrap();
        db.execute(
            "UPDATE actions SET status = 'delivered' WHERE type = 'retry_payment'",
            [],
        )
        .unwrap();
    }
    let (s, answer) = signed(&server, &succeeded);
    assert_eq!(
        (s, answer["status"].as_str()),
        (200, Some("retry_outcome_recorded")),
        "{answer}"
    );
    let db = rusqlite::Connection::open(dir.join("ordex.db")).unwrap();
    let (key, successes): (String, i64) = db
        .query_row(
            "SELECT key, successes FROM retry_stats WHERE key LIKE 'insufficient_funds|US|USD|%'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(successes, 1, "{key}");
    server.kill();
}
