import { accounts } from "../playwright.config";
import { test, expect, openHydrated, ensureCustomers } from "./fixtures";

test("the overview shows the customers in figures and charts that lead to them", async ({ page }) => {
  await ensureCustomers(page, accounts.admin);
  const total = Number((await page.getByTestId("customers-total").locator("strong").textContent())!.replace(/\D/g, ""));
  await openHydrated(page, "/");
  await expect(page).toHaveTitle("Overview · Expedite");
  await expect(page.getByTestId("kpi-customers")).toHaveText(total.toLocaleString("en-US"));
  await expect(page.getByTestId("kpi-revenue")).toHaveText(/^\$[\d.]+[KMB]?$/);
  await expect(page.getByTestId("kpi-median")).toHaveText(/^\$[\d.]+[KMB]?$/);
  await expect(page.getByTestId("kpi-sync").locator("time")).toHaveAttribute("datetime", /^\d{4}-/);

  // Each chart draws a bar per value (the largest first) with its figure, the exact values on
  // hover and in a table.
  for (const id of ["chart-industry", "chart-country"]) {
    const chart = page.getByTestId(id);
    const bars = chart.locator(".bar-row");
    expect(await bars.count()).toBeGreaterThan(1);
    const widths = await chart.locator("rect.bar-fill").evaluateAll((rects) =>
      rects.map((rect) => Number(rect.getAttribute("width"))),
    );
    expect(Math.max(...widths)).toBe(100);
    await expect(bars.first()).toHaveAttribute("title", /customers?$/);
    await expect(chart.locator("rect.bar-fill title").first()).toHaveText(/customers?$/);
    await chart.getByText("Show as a table").click();
    await expect(chart.getByRole("table").locator("tbody tr")).toHaveCount(await bars.count());
  }

  // A country's bar leads to its customers, as many as the chart counts.
  const country = page.getByTestId("chart-country").locator(".bar-row").first();
  const counted = Number((await country.locator(".bar-value").textContent())!.replace(/\D/g, ""));
  await country.getByRole("link").click();
  await expect(page).toHaveURL(/\/customers\?country=/);
  await expect(page.getByTestId("customers-total").locator("strong")).toHaveText(
    `${counted.toLocaleString("en-US")} customer${counted === 1 ? "" : "s"}`,
  );
});

test("a suggested question runs with one click and then shows among recent questions", async ({ page }) => {
  await ensureCustomers(page, accounts.admin);
  await openHydrated(page, "/");
  const suggestion = page.getByTestId("suggestions").getByRole("button").last();
  const question = (await suggestion.textContent())!;
  await suggestion.click();
  await expect(page).toHaveURL(/\/ask\?query=/);
  await expect(page.getByTestId("query-status")).toContainText("COMPLETED", { timeout: 30_000 });
  await openHydrated(page, "/");
  await expect(page.getByTestId("recent-questions").getByRole("link").first()).toHaveText(question);
  await expect(page.getByTestId("recent-customers").getByRole("link").first()).toBeVisible();
});

test("suggested questions run without JavaScript too", async ({ browser, page }) => {
  await ensureCustomers(page, accounts.admin);
  const context = await browser.newContext({ javaScriptEnabled: false });
  expect((await context.request.post("/auth/sign-in", { data: accounts.user })).status()).toBe(200);
  const plain = await context.newPage();
  await plain.goto("/");
  await expect(plain.getByTestId("kpi-customers")).toBeVisible();
  await plain.getByTestId("suggestions").getByRole("button").first().click();
  await expect(plain).toHaveURL(/\/ask\?query=/);
  await context.close();
});
