//! `ordex train intents|carrier-notes`: trains a text model on labelled
//! rows, scores it on a seeded held-out split, writes the model (the file a
//! pack declares in `[models]`) and a confusion-matrix picture beside it.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, ValueEnum};
use ordex_host::train::metrics::abstention_rate;
use ordex_host::train::{
    Evaluation, Example, TrainOptions, evaluate, read_csv, stratified_split, svg, train,
};

/// Which model.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ModelKind {
    /// Customer-message intents (`intent(text)` in rules).
    Intents,
    /// Free-text carrier notes (`carrier_note(text)` in rules).
    CarrierNotes,
    /// Cancellation risk of an order (`risk_score(order, customer)` in rules),
    /// from an invoice log in UCI Online Retail's layout.
    Risk,
}

/// Flags of `ordex train`.
#[derive(Args)]
pub struct TrainArgs {
    /// Labelled rows: a CSV file with a header row.
    #[arg(long)]
    pub(crate) data: PathBuf,
    /// Column holding the text.
    #[arg(long, default_value = "text")]
    text_column: String,
    /// Column holding the label.
    #[arg(long, default_value = "label")]
    label_column: String,
    /// Seed of the split and of the training order.
    #[arg(long, default_value_t = 7)]
    pub(crate) seed: u64,
    /// Share of each label held out for scoring.
    #[arg(long, default_value_t = 0.2)]
    test_share: f64,
    /// Hash buckets (a power of two; the model holds buckets × labels bytes).
    #[arg(long, default_value_t = 8192)]
    buckets: u32,
    /// Passes over the data.
    #[arg(long, default_value_t = 40)]
    epochs: usize,
    /// First learning rate.
    #[arg(long, default_value_t = 8.0)]
    learning_rate: f64,
    /// The model abstains below this top probability.
    #[arg(long, default_value_t = 0.35)]
    min_p: f64,
    /// The model abstains when fewer of the text's words than this were seen in training.
    #[arg(long, default_value_t = 0.5)]
    min_coverage: f64,
    /// More labelled rows (columns `text` and the label column) added to the
    /// training set only: a merchant's own messages, written variants.
    #[arg(long)]
    extra_train: Vec<PathBuf>,
    /// How many times each `--extra-train` row counts: a few hundred written
    /// rows weigh as much as thousands of generated ones.
    #[arg(long, default_value_t = 30)]
    extra_weight: usize,
    /// Labelled rows (columns `text` and the label column) to score the
    /// model on besides the held-out split, e.g. messages in other styles.
    #[arg(long)]
    score: Vec<PathBuf>,
    /// Also train once without each label and report how often its texts abstain.
    #[arg(long)]
    leave_one_out: bool,
    /// Where to write the model (the confusion matrix goes beside it, as .svg).
    #[arg(long, short)]
    pub(crate) output: PathBuf,
    /// Risk: train on orders whose outcome was known by this day
    /// (YYYY-MM-DD); score on the orders after it.
    #[arg(long)]
    pub(crate) until: Option<chrono::NaiveDate>,
    /// Risk: an order counts as cancelled when the customer cancels one of
    /// its products within this many days.
    #[arg(long, default_value_t = 30)]
    pub(crate) horizon_days: i64,
    /// Risk: the currency of the log's prices (ISO 4217).
    #[arg(long, default_value = "GBP")]
    pub(crate) currency: String,
}

fn options(kind: ModelKind, a: &TrainArgs, provenance: String) -> TrainOptions {
    TrainOptions {
        kind: match kind {
            ModelKind::Intents => "intents",
            ModelKind::CarrierNotes => "carrier_notes",
            ModelKind::Risk => "risk",
        }
        .to_owned(),
        buckets: a.buckets,
        epochs: a.epochs,
        learning_rate: a.learning_rate,
        l2: 1e-4,
        seed: a.seed,
        min_p_permille: (a.min_p.clamp(0.0, 1.0) * 1000.0).round() as u32,
        min_coverage_permille: (a.min_coverage.clamp(0.0, 1.0) * 1000.0).round() as u32,
        provenance,
    }
}

fn report(e: &Evaluation) -> String {
    let mut out = format!(
        "accuracy {:.4}  macro-F1 {:.4}  abstained {:.1}% (accuracy on the rest {:.4})\n\n| class | precision | recall | F1 | support |\n|---|---|---|---|---|\n",
        e.accuracy,
        e.macro_f1,
        e.abstained * 100.0,
        e.accuracy_answered
    );
    for c in &e.classes {
        out.push_str(&format!(
            "| {} | {:.3} | {:.3} | {:.3} | {} |\n",
            c.label, c.precision, c.recall, c.f1, c.support
        ));
    }
    out.push_str("\nmost frequent confusions (true → predicted):\n");
    for (t, p, n) in e.confusions.iter().take(10) {
        out.push_str(&format!("  {t} → {p}: {n}\n"));
    }
    out.push_str("\naccuracy / abstention trade-off (top probability threshold):\n| min p | abstained | accuracy on answered |\n|---|---|---|\n");
    for t in &e.trade_off {
        out.push_str(&format!(
            "| {:.1} | {:.1}% | {:.4} |\n",
            f64::from(t.min_p_permille) / 1000.0,
            t.abstained * 100.0,
            t.accuracy_answered
        ));
    }
    out
}

/// Runs `ordex train`.
pub fn run(kind: ModelKind, a: &TrainArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    if let ModelKind::Risk = kind {
        return super::train_risk::run(a);
    }
    let started = Instant::now();
    let examples = read_csv(&a.data, &a.text_column, &a.label_column)?;
    let (mut train_set, test_set) = stratified_split(&examples, a.test_share, a.seed);
    for extra in &a.extra_train {
        let rows = read_csv(extra, "text", &a.label_column)?;
        eprintln!(
            "{}: {} more rows to train on, each counted {} times",
            extra.display(),
            rows.len(),
            a.extra_weight
        );
        for _ in 0..a.extra_weight.max(1) {
            train_set.extend(rows.iter().cloned());
        }
    }
    eprintln!(
        "{} rows: {} to train, {} held out (seed {}, stratified)",
        examples.len(),
        train_set.len(),
        test_set.len(),
        a.seed
    );
    let data_name = a
        .data
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let provenance = format!(
        "trained by `ordex train` on {data_name} ({} rows, {:.0}% held out, seed {}, {} buckets, {} epochs)",
        train_set.len(),
        a.test_share * 100.0,
        a.seed,
        a.buckets,
        a.epochs
    );
    let opts = options(kind, a, provenance);
    let mut progress = |epoch: usize, epochs: usize, loss: f64| {
        eprint!("\repoch {epoch}/{epochs}  loss {loss:.4}   ");
        let _ = std::io::stderr().flush();
    };
    let model = train(&train_set, &opts, &mut progress)?;
    eprintln!();
    let eval = evaluate(&model, &test_set);
    let text = model.to_text();
    if let Some(dir) = a.output.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&a.output, &text)?;
    let picture = a.output.with_extension("confusion.svg");
    if !test_set.is_empty() {
        std::fs::write(
            &picture,
            svg::confusion_matrix(
                &model.labels,
                &eval.matrix,
                &format!("{} on the held-out {} texts", opts.kind, test_set.len()),
            ),
        )?;
    }
    if test_set.is_empty() {
        println!("no held-out split (--test-share 0): see the --score files below");
    } else {
        print!("{}", report(&eval));
    }
    let gz = gzip_len(text.as_bytes());
    println!(
        "\nmodel: {} ({} labels, {} bytes, {} gzip); confusion matrix: {}; {:.1} s",
        a.output.display(),
        model.labels.len(),
        text.len(),
        gz,
        picture.display(),
        started.elapsed().as_secs_f64()
    );
    for file in &a.score {
        let rows = read_csv(file, "text", &a.label_column)?;
        let e = evaluate(&model, &rows);
        println!(
            "\n{} ({} rows): accuracy {:.4}, macro-F1 {:.4}; abstained {:.1}%, accuracy on the rest {:.4}",
            file.display(),
            rows.len(),
            e.accuracy,
            e.macro_f1,
            e.abstained * 100.0,
            e.accuracy_answered
        );
        for (t, p, n) in e.confusions.iter().take(8) {
            println!("  {t} → {p}: {n}");
        }
        if test_set.is_empty() {
            // No split of its own: the first scored file is the held-out set.
            std::fs::write(
                &picture,
                svg::confusion_matrix(
                    &model.labels,
                    &e.matrix,
                    &format!("{} on {} ({} texts)", opts.kind, file.display(), rows.len()),
                ),
            )?;
        }
    }
    if a.leave_one_out {
        println!(
            "\nleave-one-label-out: share of the left-out label's held-out texts that abstain\n| left out | abstained | top answer instead |\n|---|---|---|"
        );
        let mut rates = Vec::new();
        for label in &model.labels {
            let without: Vec<Example> = train_set
                .iter()
                .filter(|e| &e.label != label)
                .cloned()
                .collect();
            let m = train(&without, &opts, &mut |_, _, _| {})?;
            let texts: Vec<&str> = test_set
                .iter()
                .filter(|e| &e.label == label)
                .map(|e| e.text.as_str())
                .collect();
            let rate = abstention_rate(&m, &texts);
            let mut instead: Vec<(String, usize)> = Vec::new();
            for t in &texts {
                let p = m.predict(t).label;
                match instead.iter_mut().find(|(l, _)| *l == p) {
                    Some(e) => e.1 += 1,
                    None => instead.push((p, 1)),
                }
            }
            instead.sort_by_key(|x| std::cmp::Reverse(x.1));
            println!(
                "| {label} | {:.1}% | {} |",
                rate * 100.0,
                instead
                    .first()
                    .map_or(String::new(), |(l, n)| format!("{l} ({n})"))
            );
            rates.push(rate);
        }
        println!(
            "mean abstention on unseen intents: {:.1}%",
            rates.iter().sum::<f64>() / rates.len().max(1) as f64 * 100.0
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn gzip_len(bytes: &[u8]) -> usize {
    use flate2::Compression;
    use flate2::write::GzEncoder;
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    let _ = enc.write_all(bytes);
    enc.finish().map_or(0, |v| v.len())
}
