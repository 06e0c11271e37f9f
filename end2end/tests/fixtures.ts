import { test as base, expect, type Page } from "@playwright/test";

/**
 * Every test fails if the browser logs an error or warning (hydration mismatches among them)
 * or a script throws.
 */
export const test = base.extend<{ consoleProblems: string[] }>({
  consoleProblems: [
    async ({ page }, use) => {
      const problems: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error" || message.type() === "warning") {
          problems.push(`${message.type()}: ${message.text()} (${message.location().url})`);
        }
      });
      page.on("pageerror", (error) => problems.push(`uncaught: ${error.message}`));
      await use(problems);
      expect(problems, "browser console problems").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** Opens `path` and waits until the app is hydrated and interactive. */
export async function openHydrated(page: Page, path: string) {
  const response = await page.goto(path);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  return response;
}

/** Signs in through the sign-in page and waits for the dashboard. */
export async function signIn(page: Page, account: { email: string; password: string }) {
  await openHydrated(page, "/sign-in");
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("signed-in-as")).toHaveText(account.email);
}

/**
 * These tests need customers. In demo mode (no SALESFORCE_* configured) the server syncs from
 * its built-in sandbox org of 2,500 accounts; if none have arrived yet, an administrator runs
 * a sync from the sync page first.
 */
export async function ensureCustomers(page: Page, admin: { email: string; password: string }) {
  await signIn(page, admin);
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

