import { defineConfig } from "@playwright/test";

// The test command (scripts/test) builds the release site and passes where it is.
// E2E_STACK=aws runs the specs against the AWS-shaped stack (crates/aws-stack: moto, the
// functions in Lambda mode behind a local API Gateway) instead of the self-hosted server.
const port = Number(process.env.E2E_PORT ?? "3000");
const serverBin = process.env.E2E_SERVER_BIN;
const stackBin = process.env.E2E_STACK === "aws" ? process.env.E2E_STACK_BIN : undefined;
const baseURL = `http://127.0.0.1:${port}`;
// Cognito's password policy wants upper case, digits and symbols.
const password = process.env.E2E_PASSWORD ?? (stackBin ? "E2e-Passw0rd-123!" : "e2e password 123");

// What answers questions: the demo responder self-hosted, the OpenAI double (through the
// template's model setting) in the AWS-shaped stack.
export const answers = stackBin
  ? { text: "OpenAI double", model: "gpt-4o-mini" }
  : { text: "Demo responder", model: "demo" };

// Accounts the tests sign in with, created before the server starts: with the server's own
// CLI, or in the stack's Cognito user pool.
export const accounts = {
  user: { email: "e2e-user@example.com", password },
  admin: { email: "e2e-admin@example.com", password },
};
const addUsers = [
  `printf '%s\\n' "$E2E_PASSWORD" | "$E2E_SERVER_BIN" users add --email ${accounts.user.email}`,
  `printf '%s\\n' "$E2E_PASSWORD" | "$E2E_SERVER_BIN" users add --email ${accounts.admin.email} --group admins`,
  `exec "$E2E_SERVER_BIN"`,
].join(" && ");

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: true,
  reporter: [["list"]],
  use: {
    baseURL,
    headless: true,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      // Chromium must not reach for the network: this machine has none but loopback.
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  webServer: stackBin
    ? {
        command: `exec "${stackBin}"`,
        url: `${baseURL}/readyz`,
        timeout: 120_000,
        reuseExistingServer: false,
        stdout: "pipe",
        stderr: "pipe",
        gracefulShutdown: { signal: "SIGTERM", timeout: 10_000 },
        env: {
          EXPEDITE_STACK_MOTO_URL: process.env.EXPEDITE_TEST_MOTO_URL ?? "",
          EXPEDITE_STACK_PORT: String(port),
          EXPEDITE_STACK_SITE_ROOT: process.env.E2E_SITE_ROOT ?? "",
          EXPEDITE_STACK_BIN_DIR: process.env.E2E_STACK_BIN_DIR ?? "",
          // The server built with the site (its pages must hydrate with that site's bundle).
          EXPEDITE_STACK_SERVER_BIN: serverBin ?? "",
          // The demo org's size and seed, as the self-hosted specs see it.
          EXPEDITE_STACK_ACCOUNTS: "2500",
          EXPEDITE_STACK_USERS: `${accounts.user.email}:${password}:user ${accounts.admin.email}:${password}:admin`,
          EXPEDITE_STACK_SERVER_EXPEDITE_SIGN_IN_PER_MINUTE: "1000",
          RUST_LOG: process.env.RUST_LOG ?? "warn",
        },
      }
    : serverBin
    ? {
        command: addUsers,
        url: `${baseURL}/readyz`,
        timeout: 60_000,
        reuseExistingServer: false,
        stdout: "pipe",
        stderr: "pipe",
        gracefulShutdown: { signal: "SIGTERM", timeout: 10_000 },
        env: {
          EXPEDITE_ADDR: `127.0.0.1:${port}`,
          EXPEDITE_DATA_DIR: process.env.E2E_DATA_DIR ?? "",
          LEPTOS_SITE_ROOT: process.env.E2E_SITE_ROOT ?? "",
          RUST_LOG: process.env.RUST_LOG ?? "warn",
          // The sign-in limits are tested in Rust; here they must not trip over the suite itself.
          EXPEDITE_SIGN_IN_PER_MINUTE: "1000",
          E2E_SERVER_BIN: serverBin,
          E2E_PASSWORD: accounts.user.password,
        },
      }
    : undefined,
});
