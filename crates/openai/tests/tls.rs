//! The model over HTTPS behind a private certificate authority: trusted through
//! `EXPEDITE_CA_FILE`, refused at once (and not as "try again") without it.

use std::{net::SocketAddr, path::PathBuf, sync::Arc, time::Duration};

use expedite_core::{
    ai::{LanguageModel, Message, ModelError, ModelRequest},
    config::CaBundle,
};
use expedite_openai::{OpenAiModel, OpenAiSettings};
use expedite_test_support::openai::{OpenAiDouble, Script, Step};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::{
    TlsAcceptor,
    rustls::{
        ServerConfig,
        crypto::aws_lc_rs,
        pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer},
    },
};

/// A TLS front for `backend` on 127.0.0.1 with a certificate from a fresh authority, like a
/// TLS-inspecting proxy: its address and the authority's PEM.
async fn tls_front(backend: SocketAddr) -> (SocketAddr, String) {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "Corporate Proxy CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let mut leaf_params = CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
    leaf_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = leaf_params.signed_by(&leaf_key, &ca).unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let config = ServerConfig::builder_with_provider(Arc::new(aws_lc_rs::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![leaf.der().clone()], key)
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A client that does not trust the authority ends the handshake: nothing to do.
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    return;
                };
                if let Ok(mut plain) = TcpStream::connect(backend).await {
                    let _closed = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                }
            });
        }
    });
    (addr, ca.pem())
}

fn settings(front: SocketAddr) -> OpenAiSettings {
    OpenAiSettings {
        base_url: Some(format!("https://{front}/v1")),
        api_key: Some("sk-test".to_owned()),
        model: "gpt-test".to_owned(),
        call_timeout: Duration::from_secs(10),
    }
}

fn question() -> ModelRequest {
    ModelRequest {
        messages: vec![Message::User("Who are our largest customers?".to_owned())],
        tools: Vec::new(),
        max_completion_tokens: 200,
    }
}

fn ca_file(name: &str, pem: &str) -> PathBuf {
    let path =
        std::env::temp_dir().join(format!("expedite-openai-{}-{name}.pem", std::process::id()));
    std::fs::write(&path, pem).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ca_file_lets_the_model_reach_an_endpoint_behind_a_private_authority() {
    let double = OpenAiDouble::start(Script::new().then(Step::text("Acme and Globex."))).await;
    let backend: SocketAddr = double
        .base_url()
        .trim_start_matches("http://")
        .trim_end_matches("/v1")
        .parse()
        .unwrap();
    let (front, ca_pem) = tls_front(backend).await;
    let path = ca_file("trusted", &ca_pem);
    let bundle = CaBundle::read(&path).unwrap();
    std::fs::remove_file(&path).unwrap();

    let model = OpenAiModel::trusting(settings(front), Some(&bundle)).unwrap();
    let reply = model
        .complete(&question())
        .await
        .expect("answered over TLS");

    assert_eq!(reply.content.as_deref(), Some("Acme and Globex."));
    assert_eq!(double.calls(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_certificate_is_fatal_and_names_the_endpoint() {
    let double = OpenAiDouble::start(Script::new().then(Step::text("unreachable"))).await;
    let backend: SocketAddr = double
        .base_url()
        .trim_start_matches("http://")
        .trim_end_matches("/v1")
        .parse()
        .unwrap();
    let (front, _) = tls_front(backend).await;

    let started = std::time::Instant::now();
    let error = OpenAiModel::new(settings(front))
        .unwrap()
        .complete(&question())
        .await
        .unwrap_err();

    let ModelError::Fatal(message) = &error else {
        panic!("a certificate failure is not worth retrying: {error:?}");
    };
    assert!(message.contains(&format!("https://{front}")), "{message}");
    assert!(message.contains("EXPEDITE_CA_FILE"), "{message}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(double.calls(), 0);
}
