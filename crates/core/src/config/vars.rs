//! Reading variables: lookups that turn a bad value into a [`ConfigError`] naming it.

use std::{collections::HashMap, path::PathBuf, time::Duration};

use super::ConfigError;

/// Lookup helpers that turn a bad value into a [`ConfigError`] naming the variable.
pub(crate) struct Vars(pub(super) HashMap<String, String>);

impl Vars {
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    pub(crate) fn required(&self, name: &'static str) -> Result<String, ConfigError> {
        self.get(name).map(str::to_owned).ok_or(ConfigError {
            name,
            value: String::new(),
            problem: "required by the chosen backend",
        })
    }

    pub(crate) fn parse<T: std::str::FromStr>(
        &self,
        name: &'static str,
        problem: &'static str,
    ) -> Result<T, ConfigError> {
        let value = self.get(name).unwrap_or_default();
        value.trim().parse().map_err(|_| ConfigError {
            name,
            value: value.to_owned(),
            problem,
        })
    }

    pub(crate) fn parse_or<T: std::str::FromStr>(
        &self,
        name: &'static str,
        problem: &'static str,
    ) -> Result<Option<T>, ConfigError> {
        match self.get(name) {
            Some(_) => self.parse(name, problem).map(Some),
            None => Ok(None),
        }
    }

    pub(crate) fn path_or(&self, name: &str, default: &str) -> PathBuf {
        PathBuf::from(self.get(name).unwrap_or(default))
    }

    pub(crate) fn bool_or(&self, name: &'static str) -> Result<Option<bool>, ConfigError> {
        match self.get(name).map(str::to_ascii_lowercase).as_deref() {
            None => Ok(None),
            Some("1" | "true" | "yes" | "on") => Ok(Some(true)),
            Some("0" | "false" | "no" | "off") => Ok(Some(false)),
            Some(other) => Err(ConfigError {
                name,
                value: other.to_owned(),
                problem: "expected true or false",
            }),
        }
    }

    pub(crate) fn ip_list(&self, name: &'static str) -> Result<Vec<std::net::IpAddr>, ConfigError> {
        self.get(name)
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|ip| !ip.is_empty())
            .map(|ip| {
                ip.parse().map_err(|_| ConfigError {
                    name,
                    value: ip.to_owned(),
                    problem: "expected IP addresses separated by commas",
                })
            })
            .collect()
    }

    pub(crate) fn positive_or(&self, name: &'static str, default: u32) -> Result<u32, ConfigError> {
        let value: Option<u32> = self.parse_or(name, "a whole number above zero")?;
        match value.unwrap_or(default) {
            0 => Err(ConfigError {
                name,
                value: "0".into(),
                problem: "a whole number above zero",
            }),
            n => Ok(n),
        }
    }

    pub(crate) fn secs_or(
        &self,
        name: &'static str,
        default: u64,
    ) -> Result<Duration, ConfigError> {
        let secs: Option<u64> = self.parse_or(name, "a whole number of seconds")?;
        Ok(Duration::from_secs(secs.unwrap_or(default)))
    }
}
