import { chromium } from 'playwright-core';
const [base, email, password, width, out, ...paths] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const ctx = await browser.newContext({ viewport: { width: Number(width), height: 900 } });
const page = await ctx.newPage();
await page.goto(base + '/sign-in');
await page.fill('input[name=email]', email);
await page.fill('input[name=password]', password);
await page.click('button[type=submit]');
let i = 0;
for (const p of paths) {
  await page.goto(base + p);
  const sw = await page.evaluate(() => document.documentElement.scrollWidth);
  console.log(p, 'scrollWidth', sw);
  await page.screenshot({ path: `${out}-${i++}.png`, fullPage: true });
}
await browser.close();
