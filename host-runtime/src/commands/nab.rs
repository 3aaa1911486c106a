//! `ordex nab run|score`: the Numenta Anomaly Benchmark with NAB's scoring.
//! `run` feeds a detector the corpus and scores it on the three profiles;
//! `score` scores per-row results NAB publishes (`results/<detector>/`),
//! which checks the scorer port against NAB's own final scores.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Subcommand};
use ordex_host::nab::{
    Corpus, Detector, NabError, Profile, ProfileScore, run_detector, score_corpus,
};

/// Subcommands of `ordex nab`.
#[derive(Subcommand)]
pub enum NabCommand {
    /// Run a detector over the corpus and score it.
    Run {
        /// The detector.
        #[arg(long, value_enum, default_value = "context")]
        detector: Detector,
        #[command(flatten)]
        common: Common,
    },
    /// Score a directory of per-row results in NAB's layout
    /// (`<dir>/<category>/<name>_<file>.csv` with an `anomaly_score` column).
    Score {
        /// The results directory of one detector, e.g. NAB's `results/numenta`.
        results: PathBuf,
        #[command(flatten)]
        common: Common,
    },
}

/// Flags both subcommands take.
#[derive(Args)]
pub struct Common {
    /// NAB's root (holding `data/` and `labels/`).
    #[arg(long, default_value = "../shared/data/nab")]
    nab: PathBuf,
    /// Also print the scores as one JSON object.
    #[arg(long)]
    json: bool,
}

/// Runs `ordex nab`.
pub fn run(cmd: NabCommand) -> Result<ExitCode, Box<dyn std::error::Error>> {
    run_inner(cmd)?;
    Ok(ExitCode::SUCCESS)
}

fn run_inner(cmd: NabCommand) -> Result<(), NabError> {
    let (name, corpus, scores, common, seconds) = match cmd {
        NabCommand::Run { detector, common } => {
            let corpus = Corpus::load(&common.nab)?;
            let started = Instant::now();
            let scores: Vec<Vec<f64>> = corpus
                .files
                .iter()
                .map(|f| run_detector(detector, f))
                .collect();
            let seconds = started.elapsed().as_secs_f64();
            (
                detector.name().to_owned(),
                corpus,
                scores,
                common,
                Some(seconds),
            )
        }
        NabCommand::Score { results, common } => {
            let corpus = Corpus::load(&common.nab)?;
            let name = results
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let scores = corpus
                .files
                .iter()
                .map(|f| read_results(&results, &name, &f.name, f.values.len()))
                .collect::<Result<Vec<_>, _>>()?;
            (name, corpus, scores, common, None)
        }
    };
    let rows: usize = scores.iter().map(Vec::len).sum();
    let results: Vec<ProfileScore> = Profile::ALL
        .iter()
        .map(|p| score_corpus(&corpus, &scores, p))
        .collect();
    println!(
        "{name}: {} files, {rows} rows, {} windows{}",
        corpus.files.len(),
        corpus.windows(),
        seconds
            .map(|s| format!(", detection {s:.1} s"))
            .unwrap_or_default()
    );
    println!(
        "{:<20} {:>9} {:>10} {:>10} {:>7} {:>7} {:>7}",
        "profile", "score", "raw", "threshold", "TP", "FP", "FN"
    );
    for r in &results {
        println!(
            "{:<20} {:>9.2} {:>10.3} {:>10.6} {:>7} {:>7} {:>7}",
            r.profile.name, r.normalized, r.raw, r.threshold, r.counts[0], r.counts[2], r.counts[3]
        );
    }
    if common.json {
        let obj: serde_json::Map<String, serde_json::Value> = results
            .iter()
            .map(|r| (r.profile.name.to_owned(), serde_json::json!(r.normalized)))
            .collect();
        println!("{}", serde_json::json!({ name: obj }));
    }
    Ok(())
}

fn read_results(dir: &Path, detector: &str, file: &str, rows: usize) -> Result<Vec<f64>, NabError> {
    let (category, base) = file.split_once('/').unwrap_or(("", file));
    let path = dir.join(category).join(format!("{detector}_{base}"));
    let (_, scores) = ordex_host::nab::read_column(&path, "anomaly_score")?;
    if scores.len() != rows {
        return Err(NabError::Format {
            path,
            line: 0,
            message: format!("{} scores for {rows} data rows", scores.len()),
        });
    }
    Ok(scores)
}
