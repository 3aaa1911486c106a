//! Running `ordex serve` as a process on 127.0.0.1 for API tests, and a
//! webhook receiver that records what the outbox delivers.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The key every test server accepts.
pub const KEY: &str = "test-key-0123456789";

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ordex-serve-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// A running service.
pub struct Server {
    pub child: Child,
    pub base: String,
    pub dir: PathBuf,
    pub client: reqwest::blocking::Client,
    extra: Vec<(String, String)>,
}

impl Server {
    /// Starts `ordex serve` with its database in `dir`; `extra` are more flags.
    pub fn start(dir: &Path, extra: &[(&str, &str)]) -> Self {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ordex"));
        cmd.current_dir(repo())
            .args(["serve", "rules", "--addr", "127.0.0.1:0", "--api-key", KEY])
            // Fixtures carry fixed dates: keep them inside the window for good.
            .args(["--max-event-age-days", "36500"])
            .arg("--database")
            .arg(dir.join("ordex.db"))
            .env("ORDEX_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (k, v) in extra {
            cmd.arg(k).arg(v);
        }
        let mut child = cmd.spawn().expect("start ordex serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let deadline = Instant::now() + Duration::from_secs(180);
        let base = loop {
            assert!(Instant::now() < deadline, "ordex serve did not start");
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(url) = line.strip_prefix("ordex serve listening on ") {
                        break url.trim().to_owned();
                    }
                }
                _ => panic!("ordex serve exited before listening"),
            }
        };
        // Keep draining stdout so the child never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Self {
            child,
            base,
            dir: dir.to_owned(),
            client: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .expect("client"),
            extra: extra
                .iter()
                .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
                .collect(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// GET with the API key: status and JSON body.
    pub fn get_text(&self, path: &str) -> (u16, String) {
        let r = self
            .client
            .get(self.url(path))
            .bearer_auth(KEY)
            .send()
            .expect("GET");
        let status = r.status().as_u16();
        (status, r.text().unwrap_or_default())
    }

    pub fn get(&self, path: &str) -> (u16, Value) {
        let (status, text) = self.get_text(path);
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// POST JSON text with the API key.
    pub fn post(&self, path: &str, body: &str) -> (u16, Value) {
        self.post_with(path, body, "application/json", &[])
    }

    /// POST with a content type and headers (no API key added when a header says `no-auth`).
    pub fn post_with(
        &self,
        path: &str,
        body: &str,
        content_type: &str,
        headers: &[(&str, &str)],
    ) -> (u16, Value) {
        let mut req = self
            .client
            .post(self.url(path))
            .header("content-type", content_type)
            .body(body.to_owned());
        if !headers.iter().any(|(k, _)| *k == "no-auth") {
            req = req.bearer_auth(KEY);
        }
        for (k, v) in headers {
            if *k != "no-auth" {
                req = req.header(*k, *v);
            }
        }
        let r = req.send().expect("POST");
        let status = r.status().as_u16();
        (status, r.json().unwrap_or(Value::Null))
    }

    /// Stops with SIGKILL: no chance to clean up.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Stops with SIGTERM and waits for a clean exit.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        self.child.wait().expect("wait")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One delivery the receiver got.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub key: String,
    pub signature: Option<String>,
    pub body: String,
}

/// A webhook receiver on 127.0.0.1 that answers 500 to the first `fail_first`
/// requests of each idempotency key (or always, with `u32::MAX`).
pub struct Receiver {
    pub url: String,
    pub got: Arc<Mutex<Vec<Delivery>>>,
    _runtime: tokio::runtime::Runtime,
}

impl Receiver {
    pub fn start(fail_first: u32) -> Self {
        use axum::http::{HeaderMap, StatusCode};
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let got: Arc<Mutex<Vec<Delivery>>> = Arc::default();
        let seen = got.clone();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: String| {
                let seen = seen.clone();
                async move {
                    let key = headers
                        .get("idempotency-key")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned();
                    let mut list = seen.lock().expect("lock");
                    let earlier = list.iter().filter(|d| d.key == key).count() as u32;
                    list.push(Delivery {
                        key,
                        signature: headers
                            .get("ordex-signature")
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_owned),
                        body,
                    });
                    if earlier < fail_first {
                        StatusCode::INTERNAL_SERVER_ERROR
                    } else {
                        StatusCode::OK
                    }
                }
            }),
        );
        runtime.spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            url,
            got,
            _runtime: runtime,
        }
    }

    pub fn deliveries(&self) -> Vec<Delivery> {
        self.got.lock().expect("lock").clone()
    }
}

/// Polls `f` until it returns true or `secs` pass.
pub fn eventually(secs: u64, mut f: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    f()
}

/// An example event from the rule pack, with its id and order replaced.
pub fn example(kind: &str, id: &str, order: &str) -> Value {
    let text = std::fs::read_to_string(repo().join("rules/examples").join(format!("{kind}.json")))
        .expect("example");
    let mut v: Value = serde_json::from_str(&text).expect("json");
    v["id"] = Value::String(id.to_owned());
    v["order"]["id"] = Value::String(order.to_owned());
    v
}
