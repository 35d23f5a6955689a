// The browser suite: walks Remit's main journeys in a real Chromium as a
// person would, checks every page with axe (WCAG 2.2 AA) and saves a
// screenshot of each. internal/web's TestBrowser starts a server with the
// example estate and runs this with:
//
//   REMIT_URL       the server's address
//   REMIT_PASSWORD  the password of every test account
//   SCREENSHOTS     the folder for the screenshots
//   CHROMIUM        the browser to drive (default /usr/bin/chromium)
//
// With the argument "expiry" it walks instead what a risk owner sees once
// the server's clock has moved past an acceptance (the test moves it
// after the main journeys, whose risks it then finds expired).
//
// It exits non-zero, naming what went wrong, when a step fails or axe
// finds any violation.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

const base = process.env.REMIT_URL;
const password = process.env.REMIT_PASSWORD;
const shots = process.env.SCREENSHOTS || 'e2e/screenshots';
const phase = process.argv[2] || 'main';
assert.ok(base && password, 'REMIT_URL and REMIT_PASSWORD must be set');
mkdirSync(shots, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
});

const violations = [];
const errors = [];
let shot = 0;

// check saves a screenshot of the page as it is and runs axe on it.
async function check(page, name) {
  shot++;
  const file = `${shots}/${phase === 'main' ? '' : phase + '-'}${String(shot).padStart(2, '0')}-${name}.png`;
  await page.screenshot({ path: file, fullPage: true });
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
    .analyze();
  for (const v of results.violations) {
    violations.push(`${name} (${page.url()}): ${v.id} [${v.impact}] ${v.help}: ${v.nodes.map(n => n.target.join(' ')).slice(0, 5).join(', ')}`);
  }
  console.log(`checked ${name}: ${results.violations.length} violations, screenshot ${file}`);
}

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', e => errors.push(`${page.url()}: ${e.message}`));
  // A form answered 422 or a missing page answered 404 is logged by the
  // browser as a failed resource; anything else on the console is an error.
  page.on('console', m => {
    if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) errors.push(`${page.url()}: console: ${m.text()}`);
  });
  return page;
}

async function signIn(page, email) {
  await page.goto(base + '/sign-in');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(base + '/');
}

async function step(name, fn) {
  try {
    await fn();
    console.log(`ok   ${name}`);
  } catch (e) {
    console.log(`FAIL ${name}: ${e.message}`);
    throw e;
  }
}

try {
  if (phase === 'expiry') await expiry();
  else if (phase === 'sso') await sso();
  else await main();
} catch (e) {
  errors.push(String(e.stack || e));
} finally {
  await browser.close();
}

for (const v of violations) console.log('axe: ' + v);
for (const e of errors) console.log('error: ' + e);
console.log(`${shot} pages checked, ${violations.length} axe violations, ${errors.length} errors`);
process.exit(violations.length + errors.length > 0 ? 1 : 0);

// sso: signing in through the organisation's identity provider (an
// OpenID Connect provider the Go test runs), once.
async function sso() {
  await step("a person signs in through the organisation's identity provider", async () => {
    const page = await newPage();
    await page.goto(base + '/sign-in');
    await check(page, 'sign-in-with-sso');
    await page.getByRole('button', { name: /Sign in with the Test Provider/ }).click();
    // The provider's own login page (not Remit's: no accessibility check).
    await page.locator('#username').fill(process.env.SSO_USER);
    await page.locator('#password').fill(process.env.SSO_PASSWORD);
    await page.getByRole('button', { name: 'Login' }).click();
    await page.waitForURL(base + '/');
    assert.match(await page.locator('body').innerText(), /Ada Lovelace/);
    await check(page, 'dashboard-after-sso');
  });
}

// expiry: the clock is past both acceptances the main journeys recorded.
async function expiry() {
  await step('a risk owner finds the accepted risks returned for review', async () => {
    const owner = await newPage();
    await signIn(owner, 'risk@example.gov.uk');
    // They land on their work: both acceptances wait for their decision.
    const decisions = await owner.getByTestId('work-decisions').innerText();
    assert.match(decisions, /Visitor identity documents exposed through S3/);
    assert.match(decisions, /Its acceptance ended on/);
    await check(owner, 'my-work-risk-owner');
    await owner.goto(base + '/risks?status=review-due');
    const table = await owner.getByTestId('risks').innerText();
    assert.match(table, /4 of \d+ systems rely on Microsoft/);
    assert.match(table, /Visitor identity documents exposed through S3/);
    await check(owner, 'risks-review-due');
    await owner.getByRole('link', { name: /rely on Microsoft/ }).click();
    assert.match(await owner.getByTestId('risk-summary').innerText(), /review-due\s+acceptance expired/);
    await check(owner, 'risk-expired');
    // Accepting again, for another year, returns it to accepted.
    await owner.getByLabel('Why the organisation accepts it').fill('Reviewed: the service level still holds and no alternative is cheaper.');
    await owner.getByRole('button', { name: 'Accept risk' }).click();
    await owner.locator('.govuk-notification-banner--success').waitFor();
    assert.match(await owner.getByTestId('risk-summary').innerText(), /Status today\s+accepted/);
  });
}

async function main() {
  // --- An editor of the visits team: the main journey. ---------------------
  const page = await newPage();

  await step('an anonymous visitor is sent to sign in', async () => {
    await page.goto(base + '/systems');
    assert.match(page.url(), /\/sign-in\?next=%2Fsystems$/);
    await check(page, 'sign-in');
  });

  await step('signing in with nothing shows the error summary', async () => {
    await page.getByRole('button', { name: 'Sign in' }).click();
    const summary = page.locator('.govuk-error-summary');
    await summary.waitFor();
    assert.match(await summary.innerText(), /Enter your email address/);
    assert.match(await page.title(), /^Error: /);
    await check(page, 'sign-in-errors');
  });

  await step('sign in to my work, then see the dashboard', async () => {
    await signIn(page, 'editor@example.gov.uk');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'My work');
    assert.match(await page.getByTestId('work-summary').innerText(), /Obligations\s+\d+ open: \d+ named as yours, \d+ your team's/);
    assert.match(await page.getByTestId('work-obligations').innerText(), /Prison visits booking/);
    await check(page, 'my-work');
    await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Dashboard');
    const account = await page.getByTestId('account').innerText();
    assert.match(account, /editor@example\.gov\.uk/);
    assert.match(account, /role: editor/);
    assert.match(account, /team: visits-team/);
    assert.equal(await page.getByTestId('count-systems').innerText(), '8');
    assert.match(await page.getByTestId('obligations-by-team').innerText(), /visits-team/);
    await check(page, 'dashboard');
  });

  await step('open a system from the list, filtered by team', async () => {
    await page.getByRole('link', { name: 'Systems', exact: true }).click();
    await page.getByLabel('Team').selectOption('visits-team');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    assert.match(await page.getByTestId('systems-count').innerText(), /^1 system match/);
    await check(page, 'systems');
    await page.getByRole('link', { name: 'Prison visits booking' }).click();
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Prison visits booking');
    await check(page, 'system');
  });

  const row = page.locator('[data-testid="ours"] tbody tr').first();
  let obligation;
  await step('find what is still ours and change an obligation\'s status and owner', async () => {
    obligation = await row.getAttribute('data-obligation');
    assert.ok(obligation.endsWith('/ours'), `first row is ${obligation}`);
    await row.getByRole('combobox', { name: /^Owner of/ }).fill('Visits platform team');
    await row.getByRole('combobox', { name: /^Status of/ }).selectOption('in-progress');
    await row.getByRole('textbox', { name: /^Due date of/ }).fill('2027-03-31');
    await row.getByRole('button', { name: /^Save/ }).click();
    const banner = page.locator('.govuk-notification-banner--success');
    await banner.waitFor();
    assert.match(await banner.innerText(), /is now in-progress/);
    const saved = page.locator(`[data-obligation="${obligation}"]`);
    assert.equal(await saved.getByRole('combobox', { name: /^Owner of/ }).inputValue(), 'Visits platform team');
    assert.equal(await saved.getByRole('combobox', { name: /^Status of/ }).inputValue(), 'in-progress');
    await check(page, 'system-after-tracking');
  });

  await step('a bad due date on the obligation page shows the error against the field', async () => {
    await page.locator(`[data-obligation="${obligation}"] a`).first().click();
    await page.getByLabel('Due date').fill('31/03/2027');
    await page.getByRole('button', { name: 'Save' }).click();
    const summary = page.locator('.govuk-error-summary');
    await summary.waitFor();
    await check(page, 'obligation-errors');
    await summary.getByRole('link').first().click();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'due');
    await page.getByLabel('Due date').fill('2027-04-30');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('.govuk-notification-banner--success').waitFor();
  });

  await step('see the change in the audit trail', async () => {
    await page.getByRole('link', { name: 'Audit trail' }).click();
    await page.getByLabel('Kind').selectOption('obligation');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const audit = await page.getByTestId('audit').innerText();
    assert.match(audit, /editor@example\.gov\.uk/);
    assert.ok(audit.includes(obligation), `the trail names ${obligation}`);
    assert.match(audit, /due: 2027-03-31 → 2027-04-30/);
    await check(page, 'audit');
  });

  let control, before;
  await step('edit a provider statement and see the matrix change', async () => {
    await page.goto(base + '/providers/aws/offerings/ec2');
    await check(page, 'offering');
    const st = page.locator('[data-testid="statements"] tbody tr').filter({ hasText: 'srm:' }).filter({ hasText: 'inherited' }).first();
    control = await st.getAttribute('data-control');
    await page.goto(`${base}/systems/prison-visits?class=inherited#matrix`);
    before = await page.locator(`[data-control="${control}"]`).innerText();
    await page.goto(base + '/providers/aws/offerings/ec2');
    await st.getByRole('link', { name: /^Change/ }).click();
    await check(page, 'statement');
    await page.getByLabel('organisation-specific').check();
    await page.getByLabel('What the customer must do').fill('We run this control ourselves on our instances.');
    await page.getByRole('button', { name: 'Save statement' }).click();
    const banner = page.locator('.govuk-notification-banner--success');
    await banner.waitFor();
    // The banner names the systems whose obligations move, and the page
    // lands on the comparison of the model before and after.
    assert.match(await banner.innerText(), new RegExp(`Statement for ${control} saved\\. The obligations of \\d+ systems? changes?: .*Prison visits booking`));
    assert.match(page.url(), /\?from=\d+&to=\d+#diff$/);
    assert.ok((await page.getByTestId('diff').first().innerText()).includes(control), `the comparison names ${control}`);
    await page.goto(`${base}/systems/prison-visits#matrix`);
    const after = await page.locator(`[data-control="${control}"]`).innerText();
    assert.notEqual(after, before, `row ${control} should change`);
    assert.match(after, /Amazon EC2: organisation-specific/);
  });

  await step('see the diff between the two versions, with the system it affects', async () => {
    await page.goto(base + '/providers/aws/offerings/ec2');
    const versions = await page.locator('[data-testid="versions"] tbody tr').count();
    assert.ok(versions >= 2, `versions: ${versions}`);
    await page.getByLabel('Compare version').selectOption(String(versions - 1));
    await page.getByLabel('with version').selectOption(String(versions));
    await page.getByRole('button', { name: 'Compare' }).click();
    assert.match(await page.getByTestId('diff-count').innerText(), /system(s are| is) affected/);
    const diff = await page.getByTestId('diff').first().innerText();
    assert.ok(diff.includes(control), `the diff names ${control}`);
    assert.match(diff, /Now ours: We run this control ourselves/);
    await check(page, 'offering-diff');
  });

  await step('sign out', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(base + '/sign-in');
    assert.match(await page.locator('.govuk-notification-banner').innerText(), /You have signed out/);
    await page.goto(base + '/');
    assert.match(page.url(), /\/sign-in/);
  });

  // --- A viewer reads but cannot change. -----------------------------------
  const viewer = await newPage();
  await step('a viewer sees obligations read-only', async () => {
    await signIn(viewer, 'viewer@example.gov.uk');
    // The job: which controls of Prison visits are still ours, and who owns
    // them? From the header's search box in three actions.
    await viewer.getByLabel(/^Search systems, providers/).first().fill('prison visits');
    await viewer.getByRole('button', { name: 'Search', exact: true }).click();
    assert.match(await viewer.getByTestId('search-system').innerText(), /Prison visits booking/);
    await check(viewer, 'search');
    await viewer.getByTestId('search-system').getByRole('link', { name: 'Prison visits booking' }).click();
    assert.match(await viewer.getByTestId('ours-summary').innerText(), /obligations are ours[\s\S]*Owners/);
    assert.equal(await viewer.locator('[data-testid="ours"] button').count(), 0);
    assert.match(await viewer.getByTestId('ours-count').innerText(), /only an editor of team visits-team or an admin can change them/);
    await check(viewer, 'system-viewer');
  });

  // --- An admin: every other page. ------------------------------------------
  const admin = await newPage();
  await step('an admin opens every page', async () => {
    await signIn(admin, 'admin@example.gov.uk');
    const pages = [
      ['providers', '/providers'],
      ['provider', '/providers/microsoft'],
      ['catalogues', '/catalogues'],
      ['catalogue', '/catalogues/srm'],
      ['graph', '/graph'],
      ['users', '/users'],
      ['tokens', '/tokens'],
      ['reminders', '/reminders'],
      ['outbox', '/outbox'],
      ['supplier', '/providers/casetrack/supplier'],
      ['system-edit', '/systems/prison-visits/edit'],
      ['system-new', '/systems/new'],
      ['system-delete', '/systems/prison-visits/delete'],
      ['detach', '/systems/prison-visits/uses/aws/ec2/detach'],
      ['obligation', '/obligations/' + obligation.split('/').map(encodeURIComponent).join('/')],
      ['scorecards', '/scorecards'],
      ['scorecard', '/scorecards/aws/ec2?status=assured'],
      ['questionnaires', '/questionnaires'],
      ['questionnaire', '/questionnaires/ncsc-supplier'],
      ['supplier-settings', '/suppliers/settings'],
      ['clause-new', '/providers/casetrack/clauses/new'],
      ['not-found', '/systems/no-such-system'],
    ];
    for (const [name, path] of pages) {
      const resp = await admin.goto(base + path);
      assert.equal(resp.status(), name === 'not-found' ? 404 : 200, `${path} answered ${resp.status()}`);
      await check(admin, name);
    }
  });

  await step('an admin disables an account, asked first, and enables it again', async () => {
    await admin.goto(base + '/users');
    await admin.getByRole('link', { name: 'other-editor@example.gov.uk' }).click();
    await admin.waitForURL(base + '/users/other-editor@example.gov.uk');
    await check(admin, 'user-account');
    await admin.getByRole('button', { name: 'Disable account' }).click();
    assert.match(await admin.locator('h1').innerText(), /Disable other-editor@example.gov.uk\?/);
    await check(admin, 'user-disable');
    await admin.getByRole('button', { name: 'Disable account' }).click();
    await admin.locator('.govuk-notification-banner--success').waitFor();
    assert.match(await admin.locator('.govuk-summary-list').innerText(), /State\s+Disabled/);
    await admin.getByRole('button', { name: 'Enable account' }).click();
    await admin.locator('.govuk-notification-banner--success').waitFor();
    assert.match(await admin.locator('.govuk-summary-list').innerText(), /State\s+Enabled/);
    // The last admin cannot be disabled: the page says why.
    await admin.goto(base + '/users/admin@example.gov.uk/disable');
    await admin.getByRole('button', { name: 'Disable account' }).click();
    assert.match(await admin.locator('.govuk-error-summary').innerText(), /There must always be an admin to manage Remit, and admin@example.gov.uk is the last one/);
    await check(admin, 'user-last-admin');
  });

  await step('every page fits a 375 px phone and 200 % zoom without sideways scrolling', async () => {
    for (const [width, zoom] of [[375, 1], [640, 2]]) {
      const narrow = await browser.newContext({ viewport: { width, height: 800 }, deviceScaleFactor: zoom });
      const p = await narrow.newPage();
      await signIn(p, 'admin@example.gov.uk');
      for (const [name, path] of [['my-work', '/'], ['dashboard', '/dashboard'], ['search', '/search?q=visits'], ['reminders', '/reminders'], ['outbox', '/outbox'], ['systems', '/systems'], ['system', '/systems/prison-visits'], ['providers', '/providers'], ['provider', '/providers/aws'],
        ['offering', '/providers/aws/offerings/ec2'], ['evidence', '/evidence'], ['assessments', '/assessments'], ['sats', '/sats'], ['findings', '/findings'],
        ['scorecards', '/scorecards'], ['risks', '/risks'], ['cumulative', '/risks/cumulative'], ['catalogue', '/catalogues/srm'], ['graph', '/graph'], ['audit', '/audit'],
        ['tokens', '/tokens'], ['users', '/users'], ['user-account', '/users/other-editor@example.gov.uk'], ['user-disable', '/users/other-editor@example.gov.uk/disable'],
        ['supplier-casetrack', '/providers/casetrack'], ['questionnaires', '/questionnaires'], ['questionnaire', '/questionnaires/ncsc-supplier'], ['supplier-settings', '/suppliers/settings']]) {
        await p.goto(base + path);
        const [scroll, client] = await p.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
        assert.ok(scroll <= client, `${path} at ${width} px (zoom ${zoom}) scrolls sideways: ${scroll} > ${client}`);
        await p.screenshot({ path: `${shots}/narrow-${width}-${name}.png`, fullPage: true });
      }
      await narrow.close();
    }
  });

  await step('an admin adds a system, with errors first', async () => {
    await admin.goto(base + '/systems/new');
    await admin.getByRole('button', { name: 'Add system' }).click();
    const summary = admin.locator('.govuk-error-summary');
    await summary.waitFor();
    assert.match(await summary.innerText(), /Enter an id/);
    assert.match(await summary.innerText(), /Enter the system's name/);
    await check(admin, 'system-new-errors');
    await admin.getByLabel('Id', { exact: true }).fill('parole-hearings');
    await admin.getByLabel('Name', { exact: true }).fill('Parole hearings');
    await admin.getByLabel('Team', { exact: true }).selectOption('visits-team');
    await admin.getByRole('button', { name: 'Add system' }).click();
    await admin.waitForURL(base + '/systems/parole-hearings');
    await admin.getByLabel('Attach an offering').selectOption('google/workspace');
    await admin.getByRole('button', { name: 'Attach offering' }).click();
    assert.match(await admin.getByTestId('uses').innerText(), /Google Workspace/);
    await check(admin, 'system-added');
  });

  await step('an admin adds evidence for an offering and sees its obligations assured', async () => {
    await admin.goto(base + '/systems/prison-visits#reliance');
    const before = await admin.getByTestId('reliance').locator('tr', { hasText: 'Amazon EC2' }).innerText();
    await admin.goto(base + '/evidence/new?supports=offering:aws/ec2');
    await check(admin, 'evidence-new');
    await admin.getByLabel('What it is').selectOption('iso-27001');
    await admin.getByLabel('Title').fill('AWS ISO/IEC 27001 certificate');
    await admin.getByLabel('Expires on (optional)').fill('2029-06-01');
    await admin.getByLabel('Upload the file').setInputFiles({ name: 'aws-iso.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7 certificate') });
    await admin.getByRole('button', { name: 'Add evidence' }).click();
    await admin.locator('.govuk-notification-banner--success').waitFor();
    assert.match(await admin.getByTestId('evidence-summary').innerText(), /application\/pdf/);
    await check(admin, 'evidence');
    await admin.goto(base + '/systems/prison-visits#reliance');
    const after = await admin.getByTestId('reliance').locator('tr', { hasText: 'Amazon EC2' }).innerText();
    assert.notEqual(after, before);
    // Every EC2 obligation the system relies on is now assured by it.
    const [, n, assured, stale, unassured, by] = after.split('\t');
    assert.deepEqual([assured, stale, unassured, by], [n, '0', '0', 'AWS ISO/IEC 27001 certificate'], after);
    await admin.goto(base + '/evidence?expiring=90');
    await check(admin, 'evidence-list');
  });

  // --- An assessor assesses a supplier. -------------------------------------
  const assessor = await newPage();
  await step('an assessor assesses an offering and signs it off', async () => {
    await signIn(assessor, 'assessor@example.gov.uk');
    await assessor.goto(base + '/assessments');
    await check(assessor, 'assessments');
    await assessor.getByLabel('Assess an offering').selectOption('casetrack/casetrack-cloud');
    await assessor.getByRole('button', { name: 'Start assessment' }).click();
    await assessor.locator('.govuk-notification-banner--success').waitFor();
    assert.match(await assessor.getByTestId('progress').innerText(), /assessed 0 of 14 principles/);
    await check(assessor, 'assessment');
    // One principle through its form, as a person would.
    await assessor.getByRole('link', { name: 'Data protected in transit' }).click();
    await check(assessor, 'principle');
    await assessor.getByRole('group', { name: /TLS 1.2 or later/ }).getByLabel('Yes').check();
    await assessor.getByLabel('not-met').check();
    await assessor.getByRole('button', { name: 'Save and return to the assessment' }).click();
    const summary = assessor.locator('.govuk-error-summary');
    await summary.waitFor();
    assert.match(await summary.innerText(), /needs its rationale/);
    await check(assessor, 'principle-errors');
    await assessor.getByLabel('Rationale').fill('Internal traffic between data centres is not encrypted.');
    await assessor.getByRole('button', { name: 'Save and return to the assessment' }).click();
    await assessor.locator('.govuk-notification-banner--success').waitFor();
    // The other thirteen through the API the page uses, with its cookie.
    const id = assessor.url().split('/').pop();
    const tmpl = await (await assessor.request.get(base + '/api/v1/assessments/template')).json();
    for (const p of tmpl.principles.slice(1)) {
      const cur = await assessor.request.get(`${base}/api/v1/assessments/${id}`);
      const resp = await assessor.request.put(`${base}/api/v1/assessments/${id}/principles/${encodeURIComponent(p.control)}`,
        { data: { result: 'met' }, headers: { 'If-Match': cur.headers()['etag'] } });
      assert.ok(resp.ok(), `${p.control}: ${resp.status()} ${await resp.text()}`);
    }
    await assessor.reload();
    assert.match(await assessor.getByTestId('progress').innerText(), /assessed 14 of 14 principles/);
    await assessor.getByLabel('Overall conclusion').fill('Acceptable once in-transit encryption between sites is fixed.');
    await assessor.getByRole('button', { name: 'Sign off assessment' }).click();
    await assessor.locator('.govuk-notification-banner--success').waitFor();
    assert.match(await assessor.getByTestId('signed-off').innerText(), /Signed off by assessor@example\.gov\.uk/);
    await check(assessor, 'assessment-signed-off');
    // The system relying on the offering shows the failed principle.
    await assessor.goto(base + '/systems/court-case-tracking?class=shared#matrix');
    const row = await assessor.locator('[data-control="srm:SRM-15"]').innerText();
    assert.match(row, /failed/);
    // A finding from it, already overdue, shows on the dashboard.
    await assessor.goto(`${base}/assessments/${id}`);
    await assessor.getByRole('link', { name: 'Raise a finding from this assessment' }).click();
    await check(assessor, 'findings');
    await assessor.getByLabel('What was found').fill('Traffic between CaseTrack data centres is not encrypted');
    await assessor.getByLabel('Severity').selectOption('high');
    await assessor.getByLabel('Owner (optional)').fill('Supplier manager');
    await assessor.getByLabel('Due (optional)').fill('2026-01-31');
    await assessor.getByRole('button', { name: 'Raise finding' }).click();
    await assessor.locator('.govuk-notification-banner--success').waitFor();
    assert.match(await assessor.getByTestId('finding-summary').innerText(), new RegExp(id));
    await check(assessor, 'finding');
    await assessor.goto(base + '/dashboard');
    assert.match(await assessor.getByTestId('overdue-findings').innerText(), /Traffic between CaseTrack data centres is not encrypted/);
  });

  await step('an assessor fills a Standards Assurance Table on the page and through its spreadsheet', async () => {
    await assessor.goto(base + '/sats');
    await check(assessor, 'sats');
    await assessor.getByLabel('Assess a system').selectOption('legal-aid-portal');
    await assessor.getByRole('button', { name: 'Start a Standards Assurance Table' }).click();
    await assessor.locator('.govuk-notification-banner--success').waitFor();
    await check(assessor, 'sat');
    // One objective on the page.
    await assessor.getByLabel('Evidence for SAT-01').selectOption('held');
    await assessor.getByLabel('Confidence for SAT-01').selectOption('10');
    await assessor.getByLabel('Commentary for SAT-01').fill('Asset register seen, dated last month.');
    await assessor.getByRole('button', { name: 'Save the table' }).click();
    await assessor.locator('.govuk-notification-banner--success').waitFor();
    assert.match(await assessor.getByTestId('delta-SAT-01').innerText(), /Delta: 4/);
    // The rest in the spreadsheet, as assessors work: download, fill, upload.
    const id = assessor.url().split('/').pop();
    const xlsx = await assessor.request.get(`${base}/api/v1/sats/${id}/xlsx`);
    assert.equal(xlsx.status(), 200);
    const book = await xlsx.body();
    assert.equal(book.subarray(0, 2).toString(), 'PK');
    await assessor.getByLabel('Upload a completed spreadsheet').setInputFiles({ name: 'sat.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: book });
    await assessor.getByRole('button', { name: 'Upload spreadsheet' }).click();
    await assessor.locator('.govuk-notification-banner--success').waitFor();
    assert.match(await assessor.locator('.govuk-notification-banner--success').innerText(), /39 objectives read from the workbook and saved/);
    assert.match(await assessor.getByTestId('delta-SAT-01').innerText(), /Delta: 4/);
  });

  await step('an assessor decides a certificate does not cover the hosting its offering runs on', async () => {
    await assessor.goto(base + '/evidence/new?supports=offering:casetrack/casetrack-cloud');
    await assessor.getByLabel('What it is').selectOption('cyber-essentials-plus');
    await assessor.getByLabel('Title').fill('CaseTrack Cyber Essentials Plus');
    await assessor.getByLabel('What it covers (optional)').fill("CaseTrack Ltd's offices and laptops");
    await assessor.getByLabel('Expires on (optional)').fill('2027-06-01');
    await assessor.getByLabel('Or link to where it is held').fill('https://casetrack.example/ce-plus');
    await assessor.getByRole('button', { name: 'Add evidence' }).click();
    await assessor.locator('.govuk-notification-banner--success').waitFor();
    // The certificate is silent on Amazon EC2, which CaseTrack runs on.
    const card = assessor.locator('[data-fourth-party="aws/ec2"]');
    assert.match(await card.getByTestId('says').innerText(), /coverage unknown/);
    // Deciding without a rationale is refused, the error against the field.
    await card.getByLabel('No: treat it as carved out').check();
    await card.getByRole('button', { name: /Record the decision/ }).click();
    await assessor.locator('.govuk-error-summary').waitFor();
    assert.match(await assessor.locator('.govuk-error-summary').innerText(), /Give the rationale/);
    await check(assessor, 'evidence-coverage-error');
    const again = assessor.locator('[data-fourth-party="aws/ec2"]');
    await again.getByLabel('No: treat it as carved out').check();
    await again.getByLabel('Rationale').fill('Cyber Essentials Plus covers CaseTrack\'s offices, not the AWS hosting.');
    await again.getByRole('button', { name: /Record the decision/ }).click();
    await assessor.locator('.govuk-notification-banner--success').waitFor();
    assert.match(await assessor.locator('[data-fourth-party="aws/ec2"]').getByTestId('says').innerText(), /not covered as an assessor decided/);
    await check(assessor, 'evidence-coverage');
    // CaseTrack's page shows the link, and the figure agrees with the
    // offering page of Amazon EC2 resting beneath it.
    await assessor.getByRole('link', { name: 'Amazon EC2' }).first().click();
    const row = assessor.getByTestId('relied-on-by').locator('tr', { hasText: 'CaseTrack Cloud' });
    const short = await row.getByTestId('short').innerText();
    const leaves = await assessor.getByTestId('leaves').innerText();
    if (short === '0') assert.match(leaves, /none of their obligations falls short through it/);
    else assert.match(leaves, new RegExp(`leaves ${short} of their obligations not assured`));
    await check(assessor, 'offering-chain');
  });

  await step('a supplier answers through the portal, without an account, and the assessor accepts', async () => {
    await assessor.goto(base + '/assessments');
    await assessor.getByLabel('Assess an offering').selectOption('google/workspace');
    await assessor.getByRole('button', { name: 'Start assessment' }).click();
    await assessor.locator('.govuk-notification-banner--success').waitFor();
    await assessor.getByRole('button', { name: 'Make a link for the supplier' }).click();
    const link = await assessor.getByTestId('portal-link').innerText();
    assert.match(link, /\/portal\/rp_/);
    await check(assessor, 'assessment-portal-link');
    // The supplier: a browser with no session at all.
    const supplier = await newPage();
    await supplier.goto(link);
    assert.equal(await supplier.getByText('Signed in as').count(), 0);
    await check(supplier, 'portal');
    await supplier.getByRole('group', { name: /TLS 1.2 or later/ }).getByLabel('Yes').check();
    await supplier.getByRole('button', { name: 'Save your answers' }).click();
    await supplier.locator('.govuk-notification-banner--success').waitFor();
    await supplier.getByLabel('Title').fill('Google Workspace ISO 27001 certificate');
    await supplier.getByLabel('Expires on (optional, YYYY-MM-DD)').fill('2029-06-01');
    await supplier.getByLabel('The file (up to 20 MiB)').setInputFiles({ name: 'iso.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7 iso') });
    await supplier.getByRole('button', { name: 'Upload' }).click();
    await supplier.locator('.govuk-notification-banner--success').waitFor();
    assert.match(await supplier.getByTestId('uploaded').innerText(), /uploaded 1 file/);
    await supplier.getByRole('button', { name: 'Submit your answers' }).click();
    await supplier.locator('.govuk-notification-banner--success').waitFor();
    assert.match(await supplier.getByTestId('closed').innerText(), /no longer lets you change anything/);
    await check(supplier, 'portal-submitted');
    // The assessor accepts; the supplier's answer is in the assessment.
    await assessor.reload();
    await assessor.getByRole('button', { name: /Accept the supplier's answers/ }).click();
    await assessor.locator('.govuk-notification-banner--success').waitFor();
    assert.match(await assessor.getByTestId('portal-links').innerText(), /accepted/);
    assert.match(await assessor.getByTestId('tasks').innerText(), /1 of 4 questions answered/);
  });

  await step("an assessor keeps a supplier's clauses, publishes a questionnaire of their own, and a supplier answers it", async () => {
    await assessor.goto(base + '/providers/casetrack');
    await assessor.getByRole('button', { name: "Add the standard security aspects letter's 8 clauses" }).click();
    await assessor.locator('.govuk-notification-banner--success').waitFor();
    // The assessment signed off above judges the clauses' controls: the
    // sentence's counts agree with the tags in the table.
    const counts = await assessor.getByTestId('clause-counts').innerText();
    assert.match(counts, /^8 clauses, each a supplier obligation: /);
    assert.equal(await assessor.getByTestId('clauses').locator('tbody tr').count(), 8);
    for (const status of ['assured', 'unassured', 'failed']) {
      const m = counts.match(new RegExp('(\\d+) ' + status + '\\b'));
      const tags = await assessor.getByTestId('clauses').locator('strong.govuk-tag', { hasText: new RegExp('^' + status + '$') }).count();
      assert.equal(tags, m ? Number(m[1]) : 0, `${status}: the sentence says ${m ? m[1] : 0}, the table has ${tags}`);
    }
    await check(assessor, 'provider-clauses');
    // A template of our own, uploaded as YAML.
    await assessor.goto(base + '/questionnaires');
    const yaml = 'template: quick\nversion: 1\ntitle: Quick questions\nprinciples:\n  - control: ncsc-csp:CSP-05\n    title: Operational security\n    questions:\n      - id: k1\n        text: Are critical fixes applied within 14 days?\n        type: yes-no\n        expect: "yes"\n';
    await assessor.getByLabel('YAML template or CAIQ workbook').setInputFiles({ name: 'quick.yaml', mimeType: 'application/yaml', buffer: Buffer.from(yaml) });
    await assessor.getByRole('button', { name: 'Add the questionnaire' }).click();
    await assessor.locator('.govuk-notification-banner--success').waitFor();
    assert.match(await assessor.getByTestId('questionnaire-summary').innerText(), /1 principles, 1 questions; not used by any assessment yet/);
    await assessor.getByLabel('Question', { exact: true }).fill('Will you tell us of an incident within 24 hours?');
    await assessor.getByLabel('Short id').fill('k2');
    await assessor.getByRole('button', { name: 'Add the question' }).click();
    await assessor.locator('.govuk-notification-banner--success').waitFor();
    await check(assessor, 'questionnaire-own');
    // Assess against it; the supplier's portal asks its questions.
    await assessor.goto(base + '/assessments');
    await assessor.getByLabel('Assess an offering').selectOption('casetrack/casetrack-cloud');
    await assessor.getByLabel('Questionnaire').selectOption('quick');
    await assessor.getByRole('button', { name: 'Start assessment' }).click();
    await assessor.locator('.govuk-notification-banner--success').waitFor();
    await assessor.getByRole('button', { name: 'Make a link for the supplier' }).click();
    const link = await assessor.getByTestId('portal-link').innerText();
    const supplier = await newPage();
    await supplier.goto(link);
    await supplier.getByRole('group', { name: /critical fixes applied within 14 days/ }).getByLabel('Yes').check();
    await supplier.getByRole('button', { name: 'Save your answers' }).click();
    await supplier.locator('.govuk-notification-banner--success').waitFor();
    assert.equal(await supplier.getByText('Is all traffic between our users').count(), 0);
    await check(supplier, 'portal-own-questionnaire');
  });

  await step('a risk owner adopts a proposed risk, scores it and accepts it', async () => {
    const owner = await newPage();
    await signIn(owner, 'risk@example.gov.uk');
    await owner.goto(base + '/risks/proposals?source=concentration');
    await check(owner, 'proposals');
    const card = owner.locator('[data-proposal="concentration:microsoft"]');
    await card.getByRole('button', { name: /^Adopt/ }).click();
    assert.match(await owner.getByLabel('What could go wrong').inputValue(), /^4 of \d+ systems rely on Microsoft$/);
    await owner.getByLabel('Availability').selectOption('5');
    await owner.getByLabel('Likelihood').nth(1).selectOption('2');
    await owner.getByLabel('Impact', { exact: true }).selectOption('4');
    await owner.getByRole('button', { name: 'Record risk' }).click();
    await owner.locator('.govuk-notification-banner--success').waitFor();
    await owner.getByLabel('Why the organisation accepts it').fill('Microsoft 365 is contracted with a 99.9% service level; an alternative costs more than the outage would.');
    await owner.getByRole('button', { name: 'Accept risk' }).click();
    await owner.locator('.govuk-notification-banner--success').waitFor();
    await owner.goto(base + '/risks/proposals?source=concentration');
    assert.equal(await owner.locator('[data-proposal="concentration:microsoft"]').count(), 0);
    await owner.goto(base + '/risks/cumulative');
    assert.match(await owner.getByTestId('cumulative-providers').innerText(), /Microsoft/);
    await check(owner, 'cumulative');
  });

  await step('an editor records a risk and a risk owner accepts it', async () => {
    const editor = await newPage();
    await signIn(editor, 'editor@example.gov.uk');
    await editor.goto(base + '/risks/new');
    await check(editor, 'risk-new');
    await editor.getByRole('button', { name: 'Record risk' }).click();
    await editor.locator('.govuk-error-summary').waitFor();
    await check(editor, 'risk-new-errors');
    await editor.getByLabel('What could go wrong').fill('Visitor identity documents exposed through S3');
    await editor.getByLabel('Category').selectOption('information-security');
    await editor.getByLabel('Confidentiality').selectOption('5');
    await editor.getByLabel('Likelihood').first().selectOption('3');
    await editor.getByLabel('Likelihood').nth(1).selectOption('2');
    await editor.getByLabel('Impact', { exact: true }).selectOption('4');
    await editor.getByLabel(/Risk owner/).fill('risk@example.gov.uk');
    await editor.getByRole('button', { name: 'Record risk' }).click();
    await editor.locator('.govuk-notification-banner--success').waitFor();
    assert.match(await editor.getByTestId('risk-summary').innerText(), /Inherent score\s+15/);
    const owner = await newPage();
    await signIn(owner, 'risk@example.gov.uk');
    await owner.goto(editor.url());
    await owner.getByLabel('Why the organisation accepts it').fill('Bucket policies are reviewed weekly; exposure would be brief.');
    await owner.getByRole('button', { name: 'Accept risk' }).click();
    await owner.locator('.govuk-notification-banner--success').waitFor();
    assert.match(await owner.getByTestId('risk-summary').innerText(), /Accepted\s+by risk@example\.gov\.uk/);
    await check(owner, 'risk');
    await owner.goto(base + '/risks');
    await check(owner, 'risks');
  });

  await step('a risk owner accepts a risk above appetite, saying so, in four actions', async () => {
    const editor = await newPage();
    await signIn(editor, 'editor@example.gov.uk');
    await editor.goto(base + '/risks/new');
    await editor.getByLabel('What could go wrong').fill('CaseTrack patching behind its promise');
    await editor.getByLabel('Category').selectOption('supplier');
    await editor.getByLabel('Confidentiality').selectOption('4');
    await editor.getByLabel('Likelihood').first().selectOption('4');
    await editor.getByLabel('Likelihood').nth(1).selectOption('3');
    await editor.getByLabel('Impact', { exact: true }).selectOption('4');
    await editor.getByLabel(/Risk owner/).fill('risk@example.gov.uk');
    await editor.getByRole('button', { name: 'Record risk' }).click();
    await editor.locator('.govuk-notification-banner--success').waitFor();
    const owner = await newPage();
    await signIn(owner, 'risk@example.gov.uk');
    // 1: open the risk; it warns that 12 is above the appetite of 9.
    await owner.goto(editor.url());
    assert.match(await owner.getByTestId('above-appetite-warning').innerText(), /residual score, 12, is above the appetite for supplier risks \(9\)/);
    // 2–4: the rationale, the acknowledgement, accept.
    await owner.getByLabel('Why the organisation accepts it').fill('CaseTrack has committed to weekly patching by January; the alternative supplier is a year away.');
    await owner.getByLabel("I accept this risk knowing it is above the organisation's appetite").check();
    await owner.getByRole('button', { name: 'Accept risk' }).click();
    await owner.locator('.govuk-notification-banner--success').waitFor();
    assert.match(await owner.getByTestId('risk-summary').innerText(), /Accepted\s+by risk@example\.gov\.uk/);
    await owner.goto(base + '/risks');
    assert.match(await owner.getByTestId('accepted-above-appetite').innerText(), /CaseTrack patching behind its promise \(residual 12 against 9, by risk@example\.gov\.uk/);
    await check(owner, 'risks-accepted-above-appetite');
  });

  await step('a viewer finds what is still ours in prison visits, and who owns it, in three actions', async () => {
    const viewer = await newPage();
    await signIn(viewer, 'viewer@example.gov.uk');
    // 1: the systems list; 2: the system.
    await viewer.goto(base + '/systems');
    await viewer.getByRole('link', { name: 'Prison visits booking' }).first().click();
    // The answer is near the top: counts, owners, assurance.
    const summary = viewer.getByTestId('ours-summary');
    assert.ok((await summary.boundingBox()).y < 900, 'the answer is in the first screen');
    assert.match(await summary.innerText(), /\d+ obligations are ours/);
    assert.match(await summary.innerText(), /Owners\s+\d+ with a named owner; \d+ fall to visits-team, the system's team/);
    // 3: each obligation with its owner.
    await summary.getByRole('link', { name: 'See each, with its owner' }).click();
    const first = viewer.getByTestId('ours').locator('tbody tr').first();
    assert.match(await first.locator('td').nth(2).innerText(), /\S/, 'every obligation names its owner');
    await check(viewer, 'system-for-a-viewer');
  });

  await step('a system page prints without navigation, buttons or forms', async () => {
    const viewer = await newPage();
    await signIn(viewer, 'viewer@example.gov.uk');
    // The job: which controls of Prison visits are still ours, and who owns
    // them? From the header's search box in three actions.
    await viewer.getByLabel(/^Search systems, providers/).first().fill('prison visits');
    await viewer.getByRole('button', { name: 'Search', exact: true }).click();
    assert.match(await viewer.getByTestId('search-system').innerText(), /Prison visits booking/);
    await check(viewer, 'search');
    await viewer.getByTestId('search-system').getByRole('link', { name: 'Prison visits booking' }).click();
    assert.match(await viewer.getByTestId('ours-summary').innerText(), /obligations are ours[\s\S]*Owners/);
    assert.ok(await viewer.locator('main form').count() > 0, 'the page has forms to hide');
    assert.equal(await viewer.locator('main form').first().isVisible(), true);
    await viewer.emulateMedia({ media: 'print' });
    assert.equal(await viewer.locator('.govuk-template__header').isVisible(), false);
    assert.equal(await viewer.locator('.govuk-footer').isVisible(), false);
    assert.equal(await viewer.locator('main form').first().isVisible(), false);
    assert.equal(await viewer.locator('h1').isVisible(), true);
    assert.equal(await viewer.locator('main table').first().isVisible(), true);
    await viewer.emulateMedia({ media: 'screen' });
  });

  await step('a viewer downloads a system\'s responsibility matrix and its OSCAL SSP', async () => {
    const viewer = await newPage();
    await signIn(viewer, 'viewer@example.gov.uk');
    // The job: which controls of Prison visits are still ours, and who owns
    // them? From the header's search box in three actions.
    await viewer.getByLabel(/^Search systems, providers/).first().fill('prison visits');
    await viewer.getByRole('button', { name: 'Search', exact: true }).click();
    assert.match(await viewer.getByTestId('search-system').innerText(), /Prison visits booking/);
    await check(viewer, 'search');
    await viewer.getByTestId('search-system').getByRole('link', { name: 'Prison visits booking' }).click();
    assert.match(await viewer.getByTestId('ours-summary').innerText(), /obligations are ours[\s\S]*Owners/);
    const docs = viewer.getByTestId('system-documents');
    const [csv] = await Promise.all([viewer.waitForEvent('download'), docs.getByRole('link', { name: 'CSV' }).click()]);
    assert.match(csv.suggestedFilename(), /^responsibility-matrix-prison-visits-\d{4}-\d{2}-\d{2}\.csv$/);
    const text = readFileSync(await csv.path(), 'utf8');
    assert.match(text, /^control,title,class,what the provider does,what we must do/);
    const [ssp] = await Promise.all([viewer.waitForEvent('download'), docs.getByRole('link', { name: 'OSCAL system security plan' }).click()]);
    const doc = JSON.parse(readFileSync(await ssp.path(), 'utf8'));
    assert.equal(doc['system-security-plan'].metadata.title, 'System security plan: Prison visits booking');
    const [sspXML] = await Promise.all([viewer.waitForEvent('download'), docs.getByRole('link', { name: 'as XML' }).click()]);
    assert.match(sspXML.suggestedFilename(), /^ssp-prison-visits-\d{4}-\d{2}-\d{2}\.xml$/);
    assert.match(readFileSync(await sspXML.path(), 'utf8'), /<system-security-plan xmlns="http:\/\/csrc\.nist\.gov\/ns\/oscal\/1\.0"[^>]*>\s*<metadata>\s*<title>System security plan: Prison visits booking<\/title>/);
  });

  await step('an admin creates an API token and sees its secret once', async () => {
    await admin.goto(base + '/tokens');
    await admin.getByLabel('What it is for').fill('Nightly export');
    await admin.getByRole('button', { name: 'Create token' }).click();
    assert.match(await admin.getByTestId('token-secret').innerText(), /^remit_/);
    await check(admin, 'token-created');
    // Revoking asks first.
    await admin.goto(base + '/tokens');
    await admin.getByRole('button', { name: 'Revoke Nightly export' }).click();
    assert.match(await admin.getByTestId('confirm-warning').innerText(), /is refused from now on/);
    await check(admin, 'token-revoke-confirm');
    await admin.getByRole('button', { name: 'Revoke token' }).click();
    await admin.locator('.govuk-notification-banner--success').waitFor();
    assert.match(await admin.locator('body').innerText(), /revoked/);
  });
}
