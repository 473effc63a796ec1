// Browser test of the web console: one term walked through the pages by the people who use them,
// Playwright driving Debian's chromium (headless). It asserts on what the pages show and saves a
// screenshot of every page under $EDUPAY_WEB_OUT/screenshots.
//
// Environment (set by CTest): EDUPAY_BIN, EDUPAYD_BIN, EDUPAY_BANKSIM, EDUPAY_CSV2XLSX,
// EDUPAY_WEB_OUT (a scratch folder under the build folder), CHROMIUM (default /usr/bin/chromium).
'use strict';

const { chromium } = require('playwright-core');
const { execFileSync, spawn } = require('child_process');
const assert = require('assert/strict');
const fs = require('fs');
const net = require('net');
const path = require('path');
const { englishSentences, visibleTexts } = require('./chinese');

const SRC = path.resolve(__dirname, '..', '..');
const OUT = path.resolve(process.env.EDUPAY_WEB_OUT || path.join(SRC, 'build', 'web-test'));
const SHOTS = path.join(OUT, 'screenshots');
const EDUPAY = need('EDUPAY_BIN');
const EDUPAYD = need('EDUPAYD_BIN');
const BANKSIM = need('EDUPAY_BANKSIM');
const CSV2XLSX = need('EDUPAY_CSV2XLSX');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const TERM = '2026-autumn';
const COUNTY = '430121';
const SCHOOL = '1430121002';  // a primary school: the non-boarding allowance applies
const PROGRAMME = 'compulsory_nonboarding_allowance';
const PASSWORDS = { admin: 'Admin-web-2026', officer: 'Officer-web-2026', approver1: 'Approver-web-2026',
  approver2: 'Approver-web-2026', school: 'School-web-2026', auditor: 'Auditor-web-2026', bank: 'Bank-web-2026' };

function need(name) {
  const v = process.env[name];
  if (!v) throw new Error(`set ${name} (CTest does)`);
  return v;
}

const dbEnv = {
  ...process.env,
  EDUPAY_DB: 'sqlite:' + path.join(OUT, 'edupay.db'),
  EDUPAY_KEY_FILE: path.join(OUT, 'edupay.key'),
  EDUPAY_TODAY: '2026-09-14',
};

function edupay(args, extra) {
  return execFileSync(EDUPAY, args, { env: { ...dbEnv, ...(extra || {}) }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
function as(user, password, args) { return edupay([...args, '--as', user], { EDUPAY_PASSWORD: password }); }

/** "¥1,234.50" or "1234.50" -> whole fen as a BigInt (money is never a float here either). */
function fen(text) {
  const m = /^(-?)¥?([\d,]+)\.(\d\d)$/.exec(String(text).trim());
  if (!m) throw new Error('not an amount: ' + text);
  const v = BigInt(m[2].replace(/,/g, '')) * 100n + BigInt(m[3]);
  return m[1] ? -v : v;
}

let step = 0;
function log(what) { console.log(`[web] ${++step}. ${what}`); }

// ---------- the data a county has before the term starts (command line, as operators do) ----------

function setUp() {
  fs.rmSync(OUT, { recursive: true, force: true });
  fs.mkdirSync(SHOTS, { recursive: true });
  const province = path.join(OUT, 'province');
  edupay(['synth', '--students', '800', '--seed', '7', '--out', province]);
  edupay(['keygen']);
  edupay(['migrate']);
  // Every write acts for someone: the sysadmin registers regions and schools; the province's
  // unattended import account (a service account with a credential file) loads the rest.
  edupay(['user', 'add', 'admin', '--role', 'sysadmin', '--scope', '*'], { EDUPAY_NEW_PASSWORD: PASSWORDS.admin });
  const svc = path.join(OUT, 'svc-province.credential');
  as('admin', PASSWORDS.admin, ['user', 'add', 'svc-province', '--role', 'bureau_officer', '--scope', '43', '--credential-file', svc]);
  const bySvc = (args) => edupay([...args, '--as', 'svc-province', '--credential', svc]);
  as('admin', PASSWORDS.admin, ['import', 'regions', path.join(province, 'regions.csv')]);
  as('admin', PASSWORDS.admin, ['import', 'schools', path.join(province, 'schools.csv')]);
  const ourRoll = path.join(province, 'roll', `${SCHOOL}-${COUNTY}.csv`);
  for (const f of fs.readdirSync(path.join(province, 'roll')).sort()) {
    const file = path.join(province, 'roll', f);
    if (file !== ourRoll) bySvc(['import', 'roll', file]);  // the other schools uploaded earlier
  }
  for (const source of ['poverty', 'civil_affairs', 'disabled', 'orphan'])
    bySvc(['import', 'roster', path.join(province, 'rosters', source + '.csv'), '--source', source]);
  bySvc(['policy', 'activate', path.join(SRC, 'policies', 'hunan.json')]);
  for (const f of fs.readdirSync(path.join(province, 'nominations')).sort()) {
    const name = path.basename(f, '.csv');
    const cut = name.lastIndexOf('-');
    bySvc(['import', 'nominations', path.join(province, 'nominations', f), '--programme', name.slice(0, cut), '--year', name.slice(cut + 1)]);
  }
  const addUser = (name, role, scope, pw) =>
    edupay(['user', 'add', name, '--role', role, '--scope', scope, '--as', 'admin'], { EDUPAY_NEW_PASSWORD: pw, EDUPAY_PASSWORD: PASSWORDS.admin });
  addUser('officer', 'bureau_officer', COUNTY, PASSWORDS.officer);
  addUser('approver1', 'bureau_approver', '4301', PASSWORDS.approver1);
  addUser('approver2', 'bureau_approver', COUNTY, PASSWORDS.approver2);
  addUser('school', 'school_admin', SCHOOL, PASSWORDS.school);
  addUser('auditor', 'auditor', '43', PASSWORDS.auditor);
  for (const bank of ['102', '103', '104', '105', '402'])
    addUser('bank' + bank, 'bank_operator', bank, PASSWORDS.bank);
  const budget = path.join(OUT, 'budget.csv');
  fs.writeFileSync(budget, 'programme,region,fiscal_year,source,allocated\n' +
    ['central,2000000', 'provincial,1200000', 'county,800000'].map(x => `${PROGRAMME},${COUNTY},2026,${x}`).join('\n') + '\n');
  edupay(['keygen', '--signing', path.join(OUT, 'signing.pem')]);

  // The school's roll with two mistakes, and the corrected roll saved from a spreadsheet.
  const lines = fs.readFileSync(ourRoll, 'latin1').split('\n');
  const bad = lines.slice();
  const f2 = bad[2].split(',');
  f2[0] = f2[0].slice(0, 17) + (f2[0][17] === '0' ? '1' : '0');  // wrong check character
  bad[2] = f2.join(',');
  const f4 = bad[4].split(',');
  f4[3] = '2026-02-30';  // no such date
  bad[4] = f4.join(',');
  fs.writeFileSync(path.join(OUT, 'roll-with-errors.csv'), bad.join('\n'), 'latin1');
  execFileSync(CSV2XLSX, [ourRoll, path.join(OUT, 'roll.xlsx')]);
  return { rows: lines.filter(l => l.trim()).length - 1 };
}

// ---------- the service ----------

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
    s.on('error', reject);
  });
}

async function startService(port, today) {
  const props = path.join(OUT, 'edupayd.properties');
  fs.writeFileSync(props, [
    'http.address = 127.0.0.1', `http.port = ${port}`, `db.url = ${dbEnv.EDUPAY_DB}`,
    `key.file = ${dbEnv.EDUPAY_KEY_FILE}`, `signing.key = ${path.join(OUT, 'signing.pem')}`,
    `files.dir = ${path.join(OUT, 'files')}`, 'http.threads = 4',
    // The test finds a paid child by looking several up from one address.
    'family.lookups_per_address = 400', `family.contact.${COUNTY} = 长沙县学生资助管理中心 0731-84000000`, ''].join('\n'));
  const log = fs.openSync(path.join(OUT, `edupayd-${today}.log`), 'w');
  const child = spawn(EDUPAYD, ['--config', props], { env: { ...process.env, EDUPAY_TODAY: today, EDUPAY_ACCESS_LOG: '1' }, stdio: ['ignore', log, log] });
  for (let i = 0; i < 200; i++) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/ready`);
      if (r.ok) return child;
    } catch (e) { /* not listening yet */ }
    if (child.exitCode !== null) throw new Error('edupayd exited; see ' + path.join(OUT, `edupayd-${today}.log`));
    await new Promise(r => setTimeout(r, 100));
  }
  throw new Error('edupayd did not become ready');
}

function stopService(child) {
  return new Promise(resolve => {
    if (child.exitCode !== null) return resolve();
    child.on('exit', resolve);
    child.kill('SIGTERM');
  });
}

// ---------- the browser ----------

async function main() {
  log('set up a county: province, rolls of the other schools, rosters, policy, users, budget, bank accounts');
  const { rows } = setUp();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let service = await startService(port, '2026-09-14');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update',
      '--disable-default-apps', '--disable-sync', '--disable-extensions', '--metrics-recording-only'],
  });
  const foreign = [];
  const pageErrors = [];
  let shot = 0;
  try {
    const context = await browser.newContext({ acceptDownloads: true, locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    // The console works offline: anything not served by edupayd is refused and remembered.
    await context.route('**/*', r => {
      if (r.request().url().startsWith(base)) return r.continue();
      foreign.push(r.request().url());
      return r.abort();
    });
    const page = await context.newPage();
    page.on('pageerror', e => pageErrors.push(e.message));
    page.setDefaultTimeout(30000);
    // Every page is shot, and every page shown in Chinese is read for English sentences.
    const english = [];
    let inEnglish = false;
    const readChinese = async (p, name) => {
      if (inEnglish) return;
      for (const s of englishSentences(await visibleTexts(p))) if (!english.some(e => e.endsWith(': ' + s))) english.push(`${name}: ${s}`);
    };
    const screenshot = async (name) => {
      await readChinese(page, name);
      return page.screenshot({ path: path.join(SHOTS, `${String(++shot).padStart(2, '0')}-${name}.png`), fullPage: true });
    };
    const login = async (name, password) => {
      await page.goto(base + '/console/#/login');
      await page.getByLabel('用户名').fill(name);
      await page.getByLabel('密码').fill(password);
      await page.getByRole('button', { name: '登录' }).click();
      await page.locator('#who').filter({ hasText: name }).waitFor();
    };
    const logout = async () => {
      await page.getByRole('button', { name: '退出' }).click();
      await page.getByRole('heading', { name: '登录' }).waitFor();
    };
    const go = async (hash, heading) => {
      await page.goto(base + '/console/#/' + hash);
      if (heading) await page.getByRole('heading', { name: heading }).first().waitFor();
    };

    // 1. The school administrator uploads a roll with mistakes, sees them by row, fixes, uploads again.
    log('school administrator: a roll with two mistakes is refused with a row-level report');
    await page.goto(base + '/');
    await page.getByRole('heading', { name: '登录' }).waitFor();
    await screenshot('login');
    await login('school', PASSWORDS.school);
    await go('roll', '上传学籍名册');
    // The template a school starts from: Chinese headers and words, in GBK as Excel opens it.
    const template = await page.request.get(base + await page.getByRole('link', { name: /中文表头/ }).getAttribute('href'));
    assert.equal(template.status(), 200);
    assert.match(template.headers()['content-type'], /gbk/);
    assert.ok((await template.body()).equals(fs.readFileSync(path.join(__dirname, '../../templates/roll/sample-gbk-zh.csv'))), 'the GBK template byte for byte');
    await page.getByLabel('文件').setInputFiles(path.join(OUT, 'roll-with-errors.csv'));
    await page.getByRole('button', { name: '上传' }).click();
    await page.getByText('名册未导入').waitFor();
    const issues = page.locator('[data-table="issues"] tbody tr');
    const issueText = await issues.allInnerTexts();
    // The column by the name the roll heads it with, the reason in Chinese.
    assert.ok(issueText.some(t => /^3\t身份证号\t/.test(t) && t.includes('校验位应为')), 'line 3, 身份证号: ' + issueText.join(' | '));
    assert.ok(issueText.some(t => /^5\t出生日期\t/.test(t) && t.includes('不是有效日期')), 'line 5, 出生日期: ' + issueText.join(' | '));
    await screenshot('roll-errors');

    log('school administrator: the corrected roll, saved as .xlsx, is imported');
    await page.getByLabel('文件').setInputFiles(path.join(OUT, 'roll.xlsx'));
    await page.getByRole('button', { name: '上传' }).click();
    await page.getByText(`已导入：${rows} / ${rows} 行。`).waitFor();
    await page.locator('#roll-changes').getByText(/学生：新增 [1-9]\d* 人/).waitFor();
    await screenshot('roll-imported');
    log('school administrator: the same roll sent again says that nothing changed');
    await page.getByRole('button', { name: '上传' }).click();
    await page.getByText(`与已导入的名册相同：${rows} 行，没有任何变化。`).waitFor();
    log('school administrator: the upload history names both uploads, the second one unchanged');
    await page.reload();  // the same page drawn afresh
    await page.getByRole('heading', { name: '上传记录' }).waitFor();
    await page.locator('[data-table="uploads-roll"]').waitFor();
    const rollUploads = await page.locator('[data-table="uploads-roll"] tbody tr').allInnerTexts();
    assert.ok(rollUploads.length >= 2, 'two uploads: ' + rollUploads.join(' | '));
    assert.match(rollUploads[0], /无变化/);
    assert.match(rollUploads[0], /\tschool\t/);
    assert.match(rollUploads[1], /roll\.xlsx/);
    await screenshot('roll-uploads');

    log('school administrator: a student\'s lifelong record, and a difficulty level recorded');
    await go('students', `学校 ${SCHOOL} 的学生`);
    const students = page.locator('[data-table="students"] tbody tr');
    await page.locator('.pager').waitFor();
    assert.equal(await students.count(), 20, 'a page of 20 students');
    assert.match(await page.locator('.pager').innerText(), new RegExp(`共 ${rows} 条`));
    const ridCell = await students.first().locator('td').nth(1).innerText();
    assert.match(ridCell, /^\d{6}\*+\d{3}[\dX]$|^\d{4}\*+[\dX]{4}$|\*/, 'resident IDs are masked: ' + ridCell);
    await students.first().getByRole('link').click();
    await page.getByRole('heading', { name: '学籍记录' }).waitFor();
    await page.getByLabel('困难等级', { exact: true }).selectOption('especially');
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByText('→ 特别困难').waitFor();
    await screenshot('student-record');
    // The slips the school hands to families: the page's address and its QR code, no child's data.
    await go('slips', '学生资助查询告知单');
    const slips = await page.request.get(base + await page.locator('#slips-link').getAttribute('href'));
    assert.equal(slips.status(), 200);
    const slipsHtml = await slips.text();
    assert.ok(slipsHtml.includes(base + '/console/family.html') && slipsHtml.includes('<svg'), 'the address and its QR code');
    assert.equal((slipsHtml.match(/class="slip"/g) || []).length, rows, 'one slip per student on the roll');
    await logout();

    // 2. The bureau officer runs the entitlements, builds the batches, publishes the notices.
    log('bureau officer: the entitlement run, with progress');
    await login('officer', PASSWORDS.officer);
    await go('run', '计算本学期资助资格');
    await page.getByLabel('学期').selectOption(TERM);
    await page.getByRole('button', { name: '开始计算' }).click();
    await page.getByText(/完成：2026-autumn，\d+ 名学生/).waitFor({ timeout: 120000 });
    await screenshot('entitlement-run');

    log('bureau officer: the county budget imported on the budgets page');
    await go('budgets', '资助资金预算');
    await page.getByLabel('预算文件').setInputFiles(path.join(OUT, 'budget.csv'));
    await page.getByRole('button', { name: '导入预算文件（CSV）' }).click();
    await page.getByText('已导入 3 条预算。').waitFor();
    await page.locator('[data-table="budgets"] tbody tr').nth(2).waitFor();
    assert.match(await page.locator('[data-table="budgets"]').innerText(), /中央[\s\S]*2,000,000\.00/);
    await screenshot('officer-budgets');

    log('bureau officer: the paying account at each bank, recorded on its page (a wrong number refused)');
    await go('payers', '资助专户（付款账户）');
    await page.locator('[data-table="payers"] tbody tr').nth(4).waitFor();
    assert.match(await page.locator('[data-table="payers"]').innerText(), /中国工商银行（102）\s+未登记/);
    const payerForm = (bank) => page.locator(`form[data-bank="${bank}"]`);
    await payerForm('102').getByLabel('付款账号 102').fill('62 abc');
    await payerForm('102').getByLabel('户名（银行登记的单位名称） 102').fill('长沙县教育局学生资助专户');
    await payerForm('102').getByRole('button', { name: '保存' }).click();
    await page.locator('#payer-message').getByText(/付款账号有误/).waitFor();
    await screenshot('officer-payer-refused');
    for (const bank of ['102', '103', '104', '105', '402']) {
      await payerForm(bank).getByLabel('付款账号 ' + bank).fill(`62${bank}0000000${COUNTY}`);
      await payerForm(bank).getByLabel('户名（银行登记的单位名称） ' + bank).fill('长沙县教育局学生资助专户');
      await payerForm(bank).getByRole('button', { name: '保存' }).click();
      await page.locator('#payer-message').getByText(`62${bank}0000000${COUNTY}`).waitFor();
    }
    const payerRows = await page.locator('[data-table="payers"] tbody tr').allInnerTexts();
    assert.equal(payerRows.filter(r => r.includes('长沙县教育局学生资助专户') && r.includes(COUNTY)).length, 5, payerRows.join(' | '));
    await screenshot('officer-payers');

    log('bureau officer: build the non-boarding allowance batches');
    await go('batches', '发放批次');
    await page.getByLabel('资助项目').selectOption(PROGRAMME);
    await page.getByRole('button', { name: '生成', exact: true }).click();
    await page.locator('#build-result').getByText(/生成 \d+ 个批次/).waitFor();
    const batchLinks = page.locator('[data-table="batches"] tbody tr td:first-child a');
    await batchLinks.first().waitFor();
    const batchIds = (await batchLinks.allInnerTexts()).map(s => s.replace('#', ''));
    assert.ok(batchIds.length >= 1, 'at least one batch');
    await screenshot('batches-built');

    log('bureau officer: publish every school\'s notice');
    await go('notices', '公示');
    await page.getByLabel('资助项目').selectOption(PROGRAMME);
    await page.getByRole('button', { name: '为全部学校发布' }).click();
    await page.getByText(/已发布 \d+ 所学校的公示/).waitFor({ timeout: 60000 });
    const noticeRows = await page.locator('[data-table="notices"] tbody tr').count();
    assert.ok(noticeRows >= 1, 'notices published');
    await screenshot('notices');
    // The printable notice, as the school posts it: Chinese only, the term and programme by name,
    // the period with weekdays, where to object.
    const printable = await context.newPage();
    await printable.goto(base + await page.locator('[data-table="notices"] tbody tr a', { hasText: '打印版' }).first().getAttribute('href'));
    const noticeText = await printable.locator('body').innerText();
    assert.match(await printable.title(), /^.+ 2026年秋季学期 义务教育.+ 公示$/, 'the notice title');
    assert.match(noticeText, /公示期：2026年\d+月\d+日（星期[一二三四五六日]）至2026年\d+月\d+日（星期[一二三四五六日]）/);
    assert.match(noticeText, /如对名单有异议，请在公示期内/);
    assert.doesNotMatch(noticeText, /compulsory_nonboarding_allowance|2026-autumn/, 'words, not codes');
    for (const s of englishSentences(await visibleTexts(printable))) english.push(`notice-printable: ${s}`);
    await printable.screenshot({ path: path.join(SHOTS, `${String(++shot).padStart(2, '0')}-notice-printable.png`), fullPage: true });
    await printable.close();

    log('bureau officer: open each batch, clear its flags with a reason, submit');
    for (const id of batchIds) {
      await go('batch/' + id, new RegExp(`批次 #${id}`));
      for (;;) {
        const clear = page.getByRole('button', { name: '解除' });
        if (await clear.count() === 0) break;
        const form = clear.first().locator('xpath=..');
        await form.getByRole('textbox').fill('已与学校和家长电话核实');
        await clear.first().click();
        await page.waitForLoadState('networkidle');
      }
      await screenshot('batch-' + id + '-draft');
      await page.getByRole('button', { name: '提交审批' }).click();
      await page.locator('h1 .badge').filter({ hasText: '待审批' }).waitFor();
    }
    await logout();

    // 3. The approver: while the notice window is open the refusal says so; a week later, approval.
    log('approver: approval is refused in plain words while the notice window is open');
    await login('approver1', PASSWORDS.approver1);
    await go('queue', '待我审批的批次');
    await page.locator('[data-table="batches"] tbody tr a').first().waitFor();
    await page.locator('[data-table="batches"] tbody tr a').first().click();
    await page.locator('[data-table="payees"] tbody tr').first().waitFor();
    const payeeText = await page.locator('[data-table="payees"]').innerText();
    assert.match(payeeText, /\*{4}/, 'payees are masked');
    assert.doesNotMatch(payeeText, /\d{17}[\dX]/, 'no full resident ID on the payee list');
    await screenshot('approver-payees');
    await page.getByRole('button', { name: '审批通过' }).click();
    const confirm = page.getByRole('alertdialog');
    await confirm.waitFor();
    assert.match(await confirm.innerText(), /确认审批：批次 \d+，共 \d+ 笔，合计/);
    await screenshot('approver-confirm');
    await confirm.getByRole('button', { name: '确认' }).click();
    await page.locator('#batch-message [role="alert"]').waitFor();
    assert.match(await page.locator('#batch-message').innerText(), /notice|公示/i);
    await screenshot('approval-refused');
    await stopService(service);
    service = await startService(port, '2026-09-28');

    log('approver: the queue, each batch approved (a second approver where the amount needs two)');
    await go('queue', '待我审批的批次');
    await page.locator('[data-table="batches"] tbody tr td:first-child a').first().waitFor();
    const queued = (await page.locator('[data-table="batches"] tbody tr td:first-child a').allInnerTexts()).map(s => s.replace('#', ''));
    assert.deepEqual(queued.slice().sort(), batchIds.slice().sort());
    await screenshot('approval-queue');
    const needSecond = [];
    for (const id of batchIds) {
      await go('batch/' + id, new RegExp(`批次 #${id}`));
      await page.getByRole('button', { name: '审批通过' }).click();
      await page.getByRole('alertdialog').getByRole('button', { name: '确认' }).click();
      await page.locator('[data-table="actions"] tbody tr').filter({ hasText: 'approver1' }).waitFor();
      if (await page.locator('h1 .badge').innerText() === '待审批') needSecond.push(id);
    }
    await screenshot('batch-approved');
    await logout();
    if (needSecond.length) {
      await login('approver2', PASSWORDS.approver2);
      for (const id of needSecond) {
        await go('batch/' + id, new RegExp(`批次 #${id}`));
        await page.getByRole('button', { name: '审批通过' }).click();
        await page.getByRole('alertdialog').getByRole('button', { name: '确认' }).click();
        await page.locator('h1 .badge').filter({ hasText: '已审批' }).waitFor();
      }
      await logout();
    }

    log('bureau officer: write the bank files of every approved batch');
    await login('officer', PASSWORDS.officer);
    const banks = {};
    for (const id of batchIds) {
      await go('batch/' + id, new RegExp(`批次 #${id}`));
      banks[id] = await page.locator('[data-field="col.bank"]').innerText();
      await page.getByRole('button', { name: '生成银行文件' }).click();
      await page.locator('h1 .badge').filter({ hasText: '已交银行' }).waitFor();
    }
    await screenshot('batch-exported');

    log('bureau officer: a parent objects by phone; the objection is recorded, listed and resolved');
    const ourRoll = path.join(OUT, 'province', 'roll', `${SCHOOL}-${COUNTY}.csv`);
    const pupil = fs.readFileSync(ourRoll, 'latin1').split(/\r?\n/)[1].split(',')[0];
    await go('objections', '公示异议');
    await page.getByLabel('学生身份证号').fill(pupil);
    await page.getByLabel('资助项目').selectOption(PROGRAMME);
    await page.getByLabel('学期').selectOption(TERM);
    await page.getByLabel('异议内容').fill('家长来电反映孩子九月已转学');
    await page.getByRole('button', { name: '登记异议' }).click();
    await page.locator('#objection-added').getByText(/已登记异议 \d+/).waitFor();
    const objectionRow = page.locator('[data-table="objections"] tbody tr').filter({ hasText: '家长来电反映孩子九月已转学' });
    await objectionRow.waitFor();
    assert.doesNotMatch(await objectionRow.innerText(), new RegExp(pupil), 'the resident ID is masked');
    await screenshot('officer-objections');
    await objectionRow.getByRole('textbox').fill('经核实该生仍在本校就读');
    await objectionRow.getByRole('button', { name: '处理' }).click();
    await page.getByLabel('状态').selectOption('');
    await page.getByRole('button', { name: '查询' }).click();
    await page.locator('[data-table="objections"] tbody tr').filter({ hasText: '经核实该生仍在本校就读' }).waitFor();

    log('bureau officer: the decisions that pay nothing, with their reasons');
    await go('decisions', '暂缓与不符合的资助认定');
    await page.getByLabel('状态').selectOption('excluded');
    await page.getByRole('button', { name: '查询' }).click();
    await page.locator('[data-table="decisions"] tbody tr').first().waitFor();
    await screenshot('officer-decisions');
    await logout();

    // 4. The bank operator downloads the file with its manifest, pays, and uploads the result.
    const bank = banks[batchIds[0]];
    const ours = batchIds.filter(id => banks[id] === bank);
    log(`bank operator ${bank}: download the payment files, pay them, upload the results`);
    await login('bank' + bank, PASSWORDS.bank);
    await go('files', `${bank} 的支付文件`);
    await screenshot('bank-files');
    const downloads = path.join(OUT, 'downloads');
    fs.mkdirSync(downloads, { recursive: true });
    const fileLinks = page.locator('[data-table="files"] tbody tr td:first-child a');
    const names = await fileLinks.allInnerTexts();
    assert.ok(names.length >= ours.length, 'a file per batch of this bank');
    const results = [];
    for (const name of names) {
      for (const suffix of ['', '.manifest.json', '.manifest.sig']) {
        const [dl] = await Promise.all([page.waitForEvent('download'), page.locator(`a[download="${name + suffix}"]`).click()]);
        await dl.saveAs(path.join(downloads, dl.suggestedFilename()));
      }
      const result = path.join(downloads, name + (name.endsWith('.xml') ? '.result.xml' : '.result.txt'));
      execFileSync(BANKSIM, ['--in', path.join(downloads, name), '--public-key', path.join(OUT, 'signing.pem.pub'),
        '--out', result, '--fail-rate', '0.05', '--seed', '7', '--date', '2026-09-30']);
      results.push(result);
    }
    let paid = 0n;
    for (const result of results) {
      await go('results', '上传银行回盘文件');
      await page.getByLabel('回盘文件').setInputFiles(result);
      await page.getByRole('button', { name: '上传' }).click();
      await page.getByText(/已入账：\d+ 行/).waitFor();
      const text = await page.locator('[data-field="results.paid_amount"]').innerText();
      paid += fen(text);
      await screenshot('result-uploaded');
    }
    assert.ok(paid > 0n, 'the bank paid something');
    log('bank operator: the upload history lists every result file with its outcome');
    await page.reload();
    await page.getByRole('heading', { name: '上传记录' }).waitFor();
    await page.locator('[data-table="uploads-result"]').waitFor();
    const resultUploads = await page.locator('[data-table="uploads-result"] tbody tr').allInnerTexts();
    assert.equal(resultUploads.length, results.length, 'one line per file: ' + resultUploads.join(' | '));
    assert.ok(resultUploads.every(r => r.includes('bank' + bank) && r.includes(bank) && /成功 \d+ 笔/.test(r)), resultUploads.join(' | '));
    await screenshot('result-uploads');
    await logout();

    // 5. The auditor: the paid totals in the report and its chart, the Excel export, the audit chain.
    log('auditor: the report and its charts show what the bank paid');
    await login('auditor', PASSWORDS.auditor);
    await go('reports', '统计报表');
    await page.locator('[data-table="report"] tfoot').waitFor();
    const paidTotal = await page.locator('[data-total="paid"]').innerText();
    assert.equal(fen(paidTotal), paid, 'report total paid = what the bank paid');
    const programmeBars = page.locator('figure').first().locator('rect[data-series="paid"]');
    let chartPaid = 0n;
    for (const v of await programmeBars.evaluateAll(rs => rs.map(r => r.getAttribute('data-value')))) chartPaid += fen(v);
    assert.equal(chartPaid, paid, 'the amount chart shows the paid total');
    const widths = await programmeBars.evaluateAll(rs => rs.map(r => Number(r.getAttribute('width'))));
    assert.ok(widths.some(w => w > 0), 'a visible paid bar');
    await screenshot('report');
    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: '导出 Excel' }).click()]);
    const xlsxPath = path.join(downloads, 'report.xlsx');
    await xlsx.saveAs(xlsxPath);
    assert.equal(fs.readFileSync(xlsxPath).subarray(0, 2).toString(), 'PK', 'an .xlsx workbook');
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: '导出 CSV' }).click()]);
    const csvText = fs.readFileSync(await csv.path(), 'utf8');
    assert.match(csvText, /^programme,entitled_count,entitled_yuan,paid_count,paid_yuan/);

    log('auditor: the English console, a payment traced, the audit chain verified');
    inEnglish = true;
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Reports' }).waitFor();
    await page.locator('[data-table="report"] tfoot').waitFor();
    await screenshot('report-english');
    await page.getByRole('button', { name: '中文' }).click();
    inEnglish = false;
    await page.getByRole('heading', { name: '统计报表' }).waitFor();
    const ref = execFileSync('sh', ['-c', `grep -o 'EDU[0-9]*A[0-9]*' '${path.join(downloads, names[0])}' | head -1`], { encoding: 'latin1' }).trim();
    if (ref) {
      await go('trace/' + encodeURIComponent(ref), '支付追溯');
      await page.getByRole('heading', { name: '资格认定' }).waitFor();
      await page.getByRole('heading', { name: /的经办与审批/ }).waitFor();
      assert.match(await page.locator('main').innerText(), /approver1/);
      await screenshot('trace');
    }
    await go('audit', '审计链校验');
    await page.getByRole('button', { name: '校验' }).click();
    await page.getByText(/审计链完整：\d+ 条事件/).waitFor();
    await screenshot('audit');

    log('auditor: the operation log filtered by user, with before and after; trace by student');
    await go('audit', '操作日志');
    await page.locator('[data-table="oplog"] tbody tr').first().waitFor();
    await page.getByLabel('操作人', { exact: true }).fill('approver1');
    await Promise.all([
      page.waitForResponse(r => r.url().includes('/api/v1/audit/events') && r.url().includes('user=approver1')),
      page.getByRole('button', { name: '查询' }).click()]);
    await page.waitForFunction(() => [...document.querySelectorAll('[data-table="oplog"] tbody tr')]
      .every(tr => tr.children.length > 1 && tr.children[1].textContent === 'approver1'));
    await page.locator('[data-action="batch.approve"]').first().waitFor();
    const logRows = await page.locator('[data-table="oplog"] tbody tr').allInnerTexts();
    assert.ok(logRows.length > 0 && logRows.every(r => r.split('\t')[1] === 'approver1'), 'only approver1: ' + logRows.join(' | '));
    assert.ok(logRows.some(r => r.includes('审批通过批次')), 'action codes as Chinese words: ' + logRows.join(' | '));
    const change = page.locator('[data-table="oplog"] .before').first();
    assert.match(await change.innerText(), /^变更前：已提交待审批，第 \d+ 版，\d+ 笔，[\d,.]+ 元$/);
    assert.match(await page.locator('[data-table="oplog"] .after').first().innerText(), /（已审批 \d+\/\d+ 人）$/);
    assert.match(await page.locator('[data-table="oplog"] .after').first().innerText(), /^变更后：/);
    await screenshot('operation-log');
    await page.setViewportSize({ width: 390, height: 844 });
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'the log fits a phone: its table scrolls in its box');
    await screenshot('operation-log-phone');
    await page.setViewportSize({ width: 1280, height: 900 });
    if (ref) {
      const traced = await (await page.request.get(base + '/api/v1/payments/' + encodeURIComponent(ref))).json();
      await go('trace', '按学生追溯');
      await page.getByLabel('学生姓名、身份证号或全国学籍号').fill(traced.student.name);
      await page.locator('form', { has: page.getByLabel('学生姓名、身份证号或全国学籍号') }).getByRole('button', { name: '追溯' }).click();
      await page.getByRole('heading', { name: new RegExp('^' + traced.student.name + '（') }).first().waitFor();
      const traceText = await page.locator('#student-trace').innerText();
      assert.ok(traceText.includes(ref), 'the payment of the student is listed');
      assert.ok(!/(^|[^\dA-Za-z])\d{17}[\dX]($|[^\dA-Za-z])/.test(traceText), 'no full resident ID or account on the page');
      await screenshot('trace-student');
    }

    await logout();

    // 6. A parent on a phone: looks the child up in Chinese, sees the payment, files a complaint;
    // the county officer resolves it; the parent reads the outcome by tracking code.
    log('parent on a phone: the public page, a child\'s payment, a complaint');
    // The children this bank's files paid: their accounts are in the files the bank downloaded.
    const sent = names.map(n => fs.readFileSync(path.join(downloads, n), 'latin1')).join('\n');
    const rollDir = path.join(OUT, 'province', 'roll');
    const roll = fs.readdirSync(rollDir).filter(f => f.endsWith(`-${COUNTY}.csv`)).sort()
      .map(f => fs.readFileSync(path.join(rollDir, f)))
      .map(bytes => bytes.subarray(0, 12).toString() === 'resident_id,' ? bytes.toString('utf8') : new TextDecoder('gb18030').decode(bytes))
      .flatMap(text => text.split('\n').slice(1).filter(l => l.trim()).map(l => l.split(',')));
    let child = null;
    for (const r of roll.filter(r => r[22] && r[23].startsWith(bank) && sent.includes(r[22])).slice(0, 20)) {
      const res = await fetch(base + '/api/v1/public/lookup', { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: r[1], id: r[0], birth_date: r[3] }) });
      const body = await res.json();
      if (body.found && body.terms.some(t => t.programmes.some(p => p.paid))) { child = r; break; }
    }
    assert.ok(child, 'a child of the school was paid by the bank');
    const phone = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await phone.route('**/*', r => {
      if (r.request().url().startsWith(base)) return r.continue();
      foreign.push(r.request().url());
      return r.abort();
    });
    const parent = await phone.newPage();
    parent.on('pageerror', e => pageErrors.push(e.message));
    parent.setDefaultTimeout(30000);
    const phoneShot = async (name) => {
      await readChinese(parent, name);
      return parent.screenshot({ path: path.join(SHOTS, `${String(++shot).padStart(2, '0')}-${name}.png`), fullPage: true });
    };
    await parent.goto(base + '/console/family.html');
    await parent.getByRole('heading', { name: '查询孩子的资助' }).waitFor();
    await parent.getByLabel('孩子姓名').fill(child[1]);
    await parent.getByLabel('身份证号或学籍号').fill(child[0]);
    await parent.getByLabel('出生日期').fill(child[3]);
    await parent.getByRole('button', { name: '查询', exact: true }).click();
    const paidLine = parent.locator('.aid[data-paid="1"]').first();
    await paidLine.waitFor();
    const shown = await parent.locator('#result').innerText();
    assert.match(shown, /已发放到账/);
    assert.match(shown, /账号后四位/);
    assert.match(shown, new RegExp(child[22].slice(-4)), 'the last four digits of the receiving account');
    assert.ok(!shown.includes(child[0]) && !shown.includes(child[22]) && !shown.includes(child[19]), 'no ID, no account number, no guardian');
    assert.match(shown, /长沙县学生资助管理中心 0731-84000000/);
    assert.ok(await parent.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'fits the phone: no sideways scrolling');
    assert.ok(await parent.locator('#c-county-field').isHidden(), 'a complaint from the look-up goes to the child\'s county');
    await phoneShot('family-lookup-phone');
    // A wrong birth date reads exactly like a child not on record.
    await parent.getByLabel('出生日期').fill('2001-01-01');
    await parent.getByRole('button', { name: '查询', exact: true }).click();
    await parent.getByText('没有查到记录').waitFor();
    await parent.getByLabel('出生日期').fill(child[3]);
    await parent.getByRole('button', { name: '查询', exact: true }).click();
    await paidLine.waitFor();
    // The complaint: the words carry markup and a link, which nobody will see as such.
    await parent.getByLabel('问题类别').selectOption('amount_wrong');
    const words = '金额比公示的少了 <img src=x onerror="window.pwned=1"> 详见 http://evil.example/x';
    await parent.getByLabel(/具体情况/).fill(words);
    await parent.getByLabel(/联系电话/).fill('13800001234');
    await parent.getByRole('button', { name: '提交投诉' }).click();
    const code = (await parent.locator('#tracking-code').innerText()).trim();
    assert.match(code, /^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$/);
    await phoneShot('family-complaint-filed');

    log('bureau officer: the complaint, assigned, investigated, closed as confirmed');
    await login('officer', PASSWORDS.officer);
    await go('complaints', '家长投诉、举报');
    await screenshot('complaints');
    await page.locator('[data-table="complaints"] tbody tr a').first().click();
    await page.getByRole('heading', { name: /投诉 #\d+/ }).waitFor();
    const text = page.locator('.complaint-text');
    assert.equal(await text.innerText(), words, 'the words shown as typed');
    assert.equal(await text.locator('img, a').count(), 0, 'no markup, no link');
    assert.match(await page.locator('main').innerText(), /13800001234/);
    await page.locator('#assign-form').getByRole('button', { name: '分派' }).click();
    await page.locator('h1 .badge').filter({ hasText: '核查中' }).waitFor();
    await page.locator('#note-form textarea').fill('与家长电话核实，发放金额按标准计算无误，家长对照的是另一项目。');
    await page.locator('#note-form').getByRole('button', { name: '添加记录' }).click();
    await page.locator('#complaint-notes li').first().waitFor();
    await page.locator('#close-form select').selectOption('not_confirmed');
    await page.locator('#close-form textarea').fill('经核实，孩子本学期非寄宿生生活补助已按标准足额发放到账。');
    await page.locator('#close-form').getByRole('button', { name: '办结' }).click();
    await page.locator('h1 .badge').filter({ hasText: '已办结' }).waitFor();
    await screenshot('complaint-closed');
    assert.equal(await page.evaluate(() => window.pwned), undefined, 'nothing typed ever ran');

    log('parent on a phone: the outcome by tracking code');
    await parent.getByLabel('查询码').fill(code);
    await parent.getByRole('button', { name: '查看' }).click();
    await parent.locator('#track-result[data-status="closed"]').waitFor();
    const outcome = await parent.locator('#track-result').innerText();
    assert.match(outcome, /经核实，反映的问题不属实/);
    assert.match(outcome, /足额发放到账/);
    await phoneShot('family-outcome-phone');
    await phone.close();

    assert.deepEqual([...new Set(english)], [], 'every page in Chinese shows no English sentence');
    assert.deepEqual(foreign, [], 'the console fetched nothing from elsewhere');
    assert.deepEqual(pageErrors, [], 'no script errors');
    console.log(`[web] passed; screenshots in ${SHOTS}`);
  } finally {
    await browser.close();
    await stopService(service);
  }
}

main().catch(e => {
  console.error('[web] FAILED:', e && e.stack ? e.stack : e);
  process.exit(1);
});
