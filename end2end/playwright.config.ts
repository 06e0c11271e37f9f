import { defineConfig } from "@playwright/test";

// The test command (scripts/test) builds the release site and passes where it is.
const port = Number(process.env.E2E_PORT ?? "3000");
const serverBin = process.env.E2E_SERVER_BIN;
const baseURL = `http://127.0.0.1:${port}`;

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
        command: serverBin,
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
        },
      }
    : undefined,
});
