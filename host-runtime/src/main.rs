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
    },
    /// Print (or write) the rule-author reference of every function rules can call.
    Docs {
        /// Output file; standard output when absent.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Show what the built-in domain knowledge covers.
    Knowledge,
    /// Measure evaluations per second (native and wasmtime), Wasm instructions per call, start-up and module size.
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
    },
    /// Write the JSON Schemas of every input and output.
    Schema {
        /// Output directory.
        #[arg(long, short)]
        output: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check { pack } => commands::check::run(&pack),
        Command::Test {
            pack,
            filter,
            verbose,
            runtime,
        } => commands::test::run(&pack, filter.as_deref(), verbose, &runtime),
        Command::Eval {
            pack,
            entry,
            now,
            context,
            ndjson,
            stats,
            runtime,
        } => commands::eval::run(
            &commands::eval::EvalArgs {
                pack: &pack,
                entry: &entry,
                now: &now,
                context: context.as_deref(),
                ndjson,
                stats,
            },
            &runtime,
        ),
        Command::Bundle { pack, output } => commands::bundle::run(&pack, &output),
        Command::Schema { output } => commands::schema::run(&output),
        Command::Docs { output } => commands::docs::run(output.as_deref()),
        Command::Knowledge => commands::knowledge::run(),
        Command::Bench {
            pack,
            module,
            seconds,
            output,
        } => commands::bench::run(&pack, module.as_deref(), seconds, output.as_deref()),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
