//! Test resources in moto, created from `infra/template.yaml`.

use expedite_aws::{TableNames, provision};

const TEMPLATE: &str = include_str!("../../../../infra/template.yaml");

/// An SDK configuration pointing at moto, with throwaway credentials.
pub(crate) async fn config() -> aws_config::SdkConfig {
    let endpoint = std::env::var("EXPEDITE_TEST_MOTO_URL").expect(
        "EXPEDITE_TEST_MOTO_URL is not set: run the tests with scripts/test, which starts moto",
    );
    provision::emulator_config(&endpoint).await
}

fn unique() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

pub(crate) async fn create_tables(config: &aws_config::SdkConfig) -> TableNames {
    provision::create_tables(config, TEMPLATE, &unique())
        .await
        .expect("tables")
}

pub(crate) async fn create_queues(
    config: &aws_config::SdkConfig,
    max_receives: u32,
) -> (String, String) {
    provision::create_queues(config, &unique(), max_receives)
        .await
        .expect("queues")
}
