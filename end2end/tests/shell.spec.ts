import { accounts } from "../playwright.config";
import { test, expect, openHydrated, signIn } from "./fixtures";

test("signed-out visitors land on the sign-in page", async ({ page }) => {
  await openHydrated(page, "/");
  await expect(page).toHaveURL(/\/sign-in\?next=\/$/);
  await expect(page).toHaveTitle("Sign in · Expedite");
  await expect(page.getByRole("navigation", { name: "Main" })).toHaveCount(0);
});

test("a wrong password is refused without saying whether the account exists", async ({ page, consoleProblems }) => {
  await openHydrated(page, "/sign-in");
  for (const email of [accounts.user.email, "nobody@example.com"]) {
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("not the password");
    const answered = page.waitForResponse((response) => response.url().includes("/sfn/sign_in"));
    await page.getByRole("button", { name: "Sign in" }).click();
    expect((await answered).status()).toBe(401);
    await expect(page.getByRole("alert")).toHaveText("Incorrect email or password.");
  }
  // Chromium logs each refused sign-in (401) as a failed request; those are expected here.
  const refused = consoleProblems.filter((line) => line.includes("status of 401") && line.includes("/sfn/sign_in"));
  expect(refused).toHaveLength(2);
  consoleProblems.splice(0, consoleProblems.length, ...consoleProblems.filter((line) => !refused.includes(line)));
});

test("a user signs in, sees the overview, and signs out", async ({ page }) => {
  await signIn(page, accounts.user);
  await expect(page).toHaveTitle("Overview · Expedite");
  await expect(page.getByTestId("role")).toHaveText("User");
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Overview" })).toHaveAttribute("aria-current", "page");
  await expect(nav.getByRole("link", { name: "System" })).toHaveCount(0);
  await expect(page.getByTestId("kpis").or(page.getByTestId("overview-empty"))).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in\?next=\/$/);
});

test("an administrator reads the system facts with live data", async ({ page }) => {
  await signIn(page, accounts.admin);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "System" }).click();
  await expect(page).toHaveURL(/\/admin\/system$/);
  await expect(page).toHaveTitle("System · Expedite");
  await expect(page.getByText("Self-hosted (one process)")).toBeVisible();
  const checked = page.getByTestId("status-checked").locator("time");
  const before = await checked.getAttribute("datetime");
  expect(before).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
  await page.waitForTimeout(1100);
  await page.getByRole("button", { name: "Refresh status" }).click();
  await expect.poll(async () => await checked.getAttribute("datetime")).not.toBe(before);
});

test("an administrator is shown as one and can open the user list", async ({ page }) => {
  await signIn(page, accounts.admin);
  await expect(page.getByTestId("role")).toHaveText("Administrator");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users" }).click();
  await expect(page).toHaveURL(/\/admin\/users$/);
  const users = page.getByTestId("users");
  await expect(users.getByRole("cell", { name: accounts.user.email })).toBeVisible();
  await expect(users.getByRole("row").filter({ hasText: accounts.admin.email })).toContainText("Administrator");
});

test("a standard user has no admin navigation and is refused the admin page", async ({ page, consoleProblems }) => {
  await signIn(page, accounts.user);
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users" })).toHaveCount(0);
  const response = await openHydrated(page, "/admin/users");
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "This page is for administrators" })).toBeVisible();
  await expect(page.getByTestId("users")).toHaveCount(0);
  // Chromium logs the document's own 403 status; that one is the point of this test.
  const documentStatus = consoleProblems.findIndex((line) => line.includes("status of 403"));
  if (documentStatus >= 0) consoleProblems.splice(documentStatus, 1);
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
});

test("pages that only show data are readable without JavaScript", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const signedIn = await context.request.post("/auth/sign-in", { data: accounts.user });
  expect(signedIn.status()).toBe(200);
  const page = await context.newPage();
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Overview", level: 1 })).toBeVisible();
  await expect(page.getByTestId("kpis").or(page.getByTestId("overview-empty"))).toBeVisible();
  await context.close();
});
