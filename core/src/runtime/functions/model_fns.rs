//! The pack's trained text models, as functions rules call: `intent(text)`
//! for customer messages, `carrier_note(text)` for carrier free text, and
//! `classify(model, text)` for any model the manifest declares.

use std::collections::BTreeMap;
use std::sync::Arc;

use rhai::{Array, Dynamic, Engine, Map};

use super::{Res, reg};
use crate::knowledge::text::{Prediction, TextModel};

const S: &str = "Models";

/// The models of one pack, by manifest name.
pub(crate) type Models = Arc<BTreeMap<String, Arc<TextModel>>>;

fn p(bp: u32) -> Dynamic {
    Dynamic::from_float(f64::from(bp) / 10_000.0)
}

/// The prediction as a Rhai map, the class under `key`.
fn to_map(pred: &Prediction, key: &str) -> Map {
    let top: Array = pred
        .top
        .iter()
        .map(|s| {
            let mut m = Map::new();
            m.insert(key.into(), s.label.clone().into());
            m.insert("p".into(), p(s.p_bp));
            m.into()
        })
        .collect();
    let mut m = Map::new();
    m.insert(key.into(), pred.label.clone().into());
    m.insert("confidence".into(), p(pred.confidence_bp));
    m.insert("abstained".into(), pred.abstained.into());
    m.insert(
        "coverage".into(),
        Dynamic::from_float(f64::from(pred.coverage_permille) / 1000.0),
    );
    m.insert("top".into(), top.into());
    m
}

fn model<'a>(models: &'a Models, name: &str) -> Res<&'a TextModel> {
    models.get(name).map(|m| m.as_ref()).ok_or_else(|| {
        format!("this pack has no `{name}` model: train one with `ordex train` and declare it under [models] in ordex.toml").into()
    })
}

pub(super) fn register(engine: &mut Engine, models: &Models) {
    let m = models.clone();
    reg(
        engine,
        S,
        "intent",
        &["text: &str", "Map"],
        "The intent of a customer message, from the pack's `intents` model:\n`#{intent, confidence, abstained, coverage, top: [#{intent, p}, …]}` (the three most probable).\n`abstained` is true when the model would rather not say: low confidence, words it never saw (`coverage`), or no words.\nThe text is read up to its first 1,000 characters.",
        move |text: &str| -> Res<Map> {
            Ok(to_map(&model(&m, "intents")?.predict(text), "intent"))
        },
    );
    let m = models.clone();
    reg(
        engine,
        S,
        "carrier_note",
        &["text: &str", "Map"],
        "The carrier-taxonomy kind of a carrier's free-text note (`attempt_failed`, `address_problem`, `refused`, `customs_hold`,\n`duties_unpaid`, `delay`, `damaged`, `lost`, `returning_to_sender`, …), from the pack's `carrier_notes` model:\n`#{kind, confidence, abstained, coverage, top: [#{kind, p}, …]}`.",
        move |text: &str| -> Res<Map> {
            Ok(to_map(&model(&m, "carrier_notes")?.predict(text), "kind"))
        },
    );
    let m = models.clone();
    reg(
        engine,
        S,
        "classify",
        &["model: &str", "text: &str", "Map"],
        "Any model the manifest declares under [models]: `#{label, confidence, abstained, coverage, top: [#{label, p}, …]}`.",
        move |name: &str, text: &str| -> Res<Map> {
            Ok(to_map(&model(&m, name)?.predict(text), "label"))
        },
    );
}
