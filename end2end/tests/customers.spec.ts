import type { Page } from "@playwright/test";
import { accounts } from "../playwright.config";
import { test, expect, openHydrated, signIn, ensureCustomers } from "./fixtures";

/** The text of one column (1-based) for every row of the customer table. */
async function column(page: Page, index: number) {
  return page.getByTestId("customers").locator(`tbody tr td:nth-child(${index})`).allTextContents();
}

function amount(text: string) {
  return Number(text.replace(/[$,]/g, ""));
}

test("customers are listed, sorted, searched and paged, and each opens", async ({ page }) => {
  await ensureCustomers(page, accounts.admin);
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
  await expect(page.getByTestId("customers-total")).toContainText("1–25");
  await page.getByRole("link", { name: "Next →" }).click();
  await expect(page).toHaveURL(/\/customers\?cursor=[^&]+&from=26$/);
  await expect(page.getByTestId("customers-total")).toContainText("26–50");
  await expect.poll(async () => (await column(page, 1))[0]).not.toBe(firstPage[0]);
  const secondPage = await column(page, 1);
  expect(secondPage.filter((name) => firstPage.includes(name))).toEqual([]);
  await page.getByRole("link", { name: "← Previous" }).click();
  await expect(page).toHaveURL(/\/customers$/);
  await expect.poll(() => column(page, 1)).toEqual(firstPage);

  // Search for the first word of a name: every match mentions it somewhere.
  const word = firstPage[0].split(" ")[0];
  await page.getByLabel("Search", { exact: true }).fill(word);
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(new RegExp(`\\?search=${encodeURIComponent(word)}`));
  await expect(page.getByLabel("Search", { exact: true })).toHaveValue(word);
  await expect(rows.first()).toBeVisible();
  for (const text of await rows.allTextContents()) {
    expect(text.toLowerCase()).toContain(word.toLowerCase());
  }
  await page.getByLabel("Search", { exact: true }).fill("no customer is called this");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByTestId("customers-empty")).toContainText("No customers match");

  // Open one customer.
  await openHydrated(page, "/customers");
  const name = (await column(page, 1))[0];
  await table.getByRole("link", { name, exact: true }).first().click();
  await expect(page).toHaveURL(/\/customers\/[A-Za-z0-9]{15,18}$/);
  const card = page.getByTestId("customer");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(name);
  await expect(page).toHaveTitle(`${name} · Expedite`);
  await expect(card.getByText("Salesforce id")).toBeVisible();
  await expect(card.getByText("Annual revenue")).toBeVisible();
});

test("the customer list is readable without JavaScript", async ({ browser, page }) => {
  await ensureCustomers(page, accounts.admin);
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

test("filters narrow the list, its total and its CSV export, and live in the address", async ({ page }) => {
  await ensureCustomers(page, accounts.admin);
  const total = page.getByTestId("customers-total");
  const everyone = Number((await total.locator("strong").textContent())!.replace(/\D/g, ""));
  expect(everyone).toBeGreaterThan(25);

  // The industry choices come from the data, each with its count.
  const industry = page.getByLabel("Industry");
  const choice = industry.locator("option").nth(1);
  const label = (await choice.textContent())!;
  const value = (await choice.getAttribute("value"))!;
  const expected = Number(label.match(/\(([\d,]+)\)$/)![1].replace(/,/g, ""));
  await industry.selectOption(value);
  await page.getByLabel("Per page").selectOption("50");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect.poll(() => new URL(page.url()).searchParams.get("industry")).toBe(value);
  expect(new URL(page.url()).searchParams.get("size")).toBe("50");
  await expect(total.locator("strong")).toHaveText(`${expected.toLocaleString("en-US")} customer${expected === 1 ? "" : "s"}`);
  const rows = page.getByTestId("customers").locator("tbody tr");
  await expect(rows).toHaveCount(Math.min(50, expected));
  expect(new Set(await column(page, 2))).toEqual(new Set([value]));
  await expect(page.getByLabel("Industry")).toHaveValue(value);

  // Last modified sorts both ways and keeps the filter.
  const table = page.getByTestId("customers");
  await table.getByRole("link", { name: "Last modified", exact: true }).click();
  await expect(page).toHaveURL(/sort=modified_desc/);
  // The new page is in once its header says so (until then the old table, and its links, stay).
  const modified = table.getByRole("columnheader", { name: "Last modified", exact: true });
  await expect(modified).toHaveAttribute("aria-sort", "descending");
  await table.getByRole("link", { name: "Last modified", exact: true }).click();
  await expect(page).toHaveURL(/sort=modified_asc/);
  await expect(table.getByRole("columnheader", { name: "Last modified", exact: true })).toHaveAttribute("aria-sort", "ascending");
  expect(new Set(await column(page, 2))).toEqual(new Set([value]));

  // The export holds every customer of the filter, not just this page.
  const href = (await page.getByTestId("export").getAttribute("href"))!;
  expect(new URL(href, page.url()).searchParams.get("industry")).toBe(value);
  const download = await page.request.get(href);
  expect(download.status()).toBe(200);
  expect(download.headers()["content-type"]).toContain("text/csv");
  expect(download.headers()["content-disposition"]).toMatch(/attachment; filename="customers-\d{4}-\d\d-\d\d\.csv"/);
  const lines = (await download.text()).trim().split("\n");
  expect(lines[0]).toBe("Id,Name,Type,Industry,Annual revenue,Billing city,Billing country,Phone,Website,Owner,Owner id,Last modified");
  expect(lines).toHaveLength(expected + 1);

  // The address alone reproduces the listing (shared, or opened without JavaScript).
  const shared = page.url();
  await openHydrated(page, "/customers");
  await openHydrated(page, shared);
  await expect(total.locator("strong")).toHaveText(`${expected.toLocaleString("en-US")} customer${expected === 1 ? "" : "s"}`);
});

test("an account page shows the owner, links to Salesforce and lists the questions citing it", async ({ page }) => {
  await ensureCustomers(page, accounts.admin);
  await openHydrated(page, "/customers?sort=revenue_desc");
  const name = (await column(page, 1))[0];
  await page.getByTestId("customers").getByRole("link", { name, exact: true }).first().click();
  await expect(page).toHaveURL(/\/customers\/[A-Za-z0-9]{15,18}$/);
  const id = page.url().split("/").pop()!;
  await expect(page).toHaveTitle(`${name} · Expedite`);
  await expect(page.getByTestId("owner")).not.toHaveText(/^005/);
  await expect(page.getByTestId("open-in-salesforce")).toHaveAttribute("href", new RegExp(`/lightning/r/Account/${id}/view$`));
  const record = await page.request.get((await page.getByTestId("open-in-salesforce").getAttribute("href"))!);
  expect(record.status()).toBe(200);
  expect(await record.text()).toContain(id);

  // Ask about it: the question box comes prefilled with the customer.
  await expect(page.getByTestId("ask-about")).toHaveValue(new RegExp(id));
  await page.getByRole("button", { name: "Ask", exact: true }).click();
  await expect(page).toHaveURL(/\/ask\?query=/);
  await expect(page.getByTestId("query-status")).toContainText("COMPLETED", { timeout: 30_000 });

  // The largest customers' question cites the largest customer, whose page then lists it.
  await openHydrated(page, "/");
  const question = "Which 5 customers have the highest annual revenue?";
  await page.getByRole("button", { name: question }).click();
  await expect(page).toHaveURL(/\/ask\?query=/);
  await expect(page.getByTestId("query-status")).toContainText("COMPLETED", { timeout: 30_000 });
  const cited = page.getByTestId("cited").getByRole("link").first();
  await expect(cited).toBeVisible();
  await cited.click();
  await expect(page).toHaveURL(/\/customers\/[A-Za-z0-9]{15,18}$/);
  await expect(page.getByTestId("citing-questions")).toContainText(question);
});
