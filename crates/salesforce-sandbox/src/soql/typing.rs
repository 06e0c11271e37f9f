//! Checking names and literals against the Account schema, with Salesforce's messages.

use crate::account::{Field, Kind, normalise_id};
use crate::errors::ApiError;
use crate::render::Column;

use super::Literal;

/// The literal if it suits `field`'s type (15-character ids become 18-character ones).
pub(super) fn check(field: Field, literal: Literal) -> Result<Literal, ApiError> {
    let name = field.name();
    match (field.kind(), literal) {
        (Kind::Id, Literal::Text(id)) => normalise_id(&id).map(Literal::Text).ok_or_else(|| {
            ApiError::bad_request(
                "INVALID_QUERY_FILTER_OPERATOR",
                format!("invalid ID field: {id}"),
            )
        }),
        (Kind::Text, l @ Literal::Text(_))
        | (Kind::Number, l @ Literal::Number(_))
        | (Kind::Boolean, l @ Literal::Boolean(_))
        | (Kind::DateTime, l @ Literal::DateTime(_)) => Ok(l),
        (Kind::Id | Kind::Text, _) => Err(ApiError::invalid_field(format!(
            "value of filter criterion for field '{name}' must be of type string and should be enclosed in quotes"
        ))),
        (Kind::Number, _) => Err(type_error(name, "double")),
        (Kind::Boolean, _) => Err(type_error(name, "boolean")),
        (Kind::DateTime, _) => Err(type_error(name, "dateTime")),
    }
}

fn type_error(name: &str, kind: &str) -> ApiError {
    ApiError::invalid_field(format!(
        "value of filter criterion for field '{name}' must be of type {kind} and should not be enclosed in quotes"
    ))
}

pub(super) fn field(name: &str) -> Result<Field, ApiError> {
    Field::parse(name).ok_or_else(|| {
        ApiError::invalid_field(format!(
            "No such column '{name}' on entity 'Account'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names."
        ))
    })
}

/// A select-list entry: a field, or `Owner.Name` through the one relationship the sandbox
/// knows. Any other path is refused as Salesforce refuses it (`INVALID_FIELD`).
pub(super) fn column(name: &str) -> Result<Column, ApiError> {
    let Some((relationship, path)) = name.split_once('.') else {
        return field(name).map(Column::Field);
    };
    if !relationship.eq_ignore_ascii_case("Owner") {
        return Err(ApiError::invalid_field(format!(
            "Didn't understand relationship '{relationship}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names."
        )));
    }
    if path.eq_ignore_ascii_case("Name") {
        Ok(Column::OwnerName)
    } else {
        Err(ApiError::invalid_field(format!(
            "No such column '{path}' on entity 'User'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names."
        )))
    }
}
