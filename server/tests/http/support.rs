//! `TestApp`: the real application on a free port with its own data directory.

use std::net::SocketAddr;

use expedite_core::Config;
use server::Application;
use tokio::sync::oneshot;

pub(crate) struct TestApp {
    pub(crate) addr: SocketAddr,
    pub(crate) state: server::AppState,
    pub(crate) client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    stopped: tokio::task::JoinHandle<anyhow::Result<()>>,
    _data: tempfile::TempDir,
}

impl TestApp {
    pub(crate) async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    pub(crate) async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> Self {
        let data = tempfile::tempdir().expect("temp dir");
        let mut config = Config::for_tests(data.path().to_owned());
        adjust(&mut config);
        let application = Application::build(config)
            .await
            .expect("application builds");
        let addr = application.local_addr();
        let state = application.state().clone();
        let (stop, stopped_rx) = oneshot::channel::<()>();
        let stopped = tokio::spawn(application.run_until(async move {
            let _ = stopped_rx.await;
        }));
        Self {
            addr,
            state,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            stop: Some(stop),
            stopped,
            _data: data,
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub(crate) async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    /// Creates an account in the built-in provider.
    pub(crate) async fn add_user(&self, email: &str, password: &str, groups: &[&str]) {
        let groups: Vec<String> = groups.iter().map(|g| (*g).to_owned()).collect();
        let idp = self.state.auth.local.as_ref().expect("built-in provider");
        idp.add_user(email, password, &groups)
            .await
            .expect("user added");
    }

    /// Signs in through the API and returns the JSON tokens.
    pub(crate) async fn sign_in(&self, email: &str, password: &str) -> serde_json::Value {
        let response = self
            .client
            .post(self.url("/auth/sign-in"))
            .json(&serde_json::json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "sign-in as {email}");
        response.json().await.unwrap()
    }

    /// Triggers shutdown and waits for the application to return.
    pub(crate) async fn shutdown(mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.stopped).await.expect("application task")
    }
}
