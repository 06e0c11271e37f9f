//! The OWASP CRS regression corpus against the filter.
//!
//! The gate: ≥ 90 % of the paranoia-level-1 attacks blocked over the whole corpus. The rules
//! were written by reading CRS's rule files and checked against this corpus, so the
//! whole-corpus rate flatters them. To see how far they generalise, the report also splits
//! the corpus by rule file into folds (by a hash of the file name, so a rule's cases stay
//! together) and gives each fold's block rate, and the rate per rule family and per file: a
//! fold or file far below the others is a rule whose intent was not captured. The must-pass
//! cases' false-positive rate is reported, not gated (`tests/benign.rs` gates real traffic).
//! `EXPEDITE_CRS_VERBOSE=1` lists every miss.

mod support;

use std::{
    collections::{BTreeMap, HashMap},
    path::Path,
};

use expedite_waf::{RuleSet, inspect};

const MIN_BLOCK_RATE: f64 = 0.90;
/// The worst fold may not fall far below the whole: a fold at 80 % means a rule file whose
/// cases mostly pass.
const MIN_FOLD_BLOCK_RATE: f64 = 0.80;
const FOLDS: u64 = 5;

/// CRS rule id -> the paranoia level at which it is active.
fn paranoia_levels(dir: &Path) -> HashMap<u64, u64> {
    let text = std::fs::read_to_string(dir.join("paranoia-levels.json")).unwrap();
    let levels: HashMap<String, u64> = serde_json::from_str(&text).unwrap();
    levels
        .into_iter()
        .map(|(rule, level)| (rule.parse().unwrap(), level))
        .collect()
}

#[derive(Default, Clone, Copy)]
struct Tally {
    attacks: u32,
    blocked: u32,
}

impl Tally {
    fn add(&mut self, blocked: bool) {
        self.attacks += 1;
        self.blocked += u32::from(blocked);
    }

    fn rate(self) -> f64 {
        f64::from(self.blocked) / f64::from(self.attacks.max(1))
    }

    fn show(self) -> String {
        format!(
            "{}/{} = {:.1} %",
            self.blocked,
            self.attacks,
            self.rate() * 100.0
        )
    }
}

/// FNV-1a: a stable hash, so folds are the same on every machine and run.
fn fold_of(file: &str) -> u64 {
    file.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    }) % FOLDS
}

fn family_of(rule: u64) -> &'static str {
    match rule / 1000 {
        930 => "930 LFI",
        932 => "932 RCE",
        941 => "941 XSS",
        942 => "942 SQLi",
        _ => "other",
    }
}

#[test]
fn crs_corpus_block_rate_by_family_file_and_fold() {
    let dir = support::corpus_dir();
    let levels = paranoia_levels(&dir);
    let rules = RuleSet::new();
    let verbose = std::env::var_os("EXPEDITE_CRS_VERBOSE").is_some();
    let mut total = Tally::default();
    let mut families: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut files: BTreeMap<String, Tally> = BTreeMap::new();
    let mut folds: BTreeMap<u64, (Tally, Vec<String>)> = BTreeMap::new();
    let (mut benign, mut false_positives) = (0_u32, Vec::new());
    for case in support::cases(&dir) {
        let verdict = inspect(&rules, &case.method, &case.uri, &case.headers, &case.body);
        match case.attack_rule {
            Some(rule) if levels.get(&rule) == Some(&1) => {
                let blocked = verdict.is_some();
                total.add(blocked);
                families.entry(family_of(rule)).or_default().add(blocked);
                files.entry(case.file.clone()).or_default().add(blocked);
                let fold = folds.entry(fold_of(&case.file)).or_default();
                fold.0.add(blocked);
                if !fold.1.contains(&case.file) {
                    fold.1.push(case.file.clone());
                }
                if !blocked && verbose {
                    println!(
                        "missed {} {}: {} {:.160}",
                        case.file,
                        case.test,
                        case.uri,
                        String::from_utf8_lossy(&case.body)
                    );
                }
            }
            Some(_) => {}
            None if case.must_not.is_empty() => {}
            None => {
                benign += 1;
                if let Some(block) = verdict {
                    false_positives.push(format!("{} {} ({})", case.file, case.test, block.rule));
                }
            }
        }
    }
    println!("CRS paranoia-level-1 attacks blocked: {}", total.show());
    for (family, tally) in &families {
        println!("  {family}: {}", tally.show());
    }
    let weak: Vec<String> = files
        .iter()
        .filter(|(_, tally)| tally.rate() < 0.9)
        .map(|(file, tally)| format!("{file} {}", tally.show()))
        .collect();
    println!("  files below 90 %: {weak:?}");
    let mut worst_fold = 1.0_f64;
    for (fold, (tally, members)) in &folds {
        worst_fold = worst_fold.min(tally.rate());
        println!(
            "  fold {fold} ({} rule files): {}",
            members.len(),
            tally.show()
        );
    }
    let rates: Vec<f64> = folds.values().map(|(tally, _)| tally.rate()).collect();
    let mean = rates.iter().sum::<f64>() / rates.len().max(1) as f64;
    println!(
        "  fold-wise: mean {:.1} %, worst {:.1} %",
        mean * 100.0,
        worst_fold * 100.0
    );
    let fp_rate = false_positives.len() as f64 / f64::from(benign.max(1));
    println!(
        "CRS must-pass cases blocked (reported, not gated): {}/{benign} = {:.1} %: {false_positives:?}",
        false_positives.len(),
        fp_rate * 100.0
    );
    assert!(
        total.attacks > 0,
        "the corpus holds no paranoia-level-1 attack"
    );
    assert!(
        total.rate() >= MIN_BLOCK_RATE,
        "block rate {:.3} below {MIN_BLOCK_RATE}",
        total.rate()
    );
    assert!(
        worst_fold >= MIN_FOLD_BLOCK_RATE,
        "a fold's block rate {worst_fold:.3} is below {MIN_FOLD_BLOCK_RATE}"
    );
}
