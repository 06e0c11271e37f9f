pub(crate) mod require_sign_in;
pub(crate) mod shell;
