//! The model's read-only tools over the customer store.
//!
//! Everything a tool returns is CRM data, which anyone with Salesforce access could have
//! written: it goes back to the model inside `<crm_data>` delimiters (with `<` escaped so the
//! data cannot close them), is capped in size, and only ids that a tool actually returned may
//! be cited in the answer.

use std::collections::{BTreeMap, HashSet};

use expedite_domain::{Customer, CustomerFilter, CustomerId, CustomerSort, Limit, PageRequest};
use serde::Deserialize;
use serde_json::{Value, json};

use super::ToolSpec;
use crate::store::{CustomerStore, StoreError};

/// How an answer cites a customer: `[customer:<Salesforce id>]`.
pub const CITATION_PREFIX: &str = "customer:";

/// Largest tool output handed back to the model, in bytes.
const MAX_OUTPUT: usize = 12_000;
/// Most records a search lists.
const MAX_MATCHES: usize = 20;
/// Most records one tool call reads from the store (searches and aggregates scan pages).
const MAX_SCANNED: usize = 20_000;

/// The tools the model is offered, by name.
const TOOL_NAMES: [&str; 3] = ["search_customers", "aggregate_customers", "get_customer"];

/// The tools' descriptions and JSON Schemas, as offered to the model.
pub fn tool_specs() -> Vec<ToolSpec> {
    let filters = json!({
        "text": {"type": "string", "description": "Case-insensitive words to find in name, industry, type or city."},
        "industry": {"type": "string", "description": "Exact industry, e.g. \"Banking\"."},
        "country": {"type": "string", "description": "Exact billing country."},
        "type": {"type": "string", "description": "Exact account type, e.g. \"Customer - Direct\"."},
        "min_revenue": {"type": "number", "description": "Lowest annual revenue."},
        "max_revenue": {"type": "number", "description": "Highest annual revenue."}
    });
    let mut search = filters.clone();
    search["sort"] = json!({"type": "string", "enum": CustomerSort::ALL.map(CustomerSort::as_str)});
    search["limit"] = json!({"type": "integer", "minimum": 1, "maximum": MAX_MATCHES});
    let mut aggregate = filters;
    aggregate["group_by"] =
        json!({"type": "string", "enum": ["industry", "country", "type", "city", "none"]});
    vec![
        ToolSpec {
            name: "search_customers",
            description: "Lists customers (Salesforce Accounts) matching filters, with their ids.",
            parameters: json!({"type": "object", "properties": search, "additionalProperties": false}),
        },
        ToolSpec {
            name: "aggregate_customers",
            description: "Counts customers and sums or averages their annual revenue, optionally grouped.",
            parameters: json!({"type": "object", "properties": aggregate, "required": ["group_by"], "additionalProperties": false}),
        },
        ToolSpec {
            name: "get_customer",
            description: "One customer's full record by Salesforce id.",
            parameters: json!({"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"], "additionalProperties": false}),
        },
    ]
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Filters {
    text: Option<String>,
    industry: Option<String>,
    country: Option<String>,
    #[serde(rename = "type")]
    account_type: Option<String>,
    min_revenue: Option<f64>,
    max_revenue: Option<f64>,
    sort: Option<String>,
    limit: Option<usize>,
    group_by: Option<String>,
    id: Option<String>,
}

impl Filters {
    fn admits(&self, customer: &Customer) -> bool {
        let same = |wanted: &Option<String>, value: &Option<String>| match wanted {
            None => true,
            Some(wanted) => value
                .as_deref()
                .is_some_and(|value| value.eq_ignore_ascii_case(wanted.trim())),
        };
        let revenue = customer.annual_revenue;
        same(&self.industry, &customer.industry)
            && same(&self.country, &customer.billing_country)
            && same(&self.account_type, &customer.account_type)
            && self
                .min_revenue
                .is_none_or(|min| revenue.is_some_and(|r| r >= min))
            && self
                .max_revenue
                .is_none_or(|max| revenue.is_some_and(|r| r <= max))
    }
}

/// Runs tool calls against one store and remembers which customers they showed the model.
pub struct ToolBox<'a> {
    store: &'a dyn CustomerStore,
    seen: HashSet<CustomerId>,
}

impl<'a> ToolBox<'a> {
    pub fn new(store: &'a dyn CustomerStore) -> Self {
        Self {
            store,
            seen: HashSet::new(),
        }
    }

    /// Whether a tool returned this customer to the model (only those may be cited).
    pub fn has_seen(&self, id: &CustomerId) -> bool {
        self.seen.contains(id)
    }

    /// Runs one call; the output is delimited, escaped and capped, ready for a tool message.
    /// Bad arguments are reported to the model as the tool's output, so it can correct itself.
    pub async fn run(&mut self, name: &str, arguments: &str) -> Result<String, StoreError> {
        // The name first: a made-up tool is told so, whatever arguments came with it.
        if !TOOL_NAMES.contains(&name) {
            let output = json!({
                "error": format!("there is no tool named {name:?}; the tools are {TOOL_NAMES:?}")
            });
            return Ok(delimit(name, &output));
        }
        let output = match serde_json::from_str::<Filters>(arguments) {
            Err(error) => json!({"error": format!("invalid arguments for {name}: {error}")}),
            Ok(filters) => match name {
                "search_customers" => self.search(&filters).await?,
                "aggregate_customers" => aggregate(self.store, &filters).await?,
                _ => self.get(&filters).await?,
            },
        };
        Ok(delimit(name, &output))
    }

    async fn search(&mut self, filters: &Filters) -> Result<Value, StoreError> {
        let Some(sort) = parse_sort(filters.sort.as_deref()) else {
            return Ok(json!({"error": "unknown sort"}));
        };
        let limit = filters.limit.unwrap_or(10).clamp(1, MAX_MATCHES);
        let mut matches = Vec::new();
        let complete = scan(self.store, filters, sort, |customer| {
            matches.push(customer);
            matches.len() < limit
        })
        .await?;
        self.seen.extend(matches.iter().map(|c| c.id.clone()));
        let rows: Vec<Value> = matches.iter().map(summary).collect();
        Ok(json!({"matches": rows, "more_may_match": !complete}))
    }

    async fn get(&mut self, filters: &Filters) -> Result<Value, StoreError> {
        let Some(id) = filters
            .id
            .as_deref()
            .and_then(|id| CustomerId::parse(id).ok())
        else {
            return Ok(json!({"error": "id must be a 15 or 18 character Salesforce id"}));
        };
        Ok(match self.store.get_customer(&id).await? {
            Some(customer) if !customer.is_deleted => {
                self.seen.insert(customer.id.clone());
                let mut record = summary(&customer);
                record["phone"] = json!(customer.phone);
                record["owner_id"] = json!(customer.owner_id);
                record["last_modified"] = json!(customer.system_modstamp.to_rfc3339());
                record
            }
            _ => json!({"error": "no customer has this id"}),
        })
    }
}

async fn aggregate(store: &dyn CustomerStore, filters: &Filters) -> Result<Value, StoreError> {
    let key: fn(&Customer) -> Option<&str> = match filters.group_by.as_deref() {
        Some("industry") => |c| c.industry.as_deref(),
        Some("country") => |c| c.billing_country.as_deref(),
        Some("type") => |c| c.account_type.as_deref(),
        Some("city") => |c| c.billing_city.as_deref(),
        Some("none") | None => |_| Some("all customers"),
        Some(_) => return Ok(json!({"error": "unknown group_by"})),
    };
    // (count, customers with a revenue, revenue sum)
    let mut groups: BTreeMap<String, (u64, u64, f64)> = BTreeMap::new();
    let complete = scan(store, filters, CustomerSort::NameAsc, |customer| {
        let group = groups
            .entry(key(&customer).unwrap_or("(not set)").to_owned())
            .or_default();
        group.0 += 1;
        if let Some(revenue) = customer.annual_revenue {
            group.1 += 1;
            group.2 += revenue;
        }
        true
    })
    .await?;
    let mut rows: Vec<Value> = groups
        .into_iter()
        .map(|(key, (count, with_revenue, total))| {
            let average = (with_revenue > 0).then(|| total / with_revenue as f64);
            json!({"group": key, "count": count, "total_revenue": total, "average_revenue": average})
        })
        .collect();
    rows.sort_by(|a, b| b["count"].as_u64().cmp(&a["count"].as_u64()));
    rows.truncate(50);
    Ok(json!({"groups": rows, "complete": complete}))
}

/// Feeds live customers matching `filters` to `take` until it returns false; `true` when the
/// whole listing was read, `false` when it stopped early or hit [`MAX_SCANNED`].
async fn scan(
    store: &dyn CustomerStore,
    filters: &Filters,
    sort: CustomerSort,
    mut take: impl FnMut(Customer) -> bool,
) -> Result<bool, StoreError> {
    let filter = CustomerFilter {
        search: CustomerFilter::search_text(filters.text.as_deref()),
        sort,
        ..CustomerFilter::default()
    };
    let mut page = PageRequest {
        cursor: None,
        limit: Limit::parse(Some(100)).expect("100 is a valid page size"),
    };
    let mut scanned = 0;
    loop {
        let listed = store.list_customers(&filter, &page).await?;
        for customer in listed.items {
            scanned += 1;
            if filters.admits(&customer) && !take(customer) {
                return Ok(false);
            }
        }
        match listed.next_cursor {
            Some(cursor) if scanned < MAX_SCANNED => page.cursor = Some(cursor),
            Some(_) => return Ok(false),
            None => return Ok(true),
        }
    }
}

fn parse_sort(sort: Option<&str>) -> Option<CustomerSort> {
    match sort {
        None => Some(CustomerSort::RevenueDesc),
        Some(text) => CustomerSort::parse(text),
    }
}

fn summary(customer: &Customer) -> Value {
    json!({
        "id": customer.id.as_str(),
        "name": customer.name,
        "type": customer.account_type,
        "industry": customer.industry,
        "annual_revenue": customer.annual_revenue,
        "city": customer.billing_city,
        "country": customer.billing_country,
        "website": customer.website,
    })
}

/// Wraps tool output as untrusted data; the JSON is capped by dropping trailing list entries.
fn delimit(tool: &str, output: &Value) -> String {
    let mut output = output.clone();
    let mut text = output.to_string();
    while text.len() > MAX_OUTPUT {
        let key = ["matches", "groups"]
            .into_iter()
            .find(|key| output.get(key).is_some_and(Value::is_array));
        match key
            .and_then(|key| output.get_mut(key))
            .and_then(Value::as_array_mut)
        {
            Some(list) if !list.is_empty() => {
                list.truncate(list.len() * 3 / 4);
                output["truncated"] = json!(true);
                text = output.to_string();
            }
            _ => {
                text = json!({"error": "the result was too large to show"}).to_string();
            }
        }
    }
    let escaped = text.replace('<', "\\u003c");
    format!("<crm_data tool=\"{tool}\">\n{escaped}\n</crm_data>")
}

/// The customers an answer cites with `[customer:<id>]`, in order, without repeats.
pub(crate) fn cited_ids(answer: &str) -> Vec<CustomerId> {
    let mut cited = Vec::new();
    let marker = format!("[{CITATION_PREFIX}");
    for piece in answer.split(&marker).skip(1) {
        let Some((id, _)) = piece.split_once(']') else {
            continue;
        };
        if let Ok(id) = CustomerId::parse(id.trim())
            && !cited.contains(&id)
        {
            cited.push(id);
        }
    }
    cited
}
