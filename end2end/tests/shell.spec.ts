import { test, expect, openHydrated } from "./fixtures";

test("dashboard renders, hydrates and reloads its data through a server function", async ({ page }) => {
  const response = await openHydrated(page, "/");
  expect(response?.status()).toBe(200);
  await expect(page).toHaveTitle("Dashboard · Expedite");
  await expect(page.getByRole("link", { name: "Expedite" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" })).toHaveAttribute("aria-current", "page");
  await expect(page.getByRole("heading", { name: "System" })).toBeVisible();
  await expect(page.getByText("Self-hosted (one process)")).toBeVisible();

  const checks = page.getByTestId("status-checks");
  const before = Number(await checks.textContent());
  expect(before).toBeGreaterThan(0);
  await page.getByRole("button", { name: "Refresh status" }).click();
  await expect.poll(async () => Number(await checks.textContent())).toBeGreaterThan(before);
});

test("unknown addresses show the not-found page with status 404", async ({ page, consoleProblems }) => {
  const response = await openHydrated(page, "/no/such/page");
  expect(response?.status()).toBe(404);
  // Chromium logs the document's own 404 status; that one is the point of this test.
  const documentStatus = consoleProblems.findIndex(
    (line) => line.includes("status of 404") && line.endsWith("/no/such/page)"),
  );
  expect(documentStatus).toBeGreaterThanOrEqual(0);
  consoleProblems.splice(documentStatus, 1);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await page.getByRole("link", { name: "Go to the dashboard" }).click();
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
});

test("pages that only show data are readable without JavaScript", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "System" })).toBeVisible();
  await expect(page.getByText("Self-hosted (one process)")).toBeVisible();
  await context.close();
});
