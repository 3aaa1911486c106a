//! `ordex simulate retries`: the rule pack's fixed retry schedule against the
//! learner, in worlds whose ground truth is a file, over many seeds.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Subcommand};
use ordex_core::learn::retry_bandit::LearnerSpec;
use ordex_host::simulate::report::{Panel, svg};
use ordex_host::simulate::{SeedResult, World, run_seed};

/// Subcommands of `ordex simulate`.
#[derive(Subcommand)]
pub enum SimulateCommand {
    /// Payment retries: fixed schedule against the learner.
    Retries(RetryArgs),
}

/// Flags of `ordex simulate retries`.
#[derive(Args)]
pub struct RetryArgs {
    /// World files (JSON); give several to compare them in one report.
    #[arg(long, required = true)]
    world: Vec<PathBuf>,
    /// Seeds per world (1, 2, …).
    #[arg(long, default_value_t = 20)]
    seeds: u64,
    /// Days at the start that are learning time, not scored.
    #[arg(long, default_value_t = 30)]
    warmup_days: u32,
    /// Rule pack whose `retry` entry is the fixed schedule.
    #[arg(long, default_value = "rules")]
    pack: PathBuf,
    /// Retries a context must have seen before the learner takes over.
    #[arg(long, default_value_t = 150)]
    min_evidence: u32,
    /// Where to write the SVG report.
    #[arg(long, default_value = "retry-simulation.svg")]
    svg: PathBuf,
    /// Also print the results as JSON lines (one per world).
    #[arg(long)]
    json: bool,
}

fn mean_sd(xs: &[f64]) -> (f64, f64) {
    let n = xs.len().max(1) as f64;
    let m = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0).max(1.0);
    (m, var.sqrt())
}

/// Runs `ordex simulate`.
pub fn run(cmd: SimulateCommand) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let SimulateCommand::Retries(a) = cmd;
    let Some(engine) = super::engine(&a.pack)? else {
        return Ok(ExitCode::FAILURE);
    };
    let spec = LearnerSpec {
        min_evidence: a.min_evidence,
        ..LearnerSpec::default()
    };
    let mut panels = Vec::new();
    let mut violations = 0;
    println!(
        "| world | policy | recovery rate | revenue recovered | attempts per decline | learned attempts | network violations |"
    );
    println!("|---|---|---|---|---|---|---|");
    let mut lines = Vec::new();
    for path in &a.world {
        let world = World::load(path)?;
        let started = Instant::now();
        let mut results: Vec<SeedResult> = Vec::new();
        for seed in 1..=a.seeds.max(1) {
            results.push(run_seed(&world, &engine, &spec, seed, a.warmup_days));
            eprint!(
                "\r{}: seed {seed}/{} ({:.0} s)",
                world.name,
                a.seeds,
                started.elapsed().as_secs_f64()
            );
            let _ = std::io::stderr().flush();
        }
        eprintln!();
        let rate = |r: &SeedResult, learner: bool| {
            if learner {
                r.learner.recovery_rate()
            } else {
                r.fixed.recovery_rate()
            }
        };
        let lifts: Vec<f64> = results
            .iter()
            .map(|r| {
                (r.learner.revenue_recovered as f64 / r.fixed.revenue_recovered.max(1) as f64) - 1.0
            })
            .collect();
        let (lift, lift_sd) = mean_sd(&lifts);
        for learner in [false, true] {
            let rates: Vec<f64> = results.iter().map(|r| rate(r, learner)).collect();
            let (m, sd) = mean_sd(&rates);
            let pick = |r: &SeedResult| {
                if learner {
                    r.learner.clone()
                } else {
                    r.fixed.clone()
                }
            };
            let sum =
                results
                    .iter()
                    .map(pick)
                    .fold((0i64, 0i64, 0u64, 0u64, 0u64, 0u64), |acc, p| {
                        (
                            acc.0 + p.revenue_recovered,
                            acc.1 + p.revenue_total,
                            acc.2 + p.attempts,
                            acc.3 + p.declines,
                            acc.4 + p.learned_attempts,
                            acc.5 + p.violations,
                        )
                    });
            violations += sum.5;
            println!(
                "| {} | {} | {:.2}% ± {:.2} | {:.2}% of {:.0} (major units) per seed | {:.2} | {:.0}% | {} |",
                world.name,
                if learner {
                    "learner"
                } else {
                    "rule pack's schedule"
                },
                m * 100.0,
                sd * 100.0,
                100.0 * sum.0 as f64 / sum.1.max(1) as f64,
                sum.1 as f64 / 100.0 / results.len() as f64,
                sum.2 as f64 / sum.3.max(1) as f64,
                100.0 * sum.4 as f64 / sum.2.max(1) as f64,
                sum.5
            );
        }
        let summary = format!(
            "revenue recovered: learner {:+.1}% ± {:.1} (sd over {} seeds) against the rule pack's schedule",
            lift * 100.0,
            lift_sd * 100.0,
            results.len()
        );
        println!(
            "| {} | **learner ÷ schedule − 1** | {summary} | | | | |",
            world.name
        );
        let days = results[0].fixed.daily.len();
        let sum_daily = |learner: bool| -> Vec<(u64, u64)> {
            (0..days)
                .map(|d| {
                    results.iter().fold((0, 0), |(a, b), r| {
                        let p = if learner { &r.learner } else { &r.fixed };
                        (a + p.daily[d].0, b + p.daily[d].1)
                    })
                })
                .collect()
        };
        panels.push(Panel {
            name: world.name.clone(),
            fixed: sum_daily(false),
            learner: sum_daily(true),
            summary,
        });
        lines.push(serde_json::json!({
            "world": world.name, "seeds": results.len(), "warmup_days": a.warmup_days,
            "lift_mean": lift, "lift_sd": lift_sd,
            "fixed_recovery": mean_sd(&results.iter().map(|r| rate(r, false)).collect::<Vec<_>>()).0,
            "learner_recovery": mean_sd(&results.iter().map(|r| rate(r, true)).collect::<Vec<_>>()).0,
        }));
    }
    std::fs::write(&a.svg, svg(&panels))?;
    println!("\nreport: {}", a.svg.display());
    if a.json {
        for l in lines {
            println!("{l}");
        }
    }
    if violations > 0 {
        eprintln!("error: {violations} attempt(s) broke a card-network rule");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
