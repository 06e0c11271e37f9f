//! Realistic, deterministic Accounts: company names from word lists, industries, types,
//! places, revenue, phones and websites, stamped like a real org — spread over the past two
//! weeks, with half of them in bulk-import clusters that share one SystemModstamp second.

use expedite_domain::Timestamp;
use rand::rngs::StdRng;
use rand::seq::SliceRandom as _;
use rand::{Rng as _, SeedableRng as _};

use crate::account::Account;
use crate::store::Store;
use crate::users;

const LEADS: &[&str] = &[
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Northwind",
    "Contoso",
    "Fabrikam",
    "Tailspin",
    "Summit",
    "Pinnacle",
    "Apex",
    "Vertex",
    "Horizon",
    "Evergreen",
    "Cedar",
    "Harbor",
    "Beacon",
    "Atlas",
    "Orion",
    "Nova",
    "Quantum",
    "Fusion",
    "Bright",
    "Clearwater",
    "Prime",
    "Blue Ridge",
    "Red Oak",
    "Silverline",
    "Golden Gate",
    "Iron",
    "Granite",
    "Lumen",
    "Polar",
    "Sierra",
    "Coastal",
    "Keystone",
    "Meridian",
    "Redwood",
    "Sterling",
    "Union",
];
const NOUNS: &[&str] = &[
    "Systems",
    "Logistics",
    "Dynamics",
    "Labs",
    "Solutions",
    "Industries",
    "Partners",
    "Holdings",
    "Networks",
    "Foods",
    "Energy",
    "Health",
    "Analytics",
    "Robotics",
    "Capital",
    "Media",
    "Works",
    "Supply",
    "Pharma",
    "Motors",
    "Software",
    "Aerospace",
    "Textiles",
    "Freight",
];
const SUFFIXES: &[&str] = &[
    "Inc.", "LLC", "Ltd.", "GmbH", "Corp.", "Group", "AG", "", "", "",
];
const INDUSTRIES: &[&str] = &[
    "Agriculture",
    "Apparel",
    "Banking",
    "Biotechnology",
    "Chemicals",
    "Communications",
    "Construction",
    "Consulting",
    "Education",
    "Electronics",
    "Energy",
    "Engineering",
    "Entertainment",
    "Finance",
    "Food & Beverage",
    "Healthcare",
    "Hospitality",
    "Insurance",
    "Machinery",
    "Manufacturing",
    "Media",
    "Not For Profit",
    "Retail",
    "Shipping",
    "Technology",
    "Telecommunications",
    "Transportation",
    "Utilities",
];
const TYPES: &[&str] = &[
    "Prospect",
    "Customer - Direct",
    "Customer - Channel",
    "Channel Partner / Reseller",
    "Installation Partner",
    "Technology Partner",
    "Other",
];
/// Country, dialling code, web domain and cities.
const PLACES: &[(&str, &str, &str, &[&str])] = &[
    (
        "United States",
        "1",
        "com",
        &[
            "New York",
            "San Francisco",
            "Chicago",
            "Austin",
            "Seattle",
            "Boston",
        ],
    ),
    (
        "Germany",
        "49",
        "de",
        &["Berlin", "Munich", "Hamburg", "Cologne"],
    ),
    (
        "United Kingdom",
        "44",
        "co.uk",
        &["London", "Manchester", "Edinburgh"],
    ),
    ("France", "33", "fr", &["Paris", "Lyon", "Toulouse"]),
    ("Japan", "81", "jp", &["Tokyo", "Osaka"]),
    ("Canada", "1", "ca", &["Toronto", "Vancouver", "Montreal"]),
    ("Australia", "61", "com.au", &["Sydney", "Melbourne"]),
    ("Brazil", "55", "com.br", &["São Paulo", "Rio de Janeiro"]),
    ("India", "91", "in", &["Bengaluru", "Mumbai", "Pune"]),
    ("Netherlands", "31", "nl", &["Amsterdam", "Rotterdam"]),
];
const SPAN_MS: i64 = 14 * 24 * 60 * 60 * 1000;
/// The youngest a seeded stamp is, before the `now` it is seeded at.
const MIN_AGE_MS: i64 = 60_000;

/// Adds `n` accounts generated from `seed`, stamped in the two weeks before `now` (and at
/// least [`MIN_AGE_MS`] before it).
pub(crate) fn seed(store: &mut Store, n: usize, seed: u64, now: Timestamp) {
    let mut rng = StdRng::seed_from_u64(seed);
    for stamp in stamps(&mut rng, n, now) {
        let id = store.next_id();
        let account = generate(&mut rng, id, stamp);
        store.put(account);
    }
}

/// Half the rows come in clusters of 100–800 sharing one second (a bulk import), the rest alone.
fn stamps(rng: &mut StdRng, n: usize, now: Timestamp) -> Vec<Timestamp> {
    let instant = |rng: &mut StdRng| {
        let back = rng.gen_range(MIN_AGE_MS..SPAN_MS);
        let at = now.as_millis() - back;
        Timestamp::from_millis(at - at.rem_euclid(1000))
    };
    let clustered = n / 2;
    let mut stamps = Vec::with_capacity(n);
    while stamps.len() < clustered {
        let size = rng.gen_range(100..=800).min(clustered - stamps.len());
        let at = instant(rng);
        stamps.extend(std::iter::repeat_n(at, size));
    }
    while stamps.len() < n {
        stamps.push(instant(rng));
    }
    stamps
}

/// The `now` to seed at so that every stamp (whole seconds, at least [`MIN_AGE_MS`] old) is
/// strictly before `before`; the same random draws as seeding at any other `now`.
pub(crate) fn anchor_before(before: Timestamp) -> Timestamp {
    before.plus_millis(MIN_AGE_MS - 1)
}

fn generate(rng: &mut StdRng, id: String, modstamp: Timestamp) -> Account {
    let pick = |rng: &mut StdRng, list: &[&'static str]| *list.choose(rng).unwrap_or(&"");
    let (lead, noun, suffix) = (pick(rng, LEADS), pick(rng, NOUNS), pick(rng, SUFFIXES));
    let name = [lead, noun, suffix]
        .iter()
        .filter(|w| !w.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    let (country, dial, tld, cities) = PLACES[rng.gen_range(0..PLACES.len())];
    let slug: String = format!("{lead}{noun}")
        .to_lowercase()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let revenue = rng
        .gen_bool(0.9)
        .then(|| (10f64.powf(rng.gen_range(5.0..9.7)) / 1000.0).round() * 1000.0);
    let phone = format!(
        "+{dial} {} {} {:04}",
        rng.gen_range(200..999),
        rng.gen_range(200..999),
        rng.gen_range(0..10_000)
    );
    let created =
        Timestamp::from_millis(modstamp.as_millis() - rng.gen_range(0..90) * 24 * 60 * 60 * 1000);
    // A system change (a recalculation, an owner re-sync) moves SystemModstamp alone.
    let last_modified = if rng.gen_bool(0.1) {
        Timestamp::from_millis(
            (modstamp.as_millis() - rng.gen_range(1..3) * 3_600_000).max(created.as_millis()),
        )
    } else {
        modstamp
    };
    let number = id_number(&id);
    Account {
        name,
        account_type: rng.gen_bool(0.9).then(|| pick(rng, TYPES).to_owned()),
        industry: rng.gen_bool(0.92).then(|| pick(rng, INDUSTRIES).to_owned()),
        annual_revenue: revenue,
        billing_city: Some(pick(rng, cities).to_owned()),
        billing_country: Some(country.to_owned()),
        phone: rng.gen_bool(0.85).then_some(phone),
        website: rng
            .gen_bool(0.8)
            .then(|| format!("https://www.{slug}.{tld}")),
        owner_id: users::user_id(rng.gen_range(1..=users::COUNT)),
        external_id: rng.gen_bool(0.7).then(|| format!("ERP-{number:07}")),
        created_date: created,
        last_modified_date: last_modified,
        system_modstamp: modstamp,
        is_deleted: false,
        id,
    }
}

/// The counter inside a generated id, unique per sandbox, for unique external ids.
fn id_number(id: &str) -> u64 {
    id.get(6..15).map_or(0, |digits| {
        digits.bytes().fold(0u64, |acc, b| {
            let digit = match b {
                b'0'..=b'9' => b - b'0',
                b'A'..=b'Z' => b - b'A' + 10,
                _ => b - b'a' + 36,
            };
            acc * 62 + u64::from(digit)
        })
    })
}
