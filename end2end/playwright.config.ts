import { defineConfig } from "@playwright/test";

// The test command (scripts/test) builds the release site and passes where it is.
const port = Number(process.env.E2E_PORT ?? "3000");
const serverBin = process.env.E2E_SERVER_BIN;
const baseURL = `http://127.0.0.1:${port}`;

// Accounts the tests sign in with, created with the server's own CLI before it starts.
export const accounts = {
  user: { email: "e2e-user@example.com", password: process.env.E2E_PASSWORD ?? "e2e password 123" },
  admin: { email: "e2e-admin@example.com", password: process.env.E2E_PASSWORD ?? "e2e password 123" },
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
  webServer: serverBin
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
