import type { Page } from "@playwright/test";
import { accounts } from "../playwright.config";
import { test, expect, openHydrated, signIn } from "./fixtures";

test("the sign-in page puts the cursor in the email field", async ({ page }) => {
  await openHydrated(page, "/sign-in");
  await expect(page.getByLabel("Email")).toBeFocused();
  // Also after signing out, which reaches the page without a page load.
  await signIn(page, accounts.user);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await expect(page.getByLabel("Email")).toBeFocused();
});

/** Opens `deepLink` signed out, signs in on the page it is sent to, and expects to land on it. */
async function signInThrough(page: Page, deepLink: string) {
  await openHydrated(page, deepLink);
  await expect(page).toHaveURL(/\/sign-in\?next=/);
  expect(new URL(page.url()).searchParams.get("next")).toBe(deepLink);
  await page.getByLabel("Email").fill(accounts.user.email);
  await page.getByLabel("Password").fill(accounts.user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(deepLink);
  await expect(page.getByTestId("signed-in-as")).toHaveText(accounts.user.email);
}

test("a deep link survives signing in, query string and all", async ({ page }) => {
  await signInThrough(page, "/customers?industry=Energy&sort=name_desc&size=50");
});

// Fails in Chromium: the query's `%26` arrives as `&` (the `next` value is right; the
// client-side navigation after signing in decodes it once more). To fix, then make it `test`.
test.fixme("a deep link with encoded characters in its query survives signing in", async ({ page }) => {
  await signInThrough(page, "/customers?search=a%26b&sort=name_desc");
});

test("a next that leaves the site is not followed", async ({ page }) => {
  await openHydrated(page, `/sign-in?next=${encodeURIComponent("//evil.example/x")}`);
  await page.getByLabel("Email").fill(accounts.user.email);
  await page.getByLabel("Password").fill(accounts.user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("signed-in-as")).toHaveText(accounts.user.email);
  await expect(page).toHaveURL(/^http:\/\/127\.0\.0\.1:\d+\/$/);
});

test("Ctrl+Enter and ⌘+Enter ask the question", async ({ page }) => {
  await signIn(page, accounts.user);
  for (const keys of ["Control+Enter", "Meta+Enter"]) {
    await openHydrated(page, "/ask");
    const prompt = `Which renewals are due? (${keys}, ${Date.now()})`;
    await page.getByLabel("Your question").fill(prompt);
    await page.getByLabel("Your question").press(keys);
    await expect(page).toHaveURL(/\/ask\?query=[0-9a-f-]{36}$/);
    await expect(page.getByTestId("prompt")).toHaveText(prompt);
  }
  // A plain Enter is a new line, not a question.
  await openHydrated(page, "/ask");
  await page.getByLabel("Your question").fill("first line");
  await page.getByLabel("Your question").press("Enter");
  await expect(page.getByLabel("Your question")).toHaveValue("first line\n");
  await expect(page).toHaveURL(/\/ask$/);
});

/**
 * Questions asked in a burst through the REST API; the last waits behind the others, so its
 * page is served while it is unfinished (tried again with a bigger burst if the worker won).
 */
async function unfinishedQuestion(page: Page, burst: number) {
  return page.evaluate(async (burst) => {
    const ids: string[] = [];
    const stamp = Date.now();
    await Promise.all(
      Array.from({ length: burst }, async (_, n) => {
        const response = await fetch("/api/ai/query", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ prompt: `Which accounts are largest in each industry? (${stamp}-${n})` }),
        });
        ids[n] = (await response.json()).query_id;
      }),
    );
    return ids[burst - 1];
  }, burst);
}

test("without JavaScript an unfinished question's page reloads itself until answered", async ({ browser, baseURL }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  expect((await context.request.post("/auth/sign-in", { data: accounts.user })).status()).toBe(200);
  const page = await context.newPage();
  for (const burst of [10, 30, 60]) {
    // The page runs no script, so the burst goes out from the context, as a same-origin client.
    const stamp = Date.now();
    const ids = await Promise.all(
      Array.from({ length: burst }, async (_, n) => {
        const response = await context.request.post("/api/ai/query", {
          data: { prompt: `Which accounts are largest in each industry? (${stamp}-${n})` },
          headers: { origin: baseURL! },
        });
        expect(response.status()).toBe(202);
        return (await response.json()).query_id as string;
      }),
    );
    const loads: string[] = [];
    page.on("load", () => loads.push(page.url()));
    const response = await page.goto(`/history/${ids[burst - 1]}`);
    const served = (await response?.text()) ?? "";
    if (/>(COMPLETED|FAILED)</.test(served)) continue;
    expect(served).toContain('<noscript data-testid="no-script-refresh"><meta http-equiv="refresh" content="3"></noscript>');
    // No reload by the test: the page refreshes itself, then stops once the answer is in.
    await expect(page.getByTestId("query-status")).toHaveText("COMPLETED", { timeout: 30_000 });
    expect(loads.length).toBeGreaterThan(1);
    const settled = loads.length;
    await page.waitForTimeout(4_000);
    expect(loads.length, "no more reloads once answered").toBe(settled);
    await context.close();
    return;
  }
  throw new Error("every burst was answered before its page was served");
});

test("with JavaScript the unfinished question's page never reloads; it follows the answer live", async ({ page }) => {
  await signIn(page, accounts.user);
  for (const burst of [10, 30, 60]) {
    const id = await unfinishedQuestion(page, burst);
    const loads: string[] = [];
    page.on("load", () => loads.push(page.url()));
    const response = await openHydrated(page, `/history/${id}`);
    if (!(await response!.text()).includes("no-script-refresh")) continue;
    // Parsed as text while scripts run: no meta element, so nothing to reload the page.
    await expect(page.locator('meta[http-equiv="refresh"]')).toHaveCount(0);
    await expect(page.getByTestId("query-status")).toHaveText("COMPLETED", { timeout: 30_000 });
    await page.waitForTimeout(4_000);
    expect(loads).toHaveLength(1);
    return;
  }
  throw new Error("every burst was answered before its page was served");
});
