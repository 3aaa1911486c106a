//! `ordex train risk`: the cancellation-risk model from an invoice log,
//! split by time (train on what was known by `--until`, score on the
//! months after), with the baseline beside it.

use std::process::ExitCode;
use std::time::Instant;

use chrono::NaiveDateTime;
use ordex_host::train::risk::{FitOptions, auc, calibration, fit, precision_at_top, read_orders};

use super::train::TrainArgs;

/// Runs `ordex train risk`.
pub fn run(a: &TrainArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let started = Instant::now();
    let until = a
        .until
        .ok_or("`ordex train risk` needs --until YYYY-MM-DD (the time split)")?;
    let cut: NaiveDateTime = until.and_hms_opt(23, 59, 59).ok_or("bad --until")?;
    let horizon = chrono::Duration::days(a.horizon_days);
    let (orders, last) = read_orders(&a.data, a.horizon_days)?;
    // Train only on orders whose whole horizon ended by the cut; score only
    // on orders after it whose horizon the log covers.
    let train: Vec<_> = orders.iter().filter(|o| o.at + horizon <= cut).collect();
    let test: Vec<_> = orders
        .iter()
        .filter(|o| o.at > cut && o.at + horizon <= last)
        .collect();
    if train.len() < 100 || test.len() < 100 {
        return Err(format!(
            "too few orders: {} to train on, {} to score",
            train.len(),
            test.len()
        )
        .into());
    }
    let rate = |set: &[&ordex_host::train::risk::Labelled]| {
        set.iter().filter(|o| o.cancelled).count() as f64 / set.len() as f64
    };
    eprintln!(
        "{} orders of known customers; training on {} up to {} ({:.1}% cancelled), scoring {} after it ({:.1}% cancelled)",
        orders.len(),
        train.len(),
        until,
        100.0 * rate(&train),
        test.len(),
        100.0 * rate(&test)
    );
    let rows: Vec<_> = train.iter().map(|o| (&o.input, o.cancelled)).collect();
    let about = vec![
        format!(
            "trained by `ordex train risk --data {} --until {until} --horizon-days {}`",
            a.data
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default(),
            a.horizon_days
        ),
        format!(
            "{} training orders up to {until}; label: a product of the order cancelled within {} days",
            train.len(),
            a.horizon_days
        ),
    ];
    let mut model = fit(
        &rows,
        &FitOptions {
            l2: 1e-3,
            iterations: 25,
            min_country_orders: 100,
        },
        about,
    );
    // UCI Online Retail's prices are in pounds sterling.
    model.currency = Some(a.currency.clone());
    let labels: Vec<bool> = test.iter().map(|o| o.cancelled).collect();
    let scores: Vec<f64> = test.iter().map(|o| model.probability(&o.input)).collect();
    let baseline: Vec<f64> = test
        .iter()
        .map(|o| f64::from(o.input.prior_cancellations) / f64::from(o.input.prior_orders.max(1)))
        .collect();
    let (m_auc, b_auc) = (auc(&scores, &labels), auc(&baseline, &labels));
    let (m_top, b_top) = (
        precision_at_top(&scores, &labels, 0.1),
        precision_at_top(&baseline, &labels, 0.1),
    );
    model.about.push(format!(
        "scored on {} later orders: ROC AUC {m_auc:.4} (baseline {b_auc:.4}), precision in the top decile {m_top:.4} (baseline {b_top:.4})",
        test.len()
    ));
    let text = model.to_text();
    if let Some(dir) = a.output.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&a.output, &text)?;
    println!("| model | ROC AUC | precision, top decile |\n|---|---|---|");
    println!("| ordex risk model | {m_auc:.4} | {m_top:.4} |");
    println!("| baseline: the customer's past cancellation rate | {b_auc:.4} | {b_top:.4} |");
    println!(
        "\ncalibration on the later orders (deciles of the score):\n| scores | orders | predicted | observed |\n|---|---|---|---|"
    );
    for c in calibration(&scores, &labels) {
        println!(
            "| {:.3}–{:.3} | {} | {:.3} | {:.3} |",
            c.range.0, c.range.1, c.count, c.predicted, c.observed
        );
    }
    println!(
        "\nbands: medium ≥ {:.4}, high ≥ {:.4}; {} features; {} bytes; {:.1} s",
        model.bands.0,
        model.bands.1,
        model.weights.len(),
        text.len(),
        started.elapsed().as_secs_f64()
    );
    println!("wrote {}", a.output.display());
    Ok(ExitCode::SUCCESS)
}
