//! `ordex`: the command-line face of the ordex rules engine.
#![forbid(unsafe_code)]

mod commands;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use ordex_host::evaluator::RuntimeKind;

/// Where and under which host limits rules run.
#[derive(Args, Clone)]
pub struct RuntimeArgs {
    /// Runtime to evaluate in.
    #[arg(long, value_enum, default_value = "wasmtime")]
    pub runtime: RuntimeKind,
    /// The host-ABI module (default: next to `ordex`, then this workspace's build).
    #[arg(long)]
    pub module: Option<PathBuf>,
    /// Wasm instructions allowed per call (wasmtime).
    #[arg(long, default_value_t = 2_000_000_000)]
    pub fuel: u64,
    /// Wall-clock milliseconds allowed per call (wasmtime).
    #[arg(long, default_value_t = 2000)]
    pub deadline_ms: u64,
}

/// Flags of `ordex serve`; each has an `ORDEX_*` environment variable.
#[derive(Args)]
pub struct ServeArgs {
    /// Rule pack (directory or bundle) activated when the database has no active bundle.
    #[arg(default_value = "rules", env = "ORDEX_PACK")]
    pack: PathBuf,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "ORDEX_ADDR")]
    addr: std::net::SocketAddr,
    /// SQLite database file.
    #[arg(long, default_value = "ordex-data/ordex.db", env = "ORDEX_DATABASE")]
    database: PathBuf,
    /// API keys (comma-separated); without one, a key is created beside the database.
    #[arg(long = "api-key", env = "ORDEX_API_KEYS", hide_env_values = true)]
    api_keys: Vec<String>,
    /// Where outbox actions are POSTed.
    #[arg(long, env = "ORDEX_WEBHOOK_URL")]
    webhook_url: Option<String>,
    /// Secret of the `Ordex-Signature` HMAC on deliveries.
    #[arg(long, env = "ORDEX_WEBHOOK_SECRET", hide_env_values = true)]
    webhook_secret: Option<String>,
    /// Delivery attempts before an action is dead-lettered.
    #[arg(long, default_value_t = 8, env = "ORDEX_DELIVERY_ATTEMPTS")]
    delivery_attempts: u32,
    /// First redelivery delay in milliseconds (doubles per attempt, capped at an hour).
    #[arg(long, default_value_t = 2000, env = "ORDEX_DELIVERY_BACKOFF_MS")]
    delivery_backoff_ms: u64,
    /// Stripe endpoint signing secret.
    #[arg(long, env = "ORDEX_STRIPE_WEBHOOK_SECRET", hide_env_values = true)]
    stripe_secret: Option<String>,
    /// EasyPost webhook secret.
    #[arg(long, env = "ORDEX_EASYPOST_WEBHOOK_SECRET", hide_env_values = true)]
    easypost_secret: Option<String>,
    /// AfterShip webhook secret.
    #[arg(long, env = "ORDEX_AFTERSHIP_WEBHOOK_SECRET", hide_env_values = true)]
    aftership_secret: Option<String>,
    /// Largest event or webhook body, bytes.
    #[arg(long, default_value_t = 4 << 20, env = "ORDEX_MAX_BODY_BYTES")]
    max_body_bytes: usize,
    /// Web pages served at `/` (the agent console).
    #[arg(long, default_value = "www", env = "ORDEX_WWW")]
    www: PathBuf,
    /// The built npm package, served at `/pkg/` for the checkout demo.
    #[arg(long, default_value = "wasm/js/pkg", env = "ORDEX_PKG")]
    pkg: PathBuf,
    /// Which storefront origins may fetch the public checkout bundle
    /// (`Access-Control-Allow-Origin`): `*`, or one origin such as
    /// `https://shop.example`. It holds only the checkout rules.
    #[arg(long, default_value = "*", env = "ORDEX_PUBLIC_CORS_ORIGIN")]
    public_cors_origin: String,
    /// Passed to rules as `ctx.merchant_id`.
    #[arg(long, env = "ORDEX_MERCHANT_ID")]
    merchant_id: Option<String>,
    /// Currency of orders only known from a carrier webhook.
    #[arg(long, default_value = "USD", env = "ORDEX_DEFAULT_CURRENCY")]
    default_currency: String,
    /// Log as JSON lines.
    #[arg(long, env = "ORDEX_LOG_JSON")]
    log_json: bool,
    /// Milliseconds a client has to send a request's headers; also how long
    /// an idle keep-alive connection stays open.
    #[arg(long, default_value_t = 10_000, env = "ORDEX_HEADER_TIMEOUT_MS")]
    header_timeout_ms: u64,
    /// Milliseconds a client has to send a request's body.
    #[arg(long, default_value_t = 30_000, env = "ORDEX_BODY_TIMEOUT_MS")]
    body_timeout_ms: u64,
    /// Milliseconds a response write may wait on a client that does not read.
    #[arg(long, default_value_t = 30_000, env = "ORDEX_WRITE_TIMEOUT_MS")]
    write_timeout_ms: u64,
    /// Open connections at once; more are answered 503 and closed.
    #[arg(long, default_value_t = 1024, env = "ORDEX_MAX_CONNECTIONS")]
    max_connections: usize,
    /// Request body bytes held at once per route group (events, webhooks, bundles, the rest).
    #[arg(long, default_value_t = 64 << 20, env = "ORDEX_INFLIGHT_BODY_BYTES")]
    inflight_body_bytes: usize,
    /// Webhook requests per second per source address.
    #[arg(long, default_value_t = 50, env = "ORDEX_WEBHOOK_RATE")]
    webhook_rate: u32,
    /// Webhook requests a source address may send in a burst.
    #[arg(long, default_value_t = 200, env = "ORDEX_WEBHOOK_BURST")]
    webhook_burst: u32,
    /// Milliseconds requests in flight get after SIGTERM before connections are cut.
    #[arg(long, default_value_t = 10_000, env = "ORDEX_SHUTDOWN_GRACE_MS")]
    shutdown_grace_ms: u64,
    /// Seconds the check of an uploaded bundle (loading it and running its tests) may take.
    #[arg(long, default_value_t = 60, env = "ORDEX_BUNDLE_CHECK_SECONDS")]
    bundle_check_seconds: u64,
    /// Wasm instructions loading a bundle into an instance may take.
    #[arg(long, default_value_t = 4_000_000_000, env = "ORDEX_LOAD_FUEL")]
    load_fuel: u64,
    /// Milliseconds loading a bundle into an instance may take.
    #[arg(long, default_value_t = 5_000, env = "ORDEX_LOAD_DEADLINE_MS")]
    load_deadline_ms: u64,
    /// Days an event's `occurred_at` may lie in the past.
    #[arg(long, default_value_t = 1830, env = "ORDEX_MAX_EVENT_AGE_DAYS")]
    max_event_age_days: i64,
    /// Minutes an event's `occurred_at` may lie in the future (clock skew).
    #[arg(long, default_value_t = 60, env = "ORDEX_MAX_EVENT_SKEW_MINUTES")]
    max_event_skew_minutes: i64,
    /// Seconds per bucket of the stream detectors (declines per gateway,
    /// carrier exceptions per carrier, volume per source, …).
    #[arg(long, default_value_t = 300, env = "ORDEX_INCIDENT_BUCKET_SECONDS")]
    incident_bucket_seconds: i64,
    /// Buckets a series is watched before it can open an incident.
    #[arg(long, default_value_t = 24, env = "ORDEX_INCIDENT_WARMUP_BUCKETS")]
    incident_warmup_buckets: u64,
    /// The change the detectors look for, as a multiple of a series' baseline.
    #[arg(long, default_value_t = 3.0, env = "ORDEX_INCIDENT_RATIO")]
    incident_ratio: f64,
    /// The evidence (cumulative log-likelihood ratio) that opens an incident.
    #[arg(long, default_value_t = 10.0, env = "ORDEX_INCIDENT_THRESHOLD")]
    incident_threshold: f64,
    #[command(flatten)]
    runtime: RuntimeArgs,
}

/// Rules engine for order exceptions: check, test, evaluate and bundle rule packs.
#[derive(Parser)]
#[command(name = "ordex", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Compile a rule pack and report its entry points, or every error with file:line:col.
    Check {
        /// Pack directory (holding ordex.toml) or bundle file.
        pack: PathBuf,
    },
    /// Train a text model for a pack (intents, carrier notes) and report how it scores.
    Train {
        /// What to train.
        #[arg(value_enum)]
        model: commands::train::ModelKind,
        #[command(flatten)]
        args: commands::train::TrainArgs,
    },
    /// The Numenta Anomaly Benchmark: run an ordex detector, or score published results.
    Nab {
        #[command(subcommand)]
        command: commands::nab::NabCommand,
    },
    /// Simulate policies against a world whose ground truth is a file.
    Simulate {
        #[command(subcommand)]
        command: commands::simulate::SimulateCommand,
    },
    /// Scaffold part of a pack: `ordex new kind credit_hold rules/`.
    New {
        #[command(subcommand)]
        command: commands::new::NewCommand,
    },
    /// Run the pack's test cases.
    Test {
        /// Pack directory or bundle file.
        pack: PathBuf,
        /// Run only cases whose `file::name` contains this text.
        #[arg(long, short)]
        filter: Option<String>,
        /// Print every case, not only failures.
        #[arg(long, short)]
        verbose: bool,
        #[command(flatten)]
        runtime: RuntimeArgs,
    },
    /// Evaluate an entry point on input read from standard input.
    Eval {
        /// Pack directory or bundle file.
        pack: PathBuf,
        /// Entry point (checkout, triage, retry or a custom one).
        #[arg(long, short)]
        entry: String,
        /// Evaluation time, RFC 3339 (time is an input: there is no default clock).
        #[arg(long)]
        now: String,
        /// JSON file with the context (triage and custom entries).
        #[arg(long)]
        context: Option<PathBuf>,
        /// Read one input per line and write one answer per line.
        #[arg(long)]
        ndjson: bool,
        /// Report fuel (Wasm instructions) and time per call on standard error.
        #[arg(long)]
        stats: bool,
        /// Record what the rules did: the answer gains a `trace` member (each
        /// function called with its arguments and result, each table row
        /// matched, each rule fired), and the trace is drawn as a tree on
        /// standard error.
        #[arg(long)]
        trace: bool,
        #[command(flatten)]
        runtime: RuntimeArgs,
    },
    /// Evaluate a decision `ordex serve` stored again, with its stored call on
    /// the bundle that made it, and say whether the answer is byte-identical
    /// (exit status 1 when it is not).
    Replay {
        /// The service's database (`ordex-data/ordex.db`).
        #[arg(long)]
        database: PathBuf,
        /// The decision: the id of the event it answered.
        #[arg(long)]
        decision: String,
        #[command(flatten)]
        runtime: RuntimeArgs,
    },
    /// Evaluate the decisions `ordex serve` stored over a period again with a
    /// candidate bundle, before activating it, and report what would change:
    /// routes, urgencies, workflows and actions per exception kind, the order
    /// value moving between self-healing and agents, and examples.
    Whatif {
        /// The service's database (`ordex-data/ordex.db`).
        #[arg(long)]
        database: PathBuf,
        /// The candidate: a pack directory or a bundle file.
        #[arg(long)]
        bundle: PathBuf,
        /// The period: `7d`, `24h`, `90m`, or an RFC 3339 time.
        #[arg(long, default_value = "7d")]
        since: String,
        #[command(flatten)]
        runtime: RuntimeArgs,
    },
    /// Write the pack as one bundle file whose content hash is its id.
    Bundle {
        /// Pack directory.
        pack: PathBuf,
        /// Output file.
        #[arg(long, short)]
        output: PathBuf,
        /// Keep only these entries and what they use (for example
        /// `--entries checkout` for a storefront page): other entries'
        /// rules, unused library functions, parameters, models and the
        /// tests stay out. Comma-separated or repeated.
        #[arg(long, value_delimiter = ',')]
        entries: Vec<String>,
    },
    /// Print (or write) the rule-author reference of every function rules can call.
    Docs {
        /// Output file; standard output when absent.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Show what the built-in domain knowledge covers.
    Knowledge,
    /// Measure evaluations per second (native, wasmtime, and Node and Chromium from --js-results), Wasm instructions per call, start-up and module sizes.
    Bench {
        /// Pack directory (with examples/).
        pack: PathBuf,
        /// The host-ABI module.
        #[arg(long)]
        module: Option<PathBuf>,
        /// Seconds per measurement.
        #[arg(long, default_value_t = 2.0)]
        seconds: f64,
        /// Markdown file to write.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Node and Chromium results of `tests/js/bench.mjs --json`, added as columns.
        #[arg(long)]
        js_results: Option<PathBuf>,
    },
    /// Run the triage service: event intake, cases and agent queue, action outbox.
    Serve(Box<ServeArgs>),
    /// Write the JSON Schemas of every input and output.
    Schema {
        /// Output directory.
        #[arg(long, short)]
        output: PathBuf,
    },
}

/// `ordex check pack | head` closes the pipe early: Rust's `println!` then
/// panics. Exit quietly as a Unix tool does on SIGPIPE (status 141) instead
/// of printing a backtrace; any other panic keeps the default report.
fn quiet_on_closed_stdout() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(141);
        }
        default(info);
    }));
}

fn main() -> ExitCode {
    quiet_on_closed_stdout();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check { pack } => commands::check::run(&pack),
        Command::Test {
            pack,
            filter,
            verbose,
            runtime,
        } => commands::test::run(&pack, filter.as_deref(), verbose, &runtime),
        Command::Whatif {
            database,
            bundle,
            since,
            runtime,
        } => commands::whatif::run(&database, &bundle, &since, &runtime),
        Command::Replay {
            database,
            decision,
            runtime,
        } => commands::replay::run(&database, &decision, &runtime),
        Command::Eval {
            pack,
            entry,
            now,
            context,
            ndjson,
            stats,
            trace,
            runtime,
        } => commands::eval::run(
            &commands::eval::EvalArgs {
                pack: &pack,
                entry: &entry,
                now: &now,
                context: context.as_deref(),
                ndjson,
                stats,
                trace,
            },
            &runtime,
        ),
        Command::Bundle {
            pack,
            output,
            entries,
        } => commands::bundle::run(&pack, &output, &entries),
        Command::Train { model, args } => commands::train::run(model, &args),
        Command::Nab { command } => commands::nab::run(command),
        Command::Simulate { command } => commands::simulate::run(command),
        Command::Serve(args) => serve(*args),
        Command::Schema { output } => commands::schema::run(&output),
        Command::Docs { output } => commands::docs::run(output.as_deref()),
        Command::Knowledge => commands::knowledge::run(),
        Command::New { command } => commands::new::run(&command),
        Command::Bench {
            pack,
            module,
            seconds,
            output,
            js_results,
        } => commands::bench::run(
            &pack,
            module.as_deref(),
            seconds,
            output.as_deref(),
            js_results.as_deref(),
        ),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn serve(a: ServeArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    use ordex_host::serve::{
        BundleCheckLimits, ConnectionLimits, OutboxSettings, ProviderSecrets, ServeConfig,
    };
    use std::time::Duration;
    let api_keys = commands::serve::api_keys(&a.api_keys, &a.database)?;
    let config = ServeConfig {
        addr: a.addr,
        database: a.database,
        pack: a.pack,
        runtime: a.runtime.runtime,
        module: a.runtime.module,
        limits: ordex_host::wasm_host::HostLimits {
            fuel: a.runtime.fuel,
            deadline: Duration::from_millis(a.runtime.deadline_ms),
            load_fuel: a.load_fuel,
            load_deadline: Duration::from_millis(a.load_deadline_ms),
            ..ordex_host::wasm_host::HostLimits::default()
        },
        api_keys,
        outbox: OutboxSettings {
            webhook_url: a.webhook_url,
            webhook_secret: a.webhook_secret,
            max_attempts: a.delivery_attempts.max(1),
            base_backoff: Duration::from_millis(a.delivery_backoff_ms.max(1)),
            max_backoff: Duration::from_secs(3600),
            lease: Duration::from_secs(60),
            timeout: Duration::from_secs(10),
        },
        providers: ProviderSecrets {
            stripe: a.stripe_secret,
            easypost: a.easypost_secret,
            aftership: a.aftership_secret,
            tolerance_secs: 300,
        },
        max_body_bytes: a.max_body_bytes,
        max_bundle_bytes: 16 << 20,
        www: a.www.is_dir().then_some(a.www),
        pkg: a.pkg.is_dir().then_some(a.pkg),
        merchant_id: a.merchant_id,
        public_cors_origin: a.public_cors_origin,
        default_currency: a.default_currency,
        connections: ConnectionLimits {
            header_timeout: Duration::from_millis(a.header_timeout_ms.max(1)),
            body_timeout: Duration::from_millis(a.body_timeout_ms.max(1)),
            write_timeout: Duration::from_millis(a.write_timeout_ms.max(1)),
            max_connections: a.max_connections.max(1),
            inflight_body_bytes: a.inflight_body_bytes,
            webhook_rate_per_sec: a.webhook_rate,
            webhook_burst: a.webhook_burst,
            shutdown_grace: Duration::from_millis(a.shutdown_grace_ms),
        },
        bundle_check: BundleCheckLimits {
            total: Duration::from_secs(a.bundle_check_seconds.max(1)),
            ..BundleCheckLimits::default()
        },
        max_event_age: chrono::Duration::days(a.max_event_age_days.max(1)),
        max_event_skew: chrono::Duration::minutes(a.max_event_skew_minutes.max(0)),
        watch: {
            let mut w = ordex_host::serve::incidents::WatchSettings {
                bucket: chrono::Duration::seconds(a.incident_bucket_seconds.clamp(1, 86_400)),
                ..Default::default()
            };
            w.spec.warmup = a.incident_warmup_buckets;
            w.spec.ratio = a.incident_ratio;
            w.spec.threshold = a.incident_threshold;
            if let Err((field, message)) = w.spec.check() {
                return Err(format!("--incident-{field}: {message}").into());
            }
            w
        },
    };
    Ok(commands::serve::run(config, a.log_json)?)
}
