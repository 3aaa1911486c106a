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
