pub(crate) mod dashboard;
pub(crate) mod not_found;
pub(crate) mod sign_in;
