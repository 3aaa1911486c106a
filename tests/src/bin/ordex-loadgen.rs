//! Load generator for `ordex serve`: posts generated exception events over
//! loopback from several connections and reports sustained events per
//! second and intake latency (validation → triage in wasmtime → durable
//! commit → response).
//!
//! `ordex-loadgen --url http://127.0.0.1:8080 --key KEY [--events 5000]
//!  [--concurrency 4] [--orders 1000] [--seed 7] [--output file.md]`

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ordex_tests::corpus;
use serde_json::Value;

/// Drives `ordex serve` with generated exception events over loopback.
#[derive(clap::Parser)]
struct Args {
    /// Base URL of the service.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// API key.
    #[arg(long, default_value = "")]
    key: String,
    /// Events to send (one per request).
    #[arg(long, default_value_t = 5000)]
    events: usize,
    /// Parallel connections.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// Distinct orders the events are spread over.
    #[arg(long, default_value_t = 1000)]
    orders: usize,
    /// Corpus seed.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Markdown report to write.
    #[arg(long)]
    output: Option<PathBuf>,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Valid triage events from the parity corpus, with fresh ids and orders
/// drawn from a pool so that cases collect several events.
fn events(seed: u64, n: usize, orders: usize, run: u128) -> Vec<String> {
    let mut out = Vec::with_capacity(n);
    let mut round = 0;
    while out.len() < n {
        let c = corpus(seed + round, n * 2);
        for call in c.calls {
            let Ok(env) = serde_json::from_str::<Value>(&call) else {
                continue;
            };
            if env["entry"] != "triage" {
                continue;
            }
            let mut event = env["input"].clone();
            if ordex_core::api::exception_event(&event, "input").is_err() {
                continue;
            }
            let i = out.len();
            event["id"] = Value::String(format!("load-{run}-{i}"));
            event["order"]["id"] = Value::String(format!("ord-load-{run}-{}", i % orders.max(1)));
            out.push(event.to_string());
            if out.len() == n {
                break;
            }
        }
        round += 1;
    }
    out
}

fn main() {
    let args = <Args as clap::Parser>::parse();
    let url = format!("{}/v1/events", args.url);
    let (key, n, concurrency, orders, seed) = (
        args.key,
        args.events,
        args.concurrency.max(1),
        args.orders,
        args.seed,
    );
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    let bodies = events(seed, n, orders, run);
    let latencies = Mutex::new(Vec::with_capacity(n));
    let failures = Mutex::new(0usize);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for t in 0..concurrency {
            let (bodies, latencies, failures, url, key) =
                (&bodies, &latencies, &failures, &url, &key);
            scope.spawn(move || {
                let client = reqwest::blocking::Client::builder()
                    .timeout(Duration::from_secs(60))
                    .build()
                    .expect("client");
                for body in bodies.iter().skip(t).step_by(concurrency) {
                    let sent = Instant::now();
                    let ok = client
                        .post(url)
                        .bearer_auth(key)
                        .header("content-type", "application/json")
                        .body(body.clone())
                        .send()
                        .is_ok_and(|r| r.status().as_u16() == 201);
                    let took = sent.elapsed();
                    if ok {
                        latencies.lock().expect("lock").push(took);
                    } else {
                        *failures.lock().expect("lock") += 1;
                    }
                }
            });
        }
    });
    let wall = started.elapsed();
    let mut lat = latencies.into_inner().expect("lock");
    lat.sort_unstable();
    let failures = failures.into_inner().expect("lock");
    let rate = lat.len() as f64 / wall.as_secs_f64();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let table = format!(
        "| events | connections | orders | accepted | failed | events/s | p50 ms | p90 ms | p99 ms | max ms |\n\
         |---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n\
         | {n} | {concurrency} | {orders} | {} | {failures} | {rate:.0} | {:.2} | {:.2} | {:.2} | {:.2} |\n",
        lat.len(),
        ms(percentile(&lat, 0.50)),
        ms(percentile(&lat, 0.90)),
        ms(percentile(&lat, 0.99)),
        ms(lat.last().copied().unwrap_or_default()),
    );
    print!("{table}");
    if let Some(path) = &args.output {
        let doc = format!(
            "# ordex serve: sustained intake\n\n\
             Generated by `bash scripts/measure-serve`: `ordex serve` (release build, SQLite with\n\
             `synchronous = FULL`, rules in wasmtime) and this load generator on one machine,\n\
             over loopback. Each event is one HTTP request: validation, triage (plus a retry plan\n\
             for retryable declines), and a durable commit of event, decision, case and actions\n\
             before the 201. Events come from the parity corpus generator (seed {seed}).\n\n{table}\n\
             Numbers depend on the machine; compare runs on the same machine.\n"
        );
        std::fs::write(path, doc).expect("write output");
    }
    if failures > 0 {
        std::process::exit(1);
    }
}
