import { accounts } from "../playwright.config";
import { test, expect, openHydrated, signIn } from "./fixtures";

/** The "Questions answered" figure as a number. */
async function answered(page: import("@playwright/test").Page) {
  const text = (await page.getByTestId("ops-answered").textContent()) ?? "";
  return Number(text.replace(/,/g, ""));
}

test("an administrator watches operations: questions, latency, blocked requests, the queue", async ({ page }) => {
  test.setTimeout(90_000);
  await signIn(page, accounts.admin);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Operations" }).click();
  await expect(page).toHaveURL(/\/admin\/operations$/);
  await expect(page).toHaveTitle("Operations · Expedite");
  await expect(page.getByRole("heading", { name: "Operations", level: 1 })).toBeVisible();
  const before = await answered(page);

  // Something to count: a question answered, and a request the filter blocks.
  await openHydrated(page, "/ask");
  await page.getByLabel("Your question").fill(`How many customers are in Energy? (${Date.now()})`);
  await page.getByRole("button", { name: "Ask" }).click();
  await expect(page.getByTestId("query-status")).toHaveText("COMPLETED", { timeout: 20_000 });
  const blocked = await page.request.get("/api/me?ref=1%27%20UNION%20SELECT%20password%20FROM%20users--");
  expect(blocked.status()).toBe(403);

  await openHydrated(page, "/admin/operations");
  expect(await answered(page)).toBeGreaterThanOrEqual(before + 1);
  await expect(page.getByTestId("ops-latency-figure")).toContainText(/\d+(\.\d)? (ms|s) \/ \d/);
  await expect(page.getByTestId("ops-waiting")).toHaveText(/^\d[\d,]*$/);
  expect(Number(await page.getByTestId("ops-blocked").textContent())).toBeGreaterThanOrEqual(1);

  // Charts are SVG columns with their figures on hover and in a table.
  const questions = page.getByTestId("ops-questions");
  await expect(questions.getByRole("heading", { name: "Questions per hour" })).toBeVisible();
  const drawn = questions.locator("svg.columns rect.s-ok");
  expect(await drawn.count()).toBeGreaterThanOrEqual(1);
  const tooltips = await questions.locator("svg.columns g.column title").allTextContents();
  expect(tooltips.some((text) => /Answered: [1-9]/.test(text))).toBe(true);
  // One column per hour of the window, each labelled with its day and hour.
  expect(tooltips).toHaveLength(48);
  expect(tooltips.at(-1)).toMatch(/^\w{3} \d{1,2} \w{3}, \d{2}:\d{2}\n/);
  await questions.getByText("Show as a table").click();
  await expect(questions.getByRole("table").getByRole("row").filter({ hasText: /:/ })).toHaveCount(48);
  const refused = page.getByTestId("ops-blocks");
  await expect(refused).toContainText("SQL injection");

  // The window is chosen by link, and the page reads it back.
  await page.getByRole("link", { name: "7 days" }).click();
  await expect(page).toHaveURL(/\/admin\/operations\?hours=168$/);
  await expect(page.getByRole("link", { name: "7 days" })).toHaveAttribute("aria-current", "page");
  await expect(questions.locator("tbody tr")).toHaveCount(168);

  // While open, the page reads the figures again by itself.
  const refreshed = page.waitForRequest((request) => request.url().includes("/sfn/operations"), { timeout: 40_000 });
  await refreshed;
});

test("a standard user is refused the operations page and has no link to it", async ({ page, consoleProblems }) => {
  await signIn(page, accounts.user);
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Operations" })).toHaveCount(0);
  const response = await openHydrated(page, "/admin/operations");
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "This page is for administrators" })).toBeVisible();
  const documentStatus = consoleProblems.findIndex((line) => line.includes("status of 403"));
  expect(documentStatus).toBeGreaterThanOrEqual(0);
  consoleProblems.splice(documentStatus, 1);
});
