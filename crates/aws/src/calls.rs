//! A record of the AWS operations a process calls, to compare with what its IAM role grants
//! (`infra/tests/least_privilege.py`).
//!
//! When [`CALL_LOG_VAR`] names a file, every client this crate builds for the functions carries
//! a [`CallLog`]; otherwise none is installed. Each operation appends its IAM action once, however
//! many attempts it takes, when its request is first sent:
//!
//! ```text
//! dynamodb:GetItem
//! dynamodb:PutItem via=TransactWriteItems
//! cognito-idp:InitiateAuth unsigned
//! ```
//!
//! The first word is `<IAM prefix>:<action>`. IAM authorises a DynamoDB transaction item by item,
//! so a transaction appends the actions of its items, marked `via=<operation>`. `unsigned` marks
//! a request sent without a SigV4 signature (Cognito's public user-pool calls): IAM does not see
//! it, so it needs no grant. The file is opened on the first call, in append mode (`O_APPEND`),
//! and each call's lines go out in one write, so processes and threads that share the file never
//! interleave within a line. A call that cannot be recorded fails rather than go unrecorded.

use std::{
    fs::{File, OpenOptions},
    io::Write,
    path::PathBuf,
    sync::{Arc, OnceLock},
};

use aws_sdk_dynamodb::operation::{
    transact_get_items::TransactGetItemsInput, transact_write_items::TransactWriteItemsInput,
};
use aws_smithy_runtime_api::{
    box_error::BoxError,
    client::{
        interceptors::{
            Intercept,
            context::{
                BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
                Input,
            },
        },
        orchestrator::Metadata,
        runtime_components::RuntimeComponents,
    },
};
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};

/// The environment variable naming the file calls are appended to.
pub const CALL_LOG_VAR: &str = "EXPEDITE_AWS_CALL_LOG";

/// The SDK interceptor that appends each operation's IAM actions to a file.
#[derive(Debug, Clone)]
pub struct CallLog {
    inner: Arc<Target>,
}

#[derive(Debug)]
struct Target {
    path: PathBuf,
    file: OnceLock<Result<File, String>>,
}

impl CallLog {
    /// Appends to `path` (created if missing, opened on the first call).
    pub fn to(path: impl Into<PathBuf>) -> Self {
        Self {
            inner: Arc::new(Target {
                path: path.into(),
                file: OnceLock::new(),
            }),
        }
    }

    /// The log [`CALL_LOG_VAR`] names, if it is set and not empty.
    pub fn from_env() -> Option<Self> {
        std::env::var_os(CALL_LOG_VAR)
            .filter(|path| !path.is_empty())
            .map(Self::to)
    }

    fn append(&self, text: &str) -> Result<(), BoxError> {
        let path = &self.inner.path;
        let file = self.inner.file.get_or_init(|| {
            OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|error| format!("cannot open the call log {}: {error}", path.display()))
        });
        let mut file = file.as_ref().map_err(|error| error.clone())?;
        // One write: with O_APPEND the lines land whole at the end of the file.
        file.write_all(text.as_bytes()).map_err(|error| {
            format!("cannot append to the call log {}: {error}", path.display())
        })?;
        Ok(())
    }
}

/// The actions of the operation under way, until its request is first sent.
#[derive(Debug, Clone)]
struct Pending(Vec<String>);

impl Storable for Pending {
    type Storer = StoreReplace<Self>;
}

impl Intercept for CallLog {
    fn name(&self) -> &'static str {
        "CallLog"
    }

    // Once per operation, with its metadata in the bag (unlike `read_before_execution`, which
    // runs before the operation's configuration is applied).
    fn read_before_serialization(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(metadata) = cfg.load::<Metadata>() else {
            return Err("the operation has no metadata to record".into());
        };
        let pending = Pending(actions(
            metadata.service(),
            metadata.name(),
            context.input(),
        ));
        cfg.interceptor_state().store_put(pending);
        Ok(())
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        // Written on the first attempt that is sent; a retry finds nothing pending.
        let Some(Pending(actions)) = cfg.load::<Pending>().cloned() else {
            return Ok(());
        };
        cfg.interceptor_state().unset::<Pending>();
        let signed = context.request().headers().contains_key("authorization");
        let suffix = if signed { "\n" } else { " unsigned\n" };
        let text: String = actions
            .iter()
            .map(|action| action.clone() + suffix)
            .collect();
        self.append(&text)
    }
}

/// The IAM prefix of an SDK service name (the `Metadata` service, e.g. `Secrets Manager`).
fn iam_prefix(service: &str) -> String {
    match service {
        "DynamoDB" => "dynamodb".to_owned(),
        "SQS" => "sqs".to_owned(),
        "Cognito Identity Provider" => "cognito-idp".to_owned(),
        "Secrets Manager" => "secretsmanager".to_owned(),
        other => other.replace(' ', "").to_lowercase(),
    }
}

/// The IAM actions one operation needs: its own name, or for a DynamoDB transaction the
/// actions of its items (`via=` the transaction).
fn actions(service: &str, operation: &str, input: &Input) -> Vec<String> {
    let prefix = iam_prefix(service);
    let mut items: Vec<&str> = Vec::new();
    if let Some(write) = input.downcast_ref::<TransactWriteItemsInput>() {
        for item in write.transact_items() {
            let action = if item.put().is_some() {
                "PutItem"
            } else if item.update().is_some() {
                "UpdateItem"
            } else if item.delete().is_some() {
                "DeleteItem"
            } else if item.condition_check().is_some() {
                "ConditionCheckItem"
            } else {
                continue;
            };
            if !items.contains(&action) {
                items.push(action);
            }
        }
    } else if let Some(get) = input.downcast_ref::<TransactGetItemsInput>() {
        if get.transact_items().iter().any(|item| item.get().is_some()) {
            items.push("GetItem");
        }
    } else {
        return vec![format!("{prefix}:{operation}")];
    }
    items
        .into_iter()
        .map(|action| format!("{prefix}:{action} via={operation}"))
        .collect()
}

/// An SDK client over `config`, with `log` installed when there is one (by default the one
/// [`CALL_LOG_VAR`] names).
macro_rules! client {
    ($sdk:ident, $config:expr) => {
        $crate::calls::client!($sdk, $config, $crate::calls::CallLog::from_env())
    };
    ($sdk:ident, $config:expr, $log:expr) => {{
        let mut builder = $sdk::config::Builder::from($config);
        if let Some(log) = $log {
            builder.push_interceptor($sdk::config::SharedInterceptor::new(log));
        }
        $sdk::Client::from_conf(builder.build())
    }};
}
pub(crate) use client;

#[cfg(test)]
mod tests {
    use aws_sdk_dynamodb::{
        operation::{get_item::GetItemInput, transact_write_items::TransactWriteItemsInput},
        types::{ConditionCheck, Put, TransactWriteItem, Update},
    };

    use super::*;

    fn write_item(put: bool) -> TransactWriteItem {
        let builder = TransactWriteItem::builder();
        if put {
            let put = Put::builder()
                .table_name("t")
                .set_item(Some(Default::default()));
            builder.put(put.build().unwrap()).build()
        } else {
            let check = ConditionCheck::builder()
                .table_name("t")
                .set_key(Some(Default::default()))
                .condition_expression("attribute_exists(pk)");
            builder.condition_check(check.build().unwrap()).build()
        }
    }

    #[test]
    fn an_operation_is_its_service_prefix_and_name() {
        let input = Input::erase(GetItemInput::builder().table_name("t").build().unwrap());
        assert_eq!(actions("DynamoDB", "GetItem", &input), ["dynamodb:GetItem"]);
        assert_eq!(
            actions("Cognito Identity Provider", "InitiateAuth", &input),
            ["cognito-idp:InitiateAuth"]
        );
        assert_eq!(iam_prefix("Secrets Manager"), "secretsmanager");
        assert_eq!(iam_prefix("SQS"), "sqs");
    }

    #[test]
    fn a_transaction_is_the_actions_of_its_items() {
        let update = Update::builder()
            .table_name("t")
            .set_key(Some(Default::default()))
            .update_expression("SET a = :a")
            .build()
            .unwrap();
        let input = TransactWriteItemsInput::builder()
            .transact_items(write_item(true))
            .transact_items(write_item(true))
            .transact_items(write_item(false))
            .transact_items(TransactWriteItem::builder().update(update).build())
            .build()
            .unwrap();
        assert_eq!(
            actions("DynamoDB", "TransactWriteItems", &Input::erase(input)),
            [
                "dynamodb:PutItem via=TransactWriteItems",
                "dynamodb:ConditionCheckItem via=TransactWriteItems",
                "dynamodb:UpdateItem via=TransactWriteItems",
            ]
        );
    }

    #[test]
    fn a_client_carries_the_log_only_when_there_is_one() {
        let config = aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .build();
        let named = |client: &aws_sdk_sqs::Client| {
            client
                .config()
                .interceptors()
                .filter(|interceptor| interceptor.name() == "CallLog")
                .count()
        };
        let with = client!(aws_sdk_sqs, &config, Some(CallLog::to("unused.calls")));
        let without = client!(aws_sdk_sqs, &config, None::<CallLog>);
        assert_eq!(named(&with), 1);
        assert_eq!(named(&without), 0);
    }
}
