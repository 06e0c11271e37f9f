import type { Page } from "@playwright/test";
import { accounts } from "../playwright.config";
import { test, expect, openHydrated, signIn } from "./fixtures";

/**
 * These tests need customers. In demo mode (no SALESFORCE_* configured) the server syncs from
 * its built-in sandbox org of 2,500 accounts; if none have arrived yet, an administrator runs
 * a sync from the sync page first.
 */
async function ensureCustomers(page: Page) {
  await signIn(page, accounts.admin);
  await openHydrated(page, "/customers");
  const table = page.getByTestId("customers");
  const empty = page.getByTestId("customers-empty");
  await expect(table.or(empty)).toBeVisible();
  if (await table.isVisible()) return;
  await expect(empty).toContainText("There are no customers yet");
  await empty.getByRole("link", { name: "Sync page" }).click();
  await expect(page).toHaveURL(/\/admin\/sync$/);
  await page.getByRole("button", { name: "Run sync now" }).click();
  const newest = page.getByTestId("sync-runs").getByRole("row").filter({ hasText: "Manual" }).first();
  await expect(newest).toContainText("COMPLETED", { timeout: 25_000 });
  await openHydrated(page, "/customers");
  await expect(table).toBeVisible();
}

/** The text of one column (1-based) for every row of the customer table. */
async function column(page: Page, index: number) {
  return page.getByTestId("customers").locator(`tbody tr td:nth-child(${index})`).allTextContents();
}

function amount(text: string) {
  return Number(text.replace(/[$,]/g, ""));
}

test("customers are listed, sorted, searched and paged, and each opens", async ({ page }) => {
  await ensureCustomers(page);
  await expect(page).toHaveTitle("Customers · Expedite");
  const table = page.getByTestId("customers");
  const rows = table.locator("tbody tr");
  await expect(rows).toHaveCount(25);
  await expect(table.getByRole("columnheader", { name: "Name", exact: true })).toHaveAttribute("aria-sort", "ascending");

  // Sort by revenue, highest first, then reverse it.
  await table.getByRole("link", { name: "Annual revenue", exact: true }).click();
  await expect(page).toHaveURL(/\?sort=revenue_desc$/);
  await expect(table.getByRole("columnheader", { name: "Annual revenue", exact: true })).toHaveAttribute("aria-sort", "descending");
  const highest = (await column(page, 5)).filter((text) => text !== "—").map(amount);
  expect(highest.length).toBeGreaterThan(1);
  expect(highest).toEqual([...highest].sort((a, b) => b - a));
  await table.getByRole("link", { name: "Annual revenue", exact: true }).click();
  await expect(page).toHaveURL(/\?sort=revenue_asc$/);
  await expect(table.getByRole("columnheader", { name: "Annual revenue", exact: true })).toHaveAttribute("aria-sort", "ascending");
  const lowest = (await column(page, 5)).filter((text) => text !== "—").map(amount);
  expect(lowest).toEqual([...lowest].sort((a, b) => a - b));

  // Next page and back, in name order.
  await table.getByRole("link", { name: "Name", exact: true }).click();
  await expect(page).toHaveURL(/\/customers$/);
  await expect(table.getByRole("columnheader", { name: "Name", exact: true })).toHaveAttribute("aria-sort", "ascending");
  const firstPage = await column(page, 1);
  await page.getByRole("link", { name: "Next page" }).click();
  await expect(page).toHaveURL(/\/customers\?cursor=/);
  await expect.poll(async () => (await column(page, 1))[0]).not.toBe(firstPage[0]);
  const secondPage = await column(page, 1);
  expect(secondPage.filter((name) => firstPage.includes(name))).toEqual([]);
  await page.getByRole("link", { name: "First page" }).click();
  await expect(page).toHaveURL(/\/customers$/);
  await expect.poll(() => column(page, 1)).toEqual(firstPage);

  // Search for the first word of a name: every match mentions it somewhere.
  const word = firstPage[0].split(" ")[0];
  await page.getByLabel("Search customers").fill(word);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(new RegExp(`\\?search=${encodeURIComponent(word)}`));
  await expect(page.getByLabel("Search customers")).toHaveValue(word);
  await expect(rows.first()).toBeVisible();
  for (const text of await rows.allTextContents()) {
    expect(text.toLowerCase()).toContain(word.toLowerCase());
  }
  await page.getByLabel("Search customers").fill("no customer is called this");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByTestId("customers-empty")).toContainText("No customers match");

  // Open one customer.
  await openHydrated(page, "/customers");
  const name = (await column(page, 1))[0];
  await table.getByRole("link", { name, exact: true }).first().click();
  await expect(page).toHaveURL(/\/customers\/[A-Za-z0-9]{15,18}$/);
  const card = page.getByTestId("customer");
  await expect(card.getByRole("heading", { level: 1 })).toHaveText(name);
  await expect(card.getByText("Salesforce id")).toBeVisible();
  await expect(card.getByText("Annual revenue")).toBeVisible();
});

test("the customer list is readable without JavaScript", async ({ browser, page }) => {
  await ensureCustomers(page);
  const context = await browser.newContext({ javaScriptEnabled: false });
  expect((await context.request.post("/auth/sign-in", { data: accounts.user })).status()).toBe(200);
  const plain = await context.newPage();
  await plain.goto("/customers?sort=name_desc");
  await expect(plain.getByTestId("customers").locator("tbody tr")).toHaveCount(25);
  await expect(plain.getByTestId("customers").getByRole("columnheader", { name: "Name", exact: true })).toHaveAttribute(
    "aria-sort",
    "descending",
  );
  await context.close();
});

test("an unknown customer is not found, with status 404", async ({ page, consoleProblems }) => {
  await signIn(page, accounts.user);
  const response = await openHydrated(page, "/customers/001000000000000AAA");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Customer not found" })).toBeVisible();
  // Chromium logs the document's own 404 status; that one is the point of this test.
  const documentStatus = consoleProblems.findIndex((line) => line.includes("status of 404"));
  expect(documentStatus).toBeGreaterThanOrEqual(0);
  consoleProblems.splice(documentStatus, 1);
});
