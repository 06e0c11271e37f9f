pub(crate) mod shell;
