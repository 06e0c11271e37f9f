import { accounts, answers } from "../playwright.config";
import { test, expect, openHydrated, signIn } from "./fixtures";

test("a user asks a question, watches it being answered, and finds it in the history", async ({ page }) => {
  await signIn(page, accounts.user);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Ask" }).click();
  await expect(page).toHaveURL(/\/ask$/);
  await expect(page).toHaveTitle("Ask · Expedite");

  // A question no other test asks, so the history row below is this one.
  const prompt = `Which customers have the highest annual revenue? (${Date.now()})`;
  await page.getByLabel("Your question").fill(prompt);
  await page.getByRole("button", { name: "Ask" }).click();
  await expect(page).toHaveURL(/\/ask\?query=[0-9a-f-]{36}$/);
  const queryId = new URL(page.url()).searchParams.get("query");

  const panel = page.getByTestId("query");
  await expect(panel.getByTestId("prompt")).toHaveText(prompt);
  await expect(panel.getByTestId("query-status")).toHaveText("COMPLETED", { timeout: 20_000 });
  await expect(panel.getByTestId("answer")).toContainText(answers.text);
  // The answer is text: nothing in it is rendered as markup.
  await expect(panel.getByTestId("answer").locator("script, iframe, img")).toHaveCount(0);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "History" }).click();
  await expect(page).toHaveURL(/\/history$/);
  const row = page.getByTestId("history").getByRole("row").filter({ hasText: prompt });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("COMPLETED");
  await row.getByRole("link", { name: prompt }).click();

  await expect(page).toHaveURL(new RegExp(`/history/${queryId}$`));
  await expect(page.getByRole("heading", { name: "Question details" })).toBeVisible();
  await expect(page.getByTestId("prompt")).toHaveText(prompt);
  await expect(page.getByTestId("query-status")).toHaveText("COMPLETED");
  await expect(page.getByTestId("answer")).toContainText(answers.text);
  await expect(page.getByTestId("model")).toHaveText(answers.model);

  // Rendered on the server and hydrated (the fixture fails on any hydration warning).
  await openHydrated(page, `/history/${queryId}`);
  await expect(page.getByTestId("answer")).toContainText(answers.text);
  await openHydrated(page, `/ask?query=${queryId}`);
  await expect(page.getByTestId("query-status")).toHaveText("COMPLETED");
});

test("the question detail page is readable without JavaScript", async ({ browser, page }) => {
  await signIn(page, accounts.user);
  await openHydrated(page, "/ask");
  const prompt = `How many customers are there per industry? (${Date.now()})`;
  await page.getByLabel("Your question").fill(prompt);
  await page.getByRole("button", { name: "Ask" }).click();
  await expect(page.getByTestId("query-status")).toHaveText("COMPLETED", { timeout: 20_000 });
  const queryId = new URL(page.url()).searchParams.get("query");

  const context = await browser.newContext({ javaScriptEnabled: false });
  expect((await context.request.post("/auth/sign-in", { data: accounts.user })).status()).toBe(200);
  const plain = await context.newPage();
  await plain.goto(`/history/${queryId}`);
  await expect(plain.getByTestId("prompt")).toHaveText(prompt);
  await expect(plain.getByTestId("query-status")).toHaveText("COMPLETED");
  await expect(plain.getByTestId("answer")).toContainText(answers.text);
  await plain.goto("/history");
  await expect(plain.getByTestId("history").getByRole("link", { name: prompt })).toBeVisible();
  await context.close();
});

test("asking works as a plain form without JavaScript", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  expect((await context.request.post("/auth/sign-in", { data: accounts.user })).status()).toBe(200);
  const page = await context.newPage();
  await page.goto("/ask");
  const prompt = `Which accounts changed most recently? (${Date.now()})`;
  await page.getByLabel("Your question").fill(prompt);
  await page.getByRole("button", { name: "Ask" }).click();
  await expect(page).toHaveURL(/\/ask\?query=[0-9a-f-]{36}$/);
  await expect(page.getByTestId("prompt")).toHaveText(prompt);
  // Without JavaScript the page does not follow the status; a reload shows the answer.
  await expect
    .poll(async () => {
      await page.reload();
      return page.getByTestId("query-status").textContent();
    }, { timeout: 20_000 })
    .toBe("COMPLETED");
  await expect(page.getByTestId("answer")).toContainText(answers.text);
  await context.close();
});

test("another user's question, or a made-up id, is not found", async ({ page, consoleProblems }) => {
  await signIn(page, accounts.user);
  const response = await openHydrated(page, "/history/00000000-0000-4000-8000-000000000000");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("alert")).toHaveText("There is no query with this id.");
  // Chromium logs the document's own 404 status; that one is the point of this test.
  const documentStatus = consoleProblems.findIndex((line) => line.includes("status of 404"));
  expect(documentStatus).toBeGreaterThanOrEqual(0);
  consoleProblems.splice(documentStatus, 1);
});

test("signed-out visitors are sent to sign in", async ({ page }) => {
  for (const path of ["/ask", "/history"]) {
    await openHydrated(page, path);
    await expect(page).toHaveURL(new RegExp(`/sign-in\\?next=${path}$`));
  }
});

test("a question still in progress is followed through the REST API until it is answered", async ({ page }) => {
  await signIn(page, accounts.user);
  const prompt = `Who are the largest customers? (${Date.now()})`;
  // Asked through the API from the page, as a same-origin browser client (the session cookie
  // authenticates it; the Origin header satisfies the CSRF check).
  const asked = await page.evaluate(async (prompt) => {
    const response = await fetch("/api/ai/query", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ prompt }),
    });
    return { status: response.status, body: await response.json() };
  }, prompt);
  expect(asked.status).toBe(202);
  const id = asked.body.query_id;

  // Opened from the history, the detail page loads the query in the browser. It first learns
  // of it as QUEUED (as it would from a busy worker), so it must follow it through the API.
  await openHydrated(page, "/history");
  let rewritten = false;
  await page.route("**/sfn/get_query*", async (route) => {
    const response = await route.fetch();
    const query = await response.json();
    if (!rewritten) {
      rewritten = true;
      query.status = "QUEUED";
      for (const field of ["answer", "model", "usage"]) delete query[field];
      query.citations = [];
    }
    await route.fulfill({ response, json: query });
  });
  const polls: string[] = [];
  page.on("request", (request) => {
    if (new URL(request.url()).pathname === `/api/ai/query/${id}`) polls.push(request.url());
  });

  await page.getByTestId("history").getByRole("link", { name: prompt }).click();
  await expect(page).toHaveURL(new RegExp(`/history/${id}$`));
  await expect(page.getByTestId("query-status")).toHaveText("COMPLETED", { timeout: 20_000 });
  expect(rewritten).toBe(true);
  expect(polls.length).toBeGreaterThan(0);
  await expect(page.getByTestId("answer")).toContainText(answers.text);
  await expect(page.getByTestId("cited").getByRole("link")).not.toHaveCount(0);
});
