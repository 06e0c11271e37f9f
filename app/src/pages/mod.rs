pub(crate) mod admin_users;
pub(crate) mod dashboard;
pub(crate) mod forbidden;
pub(crate) mod not_found;
pub(crate) mod sign_in;
