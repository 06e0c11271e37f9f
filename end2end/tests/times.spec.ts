import type { Page } from "@playwright/test";
import { accounts } from "../playwright.config";
import { test, expect, openHydrated, signIn } from "./fixtures";

// A zone west of UTC all year, so a time in it never reads as the UTC one.
const zone = "America/New_York";
test.use({ timezoneId: zone });

/** Asks a question through the REST API as the signed-in user; its id. */
async function ask(page: Page, prompt: string): Promise<string> {
  return page.evaluate(async (prompt) => {
    const response = await fetch("/api/ai/query", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ prompt }),
    });
    return (await response.json()).query_id;
  }, prompt);
}

/** `Wed 1 May 2024, 06:07:59`: how LocalTime's tooltip starts for `instant` in `zone`. */
function exactIn(instant: Date, timeZone: string) {
  const part = (options: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat("en-GB", { timeZone, ...options }).format(instant);
  const clock = part({ hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
  return `${part({ weekday: "short" })} ${part({ day: "numeric" })} ${part({ month: "short" })} ${part({ year: "numeric" })}, ${clock}`;
}

test("times read in the browser's zone, relative to now, and the server sends UTC", async ({ page }) => {
  await signIn(page, accounts.user);
  const id = await ask(page, `What changed this week? (${Date.now()})`);

  // The server (and the first render in the browser) write UTC; no JavaScript, no change.
  const html = await (await page.request.get(`/history/${id}`)).text();
  expect(html).toMatch(/<time datetime="[^"]+Z" title="\w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d:\d\d UTC">\d{4}-\d\d-\d\d \d\d:\d\d UTC<\/time>/);

  await openHydrated(page, `/history/${id}`);
  const asked = page.getByTestId("asked").locator("time");
  await expect(asked).toHaveText(/^(just now|\d+ min ago)$/);
  const instant = new Date((await asked.getAttribute("datetime"))!);
  const title = await asked.getAttribute("title");
  expect(title).toMatch(/ UTC−0[45]:00$/);
  expect(title).toContain(exactIn(instant, zone));

  // The history row says the same.
  await openHydrated(page, "/history");
  const row = page.getByTestId("history").locator("tbody tr").first();
  await expect(row.locator("time")).toHaveText(/^(just now|\d+ min ago)$/);
});

test("relative times move on while the page stays open", async ({ page }) => {
  await signIn(page, accounts.user);
  const id = await ask(page, `Who signed last month? (${Date.now()})`);
  await page.clock.install();
  await openHydrated(page, `/history/${id}`);
  const asked = page.getByTestId("asked").locator("time");
  await expect(asked).toHaveText("just now");
  await page.clock.fastForward("03:00");
  await expect(asked).toHaveText(/^[34] min ago$/);
  await page.clock.fastForward("02:00:00");
  await expect(asked).toHaveText(/^(today|yesterday) \d\d:\d\d$/);
});
