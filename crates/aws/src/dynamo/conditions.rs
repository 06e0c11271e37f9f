//! Reading DynamoDB's answers to conditional writes.

use expedite_core::store::StoreError;

use super::unavailable;

/// `true` when the conditional update applied, `false` when its condition did not hold.
pub(crate) fn settle<T, E, R>(
    output: Result<T, aws_sdk_dynamodb::error::SdkError<E, R>>,
) -> Result<bool, StoreError>
where
    E: std::error::Error + ConditionCheck + 'static,
    R: std::fmt::Debug,
{
    match output {
        Ok(_) => Ok(true),
        Err(error) if is_condition_failed(&error) => Ok(false),
        Err(error) => Err(unavailable(error)),
    }
}

/// Operation errors that can report a failed condition.
pub(crate) trait ConditionCheck {
    fn condition_failed(&self) -> bool;
}

impl ConditionCheck for aws_sdk_dynamodb::operation::update_item::UpdateItemError {
    fn condition_failed(&self) -> bool {
        self.is_conditional_check_failed_exception()
    }
}

impl ConditionCheck for aws_sdk_dynamodb::operation::put_item::PutItemError {
    fn condition_failed(&self) -> bool {
        self.is_conditional_check_failed_exception()
    }
}

pub(crate) fn is_condition_failed<E: ConditionCheck, R>(
    error: &aws_sdk_dynamodb::error::SdkError<E, R>,
) -> bool {
    error
        .as_service_error()
        .is_some_and(ConditionCheck::condition_failed)
}

pub(crate) fn is_transaction_canceled<R>(
    error: &aws_sdk_dynamodb::error::SdkError<
        aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError,
        R,
    >,
) -> bool {
    error
        .as_service_error()
        .is_some_and(|e| e.is_transaction_canceled_exception())
}
