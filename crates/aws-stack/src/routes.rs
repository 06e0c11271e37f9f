//! The REST API's resources as the template declares them: the server function's `Api` events
//! (`/`, `/{proxy+}`, `/api/{proxy+}`) and which of them run the authorizer.

use anyhow::Context;
use serde_yaml::Value;

/// One resource of the REST API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Route {
    /// As API Gateway names it: `/`, `/{proxy+}`, `/api/{proxy+}`.
    pub(crate) resource: String,
    /// The REQUEST authorizer runs before the integration.
    pub(crate) authorized: bool,
}

impl Route {
    /// The literal part before `{proxy+}`, e.g. `/api/` (the whole path for an exact resource).
    fn prefix(&self) -> &str {
        self.resource
            .strip_suffix("{proxy+}")
            .unwrap_or(&self.resource)
    }

    fn is_greedy(&self) -> bool {
        self.resource.ends_with("{proxy+}")
    }

    /// The `proxy` path parameter of `path` on this resource.
    pub(crate) fn proxy_of(&self, path: &str) -> Option<String> {
        self.is_greedy()
            .then(|| path.strip_prefix(self.prefix()).unwrap_or(path).to_owned())
    }

    fn matches(&self, path: &str) -> bool {
        if self.is_greedy() {
            // A greedy parameter needs at least one character.
            path.len() > self.prefix().len() && path.starts_with(self.prefix())
        } else {
            path == self.resource
        }
    }
}

/// Every resource the function is wired to.
#[derive(Debug, Clone)]
pub(crate) struct Routes(Vec<Route>);

impl Routes {
    /// Reads the `Api` events of `function` in the SAM template.
    pub(crate) fn from_template(template: &Value, function: &str) -> anyhow::Result<Self> {
        let events = template["Resources"][function]["Properties"]["Events"]
            .as_mapping()
            .with_context(|| format!("{function} has no Events"))?;
        let routes: Vec<Route> = events
            .values()
            .filter(|event| event["Type"].as_str() == Some("Api"))
            .filter_map(|event| {
                let properties = &event["Properties"];
                Some(Route {
                    resource: properties["Path"].as_str()?.to_owned(),
                    authorized: properties["Auth"]["Authorizer"].as_str().is_some(),
                })
            })
            .collect();
        anyhow::ensure!(!routes.is_empty(), "{function} has no Api events");
        Ok(Self(routes))
    }

    /// The resource API Gateway picks for `path`: an exact one, else the greedy one with the
    /// longest literal prefix.
    pub(crate) fn find(&self, path: &str) -> Option<Route> {
        self.0
            .iter()
            .filter(|route| route.matches(path))
            .max_by_key(|route| (!route.is_greedy(), route.prefix().len()))
            .cloned()
    }
}

/// The paths CloudFront serves from the site's bucket: the `PathPattern`s of the distribution's
/// cache behaviours whose origin is `assets` (`/pkg/*`, `/favicon.svg`).
pub(crate) fn asset_paths(template: &Value) -> anyhow::Result<Vec<String>> {
    let behaviours =
        template["Resources"]["Distribution"]["Properties"]["DistributionConfig"]["CacheBehaviors"]
            .as_sequence()
            .context("the distribution has cache behaviours")?;
    Ok(behaviours
        .iter()
        .filter(|b| b["TargetOriginId"].as_str() == Some("assets"))
        .filter_map(|b| b["PathPattern"].as_str().map(str::to_owned))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_templates_routes_send_api_calls_through_the_authorizer_and_pages_straight_on() {
        let template = serde_yaml::from_str(include_str!("../../../infra/template.yaml")).unwrap();
        let routes = Routes::from_template(&template, "ServerFunction").unwrap();
        let api = routes.find("/api/customers").unwrap();
        assert_eq!(api.resource, "/api/{proxy+}");
        assert!(api.authorized);
        assert_eq!(api.proxy_of("/api/customers").as_deref(), Some("customers"));
        let page = routes.find("/customers").unwrap();
        assert_eq!(page.resource, "/{proxy+}");
        assert!(!page.authorized);
        let root = routes.find("/").unwrap();
        assert_eq!((root.resource.as_str(), root.authorized), ("/", false));
        assert_eq!(root.proxy_of("/"), None);
        // `/api` itself is not under `/api/{proxy+}`.
        assert!(!routes.find("/api").unwrap().authorized);
        assert_eq!(asset_paths(&template).unwrap(), ["/pkg/*", "/favicon.svg"]);
    }
}
