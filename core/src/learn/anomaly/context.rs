//! A contextual detector for any numeric series, after Smirnov's
//! Contextual Anomaly Detector (the CAD OSE entry to the 2016 NAB
//! competition): each value becomes a few binary "facts"; the detector
//! remembers which sets of facts followed which ("contexts": a left
//! semi-context of earlier facts and active contexts, a right one of the
//! current facts); a step whose facts the remembered contexts did not
//! predict, and which forces many new contexts, is anomalous.
//!
//! Integer bookkeeping only (counts, ids, sorted fact lists), so the score
//! is exact on every platform. Memory is bounded by `max_contexts`: when
//! full, the detector keeps scoring with what it knows and stops learning.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde::{Deserialize, Serialize};

/// Settings of a [`ContextState`] detector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContextSpec {
    /// Lowest value expected (lower values count as this).
    pub min: f64,
    /// Highest value expected (higher values count as this).
    pub max: f64,
    /// Bits a value is quantised to (2^bits levels), 1..=8.
    #[serde(default = "default_bits")]
    pub bits: u32,
    /// Longest left semi-context that may grow new contexts.
    #[serde(default = "default_max_left")]
    pub max_left_facts: u32,
    /// Most active contexts carried forward as facts.
    #[serde(default = "default_max_active")]
    pub max_active: u32,
    /// A score at or above this starts a rest period.
    #[serde(default = "default_threshold")]
    pub rest_threshold: f64,
    /// Steps after a high score during which scores are reported as 0, so
    /// one incident is reported once.
    #[serde(default = "default_rest")]
    pub rest_period: u32,
    /// Contexts remembered at most; learning stops when full.
    #[serde(default = "default_max_contexts")]
    pub max_contexts: u32,
}

fn default_bits() -> u32 {
    3
}
fn default_max_left() -> u32 {
    7
}
fn default_max_active() -> u32 {
    15
}
fn default_threshold() -> f64 {
    0.75
}
fn default_rest() -> u32 {
    30
}
fn default_max_contexts() -> u32 {
    50_000
}

impl ContextSpec {
    /// A spec for values in `min..=max` with the published defaults.
    pub fn new(min: f64, max: f64) -> Self {
        ContextSpec {
            min,
            max,
            bits: default_bits(),
            max_left_facts: default_max_left(),
            max_active: default_max_active(),
            rest_threshold: default_threshold(),
            rest_period: default_rest(),
            max_contexts: default_max_contexts(),
        }
    }

    /// Problems with the settings, as (field, message).
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        if !self.min.is_finite() || !self.max.is_finite() {
            return Err(("min", "min and max must be finite numbers".into()));
        }
        if self.max < self.min {
            return Err(("max", format!("max {} is below min {}", self.max, self.min)));
        }
        if !(1..=8).contains(&self.bits) {
            return Err(("bits", format!("{} is outside 1..=8", self.bits)));
        }
        if !(1..=64).contains(&self.max_left_facts) || !(1..=256).contains(&self.max_active) {
            return Err((
                "max_active",
                "max_left_facts 1..=64, max_active 1..=256".into(),
            ));
        }
        if !(0.0..=1.0).contains(&self.rest_threshold) {
            return Err(("rest_threshold", "must be in 0..=1".into()));
        }
        if self.rest_period > 100_000 || !(1..=1_000_000).contains(&self.max_contexts) {
            return Err((
                "max_contexts",
                "rest_period ≤ 100000, max_contexts 1..=1000000".into(),
            ));
        }
        Ok(())
    }

    fn facts(&self, value: f64) -> Vec<u32> {
        let levels = (1u32 << self.bits) - 1;
        let range = if self.max > self.min {
            self.max - self.min
        } else {
            f64::from(levels)
        };
        let step = range / f64::from(levels);
        let level = ((value - self.min) / step).floor();
        let level = if level.is_nan() || level < 0.0 {
            0
        } else if level > f64::from(levels) {
            levels
        } else {
            level as u32
        };
        (0..self.bits).map(|i| i * 2 + ((level >> i) & 1)).collect()
    }
}

/// One remembered context: a left and a right semi-context.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Context {
    /// Times the context was fully active.
    count: u64,
    /// Whether the context was seen directly (left group → current facts).
    zero_level: bool,
    /// Tie-break keys: content hashes of the two semi-contexts.
    left_key: u64,
    right_key: u64,
}

/// A set of facts that appears as one side of contexts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Semi {
    facts: Vec<u32>,
    /// Facts of the last crossing that this semi-context contains.
    hits: Vec<u32>,
    /// For left semi-contexts: (right semi-context id, context id), sorted
    /// by right id. (Pairs, not a map: JSON object keys are strings.)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    rights: Vec<(u32, u32)>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Side {
    semis: Vec<Semi>,
    /// Semi-contexts hit by the last crossing, ascending.
    crossed: Vec<u32>,
    #[serde(skip)]
    by_facts: BTreeMap<Vec<u32>, u32>,
    #[serde(skip)]
    by_fact: BTreeMap<u32, Vec<u32>>,
}

impl Side {
    fn reindex(&mut self) {
        self.by_facts.clear();
        self.by_fact.clear();
        for (id, semi) in self.semis.iter().enumerate() {
            self.by_facts.insert(semi.facts.clone(), id as u32);
            for f in &semi.facts {
                self.by_fact.entry(*f).or_default().push(id as u32);
            }
        }
    }

    fn intern(&mut self, facts: &[u32]) -> u32 {
        if let Some(id) = self.by_facts.get(facts) {
            return *id;
        }
        let id = self.semis.len() as u32;
        self.semis.push(Semi {
            facts: facts.to_vec(),
            hits: Vec::new(),
            rights: Vec::new(),
        });
        self.by_facts.insert(facts.to_vec(), id);
        for f in facts {
            self.by_fact.entry(*f).or_default().push(id);
        }
        id
    }

    fn cross(&mut self, facts: &[u32]) {
        for id in std::mem::take(&mut self.crossed) {
            self.semis[id as usize].hits.clear();
        }
        let mut touched = BTreeSet::new();
        for f in facts {
            if let Some(ids) = self.by_fact.get(f) {
                for id in ids {
                    self.semis[*id as usize].hits.push(*f);
                    touched.insert(*id);
                }
            }
        }
        self.crossed = touched.into_iter().collect();
    }
}

/// The detector's state: everything it learned. Serialisable; indexes are
/// rebuilt after deserialisation by [`ContextState::step`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContextState {
    left_group: Vec<u32>,
    sides: [Side; 2],
    contexts: Vec<Context>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    new_context: Option<u32>,
    /// Recent raw scores (the rest period looks back over them).
    recent: VecDeque<f64>,
    /// Values seen.
    steps: u64,
    #[serde(skip)]
    indexed: bool,
}

impl Default for ContextState {
    fn default() -> Self {
        ContextState {
            left_group: Vec::new(),
            sides: [Side::default(), Side::default()],
            contexts: Vec::new(),
            new_context: None,
            // Start as if just after an alarm: the first steps learn quietly.
            recent: VecDeque::from([1.0]),
            steps: 0,
            indexed: true,
        }
    }
}

type Pair = (Vec<u32>, Vec<u32>);

impl ContextState {
    /// Whether the state came from outside (deserialised) and has not been
    /// checked and indexed yet.
    pub fn needs_check(&self) -> bool {
        !self.indexed
    }

    /// Checks that a state read from outside is consistent: every id it
    /// holds points at something it holds. A state that fails is refused
    /// rather than stepped (it would index out of bounds).
    pub fn check(&self) -> Result<(), String> {
        let [left, right] = &self.sides;
        for (name, side) in [("sides[0]", left), ("sides[1]", right)] {
            if let Some(id) = side
                .crossed
                .iter()
                .find(|id| **id as usize >= side.semis.len())
            {
                return Err(format!(
                    "{name}.crossed names semi-context {id}, which does not exist"
                ));
            }
            if side.crossed.windows(2).any(|w| w[0] >= w[1]) {
                return Err(format!("{name}.crossed must be ascending"));
            }
        }
        for (i, semi) in left.semis.iter().enumerate() {
            for (r, c) in &semi.rights {
                if *r as usize >= right.semis.len() || *c as usize >= self.contexts.len() {
                    return Err(format!(
                        "sides[0].semis[{i}].rights names a missing semi-context or context"
                    ));
                }
            }
            if semi.rights.windows(2).any(|w| w[0].0 >= w[1].0) {
                return Err(format!(
                    "sides[0].semis[{i}].rights must be sorted by right id"
                ));
            }
        }
        if right.semis.iter().any(|s| !s.rights.is_empty()) {
            return Err("sides[1] semi-contexts have no rights".into());
        }
        if self
            .new_context
            .is_some_and(|c| c as usize >= self.contexts.len())
        {
            return Err("new_context names a missing context".into());
        }
        if self.recent.iter().any(|x| !x.is_finite()) {
            return Err("recent scores must be finite".into());
        }
        Ok(())
    }

    /// Values seen so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Contexts learned so far.
    pub fn contexts(&self) -> usize {
        self.contexts.len()
    }

    /// Scores one value: (score in 0..=1 after the rest period, raw score).
    pub fn step(&mut self, spec: &ContextSpec, value: f64) -> (f64, f64) {
        if !self.indexed {
            self.sides[0].reindex();
            self.sides[1].reindex();
            self.indexed = true;
        }
        self.steps = self.steps.saturating_add(1);
        let facts = spec.facts(value);
        let (predicted, novel) = self.learn(spec, facts);
        let raw = (1.0 - predicted + novel) / 2.0;
        let rest = spec.rest_period.max(1) as usize;
        let resting = self.recent.iter().any(|s| *s >= spec.rest_threshold);
        self.recent.push_back(raw);
        while self.recent.len() > rest {
            self.recent.pop_front();
        }
        (if resting { 0.0 } else { raw }, raw)
    }

    /// One learning step on sorted facts: (share of selected contexts that
    /// were active, share of potential new contexts that were new).
    fn learn(&mut self, spec: &ContextSpec, facts: Vec<u32>) -> (f64, f64) {
        let mut unique: BTreeSet<Pair> = BTreeSet::new();
        let new_direct = if !self.left_group.is_empty() && !facts.is_empty() {
            let direct = (self.left_group.clone(), facts.clone());
            let added = self.remember(spec, &direct, true);
            unique.insert(direct);
            added
        } else {
            false
        };
        self.sides[1].cross(&facts);
        let (mut active, selected, potential) = self.active_contexts(spec, new_direct);
        let predicted = if selected > 0 {
            active.len() as f64 / selected as f64
        } else {
            0.0
        };
        unique.extend(potential.iter().cloned());
        active.sort_by_key(|&(id, count, l, r)| (count, l, r, id));
        let keep = spec.max_active as usize;
        let neurons = active[active.len().saturating_sub(keep)..]
            .iter()
            .map(|(id, ..)| (1u32 << 31) + id);
        let group: BTreeSet<u32> = facts.iter().copied().chain(neurons).collect();
        self.left_group = group.into_iter().collect();
        let mut added = 0usize;
        for pair in &potential {
            if self.remember(spec, pair, false) {
                added += 1;
            }
        }
        let left = self.left_group.clone();
        self.sides[0].cross(&left);
        if new_direct {
            added += 1;
        }
        let novel = if new_direct && !unique.is_empty() {
            added as f64 / unique.len() as f64
        } else {
            0.0
        };
        (predicted, novel)
    }

    /// Adds a context unless known; true when it was new.
    fn remember(&mut self, spec: &ContextSpec, (left, right): &Pair, direct: bool) -> bool {
        if self.contexts.len() >= spec.max_contexts as usize {
            return false;
        }
        let l = self.sides[0].intern(left);
        let r = self.sides[1].intern(right);
        let next = self.contexts.len() as u32;
        let semi = &mut self.sides[0].semis[l as usize];
        match semi.rights.binary_search_by_key(&r, |p| p.0) {
            Ok(at) => {
                let id = semi.rights[at].1;
                if direct {
                    self.contexts[id as usize].zero_level = true;
                }
                false
            }
            Err(at) => {
                semi.rights.insert(at, (r, next));
                self.contexts.push(Context {
                    count: 0,
                    zero_level: direct,
                    left_key: fnv(left),
                    right_key: fnv(right),
                });
                if direct {
                    self.new_context = Some(next);
                }
                true
            }
        }
    }

    /// Contexts whose left side is fully present: which of them the current
    /// facts complete (active), how many there were (selected), and new
    /// contexts suggested by partial matches.
    #[allow(clippy::type_complexity)]
    fn active_contexts(
        &mut self,
        spec: &ContextSpec,
        new_direct: bool,
    ) -> (Vec<(u32, u64, u64, u64)>, usize, Vec<Pair>) {
        let mut active = Vec::new();
        let mut selected = 0usize;
        let mut potential = Vec::new();
        let [left_side, right_side] = &self.sides;
        for &lid in &left_side.crossed {
            let left = &left_side.semis[lid as usize];
            let left_full = left.hits.len() == left.facts.len();
            let may_grow = new_direct && left.hits.len() <= spec.max_left_facts as usize;
            for &(rid, cid) in &left.rights {
                if self.new_context == Some(cid) {
                    continue;
                }
                let right = &right_side.semis[rid as usize];
                let context = &mut self.contexts[cid as usize];
                if left_full {
                    selected += 1;
                    if right.hits.is_empty() {
                        continue;
                    }
                    if right.hits.len() == right.facts.len() {
                        context.count = context.count.saturating_add(1);
                        active.push((cid, context.count, context.left_key, context.right_key));
                    } else if context.zero_level && may_grow {
                        potential.push((left.hits.clone(), right.hits.clone()));
                    }
                } else if context.zero_level && may_grow && !right.hits.is_empty() {
                    potential.push((left.hits.clone(), right.hits.clone()));
                }
            }
        }
        self.new_context = None;
        (active, selected, potential)
    }
}

fn fnv(facts: &[u32]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for f in facts {
        for b in f.to_le_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(values: &[f64], spec: &ContextSpec) -> Vec<f64> {
        let mut s = ContextState::default();
        values.iter().map(|v| s.step(spec, *v).0).collect()
    }

    #[test]
    fn a_repeating_pattern_becomes_predictable_and_a_break_in_it_scores_high() {
        let spec = ContextSpec::new(0.0, 10.0);
        let mut values: Vec<f64> = (0..600)
            .map(|i| f64::from([1, 3, 5, 7, 9, 7, 5, 3][i % 8]))
            .collect();
        let normal_tail = run(&values, &spec)[500..]
            .iter()
            .cloned()
            .fold(0.0, f64::max);
        values[560] = 0.0;
        values[561] = 10.0;
        let scores = run(&values, &spec);
        let at_break = scores[560..566].iter().cloned().fold(0.0, f64::max);
        assert!(
            normal_tail < 0.3,
            "a learned pattern scores low: {normal_tail}"
        );
        assert!(
            at_break > 0.6 && at_break > normal_tail + 0.3,
            "the break scores {at_break}"
        );
    }

    #[test]
    fn state_survives_serialisation_and_continues_identically() {
        let spec = ContextSpec::new(0.0, 100.0);
        let values: Vec<f64> = (0..400).map(|i| f64::from((i * 37 % 101) as u32)).collect();
        let mut a = ContextState::default();
        for v in &values[..200] {
            a.step(&spec, *v);
        }
        let text = serde_json::to_string(&a).unwrap();
        let mut b: ContextState = serde_json::from_str(&text).unwrap();
        for v in &values[200..] {
            assert_eq!(a.step(&spec, *v), b.step(&spec, *v));
        }
    }

    #[test]
    fn an_inconsistent_state_from_outside_is_refused_not_stepped() {
        let spec = ContextSpec::new(0.0, 10.0);
        let mut s = ContextState::default();
        for v in [1.0, 5.0, 9.0, 1.0, 5.0, 9.0] {
            s.step(&spec, v);
        }
        let mut json = serde_json::to_value(&s).unwrap();
        json["sides"][0]["crossed"] = serde_json::json!([0, 999]);
        let bad: ContextState = serde_json::from_value(json).unwrap();
        assert!(bad.needs_check());
        assert!(bad.check().unwrap_err().contains("crossed"));
        let good: ContextState = serde_json::from_value(serde_json::to_value(&s).unwrap()).unwrap();
        assert!(good.check().is_ok());
    }

    #[test]
    fn memory_stays_within_max_contexts() {
        let mut spec = ContextSpec::new(0.0, 255.0);
        spec.bits = 8;
        spec.max_contexts = 500;
        let mut s = ContextState::default();
        for i in 0..5_000u32 {
            let (score, raw) = s.step(&spec, f64::from(i.wrapping_mul(2_654_435_761) % 256));
            assert!((0.0..=1.0).contains(&score) && (0.0..=1.0).contains(&raw));
        }
        assert!(s.contexts() <= 500);
    }
}
