import { accounts } from "../playwright.config";
import { test, expect, openHydrated, signIn } from "./fixtures";

test("a standard user has no Sync navigation and is refused the sync page", async ({ page, consoleProblems }) => {
  await signIn(page, accounts.user);
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Customers" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Sync" })).toHaveCount(0);

  const response = await openHydrated(page, "/admin/sync");
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "This page is for administrators" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Run sync now" })).toHaveCount(0);
  // Chromium logs the document's own 403 status; that one is the point of this test.
  const documentStatus = consoleProblems.findIndex((line) => line.includes("status of 403"));
  expect(documentStatus).toBeGreaterThanOrEqual(0);
  consoleProblems.splice(documentStatus, 1);
});

// Assumes demo mode syncs from the built-in Salesforce sandbox (no SALESFORCE_* configured).
test("an administrator runs a sync and watches it finish", async ({ page }) => {
  await signIn(page, accounts.admin);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sync" }).click();
  await expect(page).toHaveURL(/\/admin\/sync$/);
  await expect(page).toHaveTitle("Sync · Expedite");
  await expect(page.getByRole("heading", { name: "Salesforce sync" })).toBeVisible();

  const runs = page.getByTestId("sync-runs");
  await expect(runs.or(page.getByTestId("sync-runs-empty"))).toBeVisible();
  const manualRuns = () => runs.getByRole("row").filter({ hasText: "Manual" });
  const before = (await runs.count()) ? await manualRuns().count() : 0;
  await page.getByRole("button", { name: "Run sync now" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Sync queued" })).toBeVisible();
  await expect(manualRuns()).toHaveCount(before + 1);

  // The list refreshes by itself until the run is done; no reload here.
  const newest = manualRuns().first();
  await expect(newest).toContainText(/COMPLETED|SKIPPED/, { timeout: 25_000 });

  // Rendered on the server with runs listed, and hydrated without warnings.
  await openHydrated(page, "/admin/sync");
  await expect(manualRuns()).toHaveCount(before + 1);
});
