//! Native evaluation speed of the default rule pack, per entry point, and
//! the cost of handing inputs to rules as a zero-copy view versus a deep
//! JSON→Rhai copy. Run: `cargo bench -p ordex-core --bench entry_points`.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ordex_core::api::{Engine, triage_json_str};
use ordex_core::model::{CheckoutRequest, ExceptionEvent, RetryRequest, TriageContext};
use ordex_core::runtime::{Bundle, EntryKind, json_to_dynamic};
use rhai::Dynamic;
use serde_json::{Value, json};

fn rules() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../rules"))
}

fn engine() -> Engine {
    let mut files = BTreeMap::new();
    for name in [
        "checkout.rhai",
        "triage.rhai",
        "retry.rhai",
        "lib/common.rhai",
    ] {
        files.insert(
            name.to_owned(),
            std::fs::read_to_string(rules().join(name)).expect("rule file"),
        );
    }
    let manifest = std::fs::read_to_string(rules().join("ordex.toml")).expect("manifest");
    Engine::from_bundle(Bundle::from_files(manifest, files)).expect("compiles")
}

fn example(name: &str) -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(rules().join("examples").join(name)).expect("example"),
    )
    .expect("json")
}

fn bench(c: &mut Criterion) {
    let engine = engine();
    let now: DateTime<Utc> = "2026-11-27T10:00:00Z".parse().expect("now");
    let ctx = TriageContext::default();

    let mut g = c.benchmark_group("native");
    g.throughput(Throughput::Elements(1));
    for kind in [
        "payment_declined",
        "carrier_exception",
        "return_requested",
        "customer_message",
    ] {
        let event: ExceptionEvent =
            serde_json::from_value(example(&format!("{kind}.json"))).expect("event");
        g.bench_function(format!("triage/{kind}"), |b| {
            b.iter(|| engine.triage(black_box(&event), &ctx, now).expect("ok"))
        });
    }
    let cart: CheckoutRequest =
        serde_json::from_value(example("checkout_request.json")).expect("cart");
    g.bench_function("checkout", |b| {
        b.iter(|| engine.checkout(black_box(&cart), now).expect("ok"))
    });
    let retry: RetryRequest = serde_json::from_value(example("retry_request.json")).expect("retry");
    g.bench_function("retry", |b| {
        b.iter(|| engine.retry(black_box(&retry), now).expect("ok"))
    });
    let text = json!({"now": "2026-11-27T10:00:00Z", "input": example("payment_declined.json")})
        .to_string();
    g.bench_function("triage_json_str/payment_declined", |b| {
        b.iter(|| triage_json_str(&engine, black_box(&text)))
    });
    g.finish();

    // Same rules, same input: a shared read-only view versus a deep copy
    // into Rhai maps made for every call.
    let input = Arc::new(
        serde_json::to_value(
            serde_json::from_value::<ExceptionEvent>(example("carrier_exception.json"))
                .expect("event"),
        )
        .expect("value"),
    );
    let ctx_value = Arc::new(
        json!({"now": "2026-11-27T10:00:00Z", "params": engine.pack().params().clone(), "entry": "triage", "bundle_id": engine.bundle_id()}),
    );
    let mut g = c.benchmark_group("input_handoff");
    g.bench_function("view", |b| {
        b.iter(|| {
            engine
                .pack()
                .call(
                    "triage",
                    EntryKind::Triage,
                    input.clone(),
                    ctx_value.clone(),
                )
                .expect("ok")
        })
    });
    g.bench_function("deep_copy", |b| {
        b.iter(|| {
            let args: (Dynamic, Dynamic) = (json_to_dynamic(&input), json_to_dynamic(&ctx_value));
            engine
                .pack()
                .call_values("triage", EntryKind::Triage, args)
                .expect("ok")
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
