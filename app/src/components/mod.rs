pub(crate) mod answer;
pub(crate) mod badge;
pub(crate) mod query_live;
pub(crate) mod refresh;
pub(crate) mod require_sign_in;
pub(crate) mod shell;
