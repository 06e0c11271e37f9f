//! The org's API usage, as every response reports it in `Sforce-Limit-Info: api-usage=N/M`.

/// Requests used and allowed in the org's rolling 24 hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiUsage {
    pub used: u64,
    pub limit: u64,
}

impl ApiUsage {
    /// Reads the header value, e.g. `api-usage=18/5000` (other entries may precede or follow).
    pub fn parse(header: &str) -> Option<Self> {
        header.split([',', ';']).find_map(|part| {
            let (name, value) = part.trim().split_once('=')?;
            if !name.trim().eq_ignore_ascii_case("api-usage") {
                return None;
            }
            let (used, limit) = value.trim().split_once('/')?;
            Some(Self {
                used: used.trim().parse().ok()?,
                limit: limit.trim().parse().ok()?,
            })
        })
    }

    /// Used share of the allowance, 0.0–1.0 (1.0 when the limit is zero).
    pub fn fraction(self) -> f64 {
        if self.limit == 0 {
            1.0
        } else {
            self.used as f64 / self.limit as f64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_usage_header_is_read() {
        assert_eq!(
            ApiUsage::parse("api-usage=18/5000"),
            Some(ApiUsage {
                used: 18,
                limit: 5000
            })
        );
        assert_eq!(
            ApiUsage::parse("per-app-api-usage=2/250(appName=x), api-usage=4500/5000")
                .map(ApiUsage::fraction),
            Some(0.9)
        );
        assert_eq!(ApiUsage::parse("api-usage=lots"), None);
        assert_eq!(ApiUsage::parse(""), None);
        assert_eq!(ApiUsage { used: 1, limit: 0 }.fraction(), 1.0);
    }
}
