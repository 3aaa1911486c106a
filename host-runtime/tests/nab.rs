//! The anomaly detectors on the Numenta Anomaly Benchmark, scored by the
//! port of NAB's scorer. The whole corpus takes a release build
//! (`ordex nab run`, `docs/anomaly.md`); this test takes the real-world
//! files with known causes and the artificial ones with anomalies, so it
//! stays quick in a debug build and still fails when a detector gets worse.

use std::path::Path;

use ordex_host::nab::{Corpus, Detector, Profile, run_detector, score_corpus};

fn subset() -> Corpus {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/nab");
    let mut corpus = Corpus::load(&root).unwrap_or_else(|e| {
        panic!("NAB is read from ../shared/data/nab (always present in CI): {e}")
    });
    corpus.files.retain(|f| {
        f.name.starts_with("realKnownCause/") || f.name.starts_with("artificialWithAnomaly/")
    });
    assert_eq!(
        corpus.files.len(),
        13,
        "NAB's known-cause and artificial anomaly files"
    );
    corpus
}

fn standard(corpus: &Corpus, detector: Detector) -> f64 {
    let scores: Vec<Vec<f64>> = corpus
        .files
        .iter()
        .map(|f| run_detector(detector, f))
        .collect();
    score_corpus(corpus, &scores, &Profile::ALL[0]).normalized
}

#[test]
fn the_context_detector_beats_nabs_gaussian_baseline_by_a_wide_margin() {
    let corpus = subset();
    let context = standard(&corpus, Detector::Context);
    let gaussian = standard(&corpus, Detector::WindowedGaussian);
    eprintln!(
        "NAB subset, standard profile: context {context:.2}, windowed Gaussian {gaussian:.2}"
    );
    // Measured: context 49.96, Gaussian 12.07 (the whole corpus: 69.96 and 40.13).
    assert!(context >= 45.0, "context scores {context:.2}");
    assert!(
        context >= gaussian + 25.0,
        "context {context:.2} vs Gaussian {gaussian:.2}"
    );
}

#[test]
fn a_detector_that_never_fires_scores_zero_and_one_that_always_fires_scores_below_zero() {
    let corpus = subset();
    let none: Vec<Vec<f64>> = corpus
        .files
        .iter()
        .map(|f| vec![0.0; f.values.len()])
        .collect();
    let all: Vec<Vec<f64>> = corpus
        .files
        .iter()
        .map(|f| vec![1.0; f.values.len()])
        .collect();
    for p in &Profile::ALL {
        assert_eq!(score_corpus(&corpus, &none, p).normalized, 0.0);
        // The optimiser may still choose "never": the best is "no detections".
        assert!(score_corpus(&corpus, &all, p).normalized <= 0.0);
    }
}
