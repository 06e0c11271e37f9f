pub(crate) mod dashboard;
pub(crate) mod not_found;
