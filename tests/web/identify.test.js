// Browser test of the identification of needy students (资助对象认定): one class of a school
// identified end to end in the console by the people who do it — the special groups come in from
// the rosters, the school's clerk enters two applications and records the class panel's scores,
// the school's approver decides, the notice runs, an objection is recorded and resolved, the school
// files, the county accepts and spot-checks (one level revoked for false information) — and the
// entitlement run then uses the levels. Screenshots under $EDUPAY_WEB_OUT/screenshots.
//
// Environment (set by CTest): EDUPAY_BIN, EDUPAYD_BIN, EDUPAY_WEB_OUT, CHROMIUM.
'use strict';

const { chromium } = require('playwright-core');
const { execFileSync, spawn } = require('child_process');
const assert = require('assert/strict');
const fs = require('fs');
const net = require('net');
const path = require('path');
const { englishSentences, visibleTexts } = require('./chinese');

const SRC = path.resolve(__dirname, '..', '..');
const OUT = path.resolve(process.env.EDUPAY_WEB_OUT || path.join(SRC, 'build', 'web-identify'));
const SHOTS = path.join(OUT, 'screenshots');
const EDUPAY = need('EDUPAY_BIN');
const EDUPAYD = need('EDUPAYD_BIN');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const COUNTY = '430121';
const SCHOOL = '1430121002';  // a primary school: the boarding allowance needs a difficulty level
const PW = { admin: 'Admin-web-2026', officer: 'Officer-web-2026', clerk: 'Clerk-web-2026', head: 'Head-web-2026' };

function need(name) {
  const v = process.env[name];
  if (!v) throw new Error(`set ${name} (CTest does)`);
  return v;
}

const dbEnv = {
  ...process.env,
  EDUPAY_DB: 'sqlite:' + path.join(OUT, 'edupay.db'),
  EDUPAY_KEY_FILE: path.join(OUT, 'edupay.key'),
};
function edupay(args, extra) {
  return execFileSync(EDUPAY, args, { env: { ...dbEnv, ...(extra || {}) }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
let step = 0;
function log(what) { console.log(`[web-identify] ${++step}. ${what}`); }

/** The county's data, and two boarders of one class whose households no roster lists. */
function setUp() {
  fs.rmSync(OUT, { recursive: true, force: true });
  fs.mkdirSync(SHOTS, { recursive: true });
  const province = path.join(OUT, 'province');
  edupay(['synth', '--students', '800', '--seed', '7', '--out', province]);
  edupay(['keygen']);
  edupay(['migrate']);
  edupay(['user', 'add', 'admin', '--role', 'sysadmin', '--scope', '*'], { EDUPAY_NEW_PASSWORD: PW.admin });
  const asAdmin = (args, extra) => edupay([...args, '--as', 'admin'], { EDUPAY_PASSWORD: PW.admin, ...(extra || {}) });
  asAdmin(['import', 'regions', path.join(province, 'regions.csv')]);
  asAdmin(['import', 'schools', path.join(province, 'schools.csv')]);
  const addUser = (name, role, scope, pw) => asAdmin(['user', 'add', name, '--role', role, '--scope', scope], { EDUPAY_NEW_PASSWORD: pw });
  addUser('officer', 'bureau_officer', COUNTY, PW.officer);
  addUser('province', 'bureau_officer', '43', PW.officer);  // the rosters are province-wide
  addUser('clerk', 'school_admin', SCHOOL, PW.clerk);
  addUser('head', 'school_approver', SCHOOL, PW.head);
  const asOfficer = (args) => edupay([...args, '--as', 'province'], { EDUPAY_PASSWORD: PW.officer });
  for (const f of fs.readdirSync(path.join(province, 'roll')).sort())
    if (f.endsWith('-' + COUNTY + '.csv')) asOfficer(['import', 'roll', path.join(province, 'roll', f)]);
  for (const source of ['poverty', 'civil_affairs', 'disabled', 'orphan'])
    asOfficer(['import', 'roster', path.join(province, 'rosters', source + '.csv'), '--source', source]);
  asAdmin(['policy', 'activate', path.join(SRC, 'policies', 'hunan.json')]);

  const onRoster = new Set();
  for (const source of ['poverty', 'civil_affairs', 'disabled', 'orphan'])
    for (const line of fs.readFileSync(path.join(province, 'rosters', source + '.csv'), 'utf8').split('\n').slice(1))
      if (line.trim()) onRoster.add(line.split(',')[2]);
  const rows = fs.readFileSync(path.join(province, 'roll', `${SCHOOL}-${COUNTY}.csv`), 'utf8').split('\n').slice(1)
    .filter(l => l.trim()).map(l => l.split(','));
  const byClass = new Map();
  for (const r of rows) {
    if (r[11] !== 'Y' || r[13] !== 'active' || r[21] !== '' || onRoster.has(r[15])) continue;
    if (!byClass.has(r[8])) byClass.set(r[8], []);
    byClass.get(r[8]).push({ rid: r[0], name: r[1], cls: r[8] });
  }
  const cls = [...byClass.entries()].find(([, v]) => v.length >= 2);
  assert.ok(cls, 'a class with two boarders whose households no roster lists');
  return cls[1].slice(0, 2);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
    s.on('error', reject);
  });
}
async function startService(port, today) {
  const props = path.join(OUT, 'edupayd.properties');
  fs.writeFileSync(props, ['http.address = 127.0.0.1', `http.port = ${port}`, `db.url = ${dbEnv.EDUPAY_DB}`,
    `key.file = ${dbEnv.EDUPAY_KEY_FILE}`, `files.dir = ${path.join(OUT, 'files')}`, 'http.threads = 4', ''].join('\n'));
  const logFile = fs.openSync(path.join(OUT, `edupayd-${today}.log`), 'w');
  const child = spawn(EDUPAYD, ['--config', props], { env: { ...process.env, EDUPAY_TODAY: today }, stdio: ['ignore', logFile, logFile] });
  for (let i = 0; i < 200; i++) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/ready`);
      if (r.ok) return child;
    } catch (e) { /* not listening yet */ }
    if (child.exitCode !== null) throw new Error('edupayd exited; see its log in ' + OUT);
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

async function main() {
  log('set up a county: rolls, rosters, policy; a school clerk, a school approver, a county officer');
  const [a, b] = setUp();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let service = await startService(port, '2026-09-07');
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-default-apps', '--disable-sync', '--disable-extensions'] });
  const pageErrors = [];
  let shot = 0;
  try {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', e => pageErrors.push(e.message));
    page.setDefaultTimeout(30000);
    // Every page is shot, and read for English sentences (the whole walk is in Chinese).
    const english = [];
    const screenshot = async (name) => {
      for (const s of englishSentences(await visibleTexts(page))) if (!english.some(e => e.endsWith(': ' + s))) english.push(`${name}: ${s}`);
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
    const caseRow = (name) => page.locator('[data-table="ident-cases"] tbody tr').filter({ hasText: name });
    const roundId = () => Number(page.url().split('/').pop());

    log('school clerk: open the year\'s identification; the special groups are in without applying');
    await login('clerk', PW.clerk);
    await page.getByRole('link', { name: '困难认定' }).click();
    await page.getByRole('heading', { name: '家庭经济困难学生认定' }).waitFor();
    await page.getByLabel('学年（起始年）').fill('2026');
    await page.getByLabel('认定基准日').fill('2026-09-01');
    await page.getByRole('button', { name: '开始本学年认定' }).click();
    await page.locator('[data-table="ident-cases"]').waitFor();
    const round = roundId();
    const special = await page.locator('[data-table="ident-cases"] tbody tr').filter({ hasText: '特殊群体（免申请）' }).count();
    assert.ok(special > 0, 'special groups listed from the rosters');
    await screenshot('round-opened');

    log(`school clerk: two applications of class ${a.cls}, with the signed commitment`);
    const apply = async (s, indicators) => {
      const form = page.locator('[data-form="ident-apply"]');
      await form.getByLabel('学生身份证号').fill(s.rid);
      await form.getByLabel('家庭人口').fill('4');
      await form.getByLabel('承诺书签署日期').fill('2026-09-03');
      await form.getByLabel('家庭情况说明（加密保存）').fill('父亲务工受伤，家中另有两名在读子女');
      for (const i of indicators) await form.locator(`input[name="apply-ind"][value="${i}"]`).check();
      await form.getByRole('button', { name: '保存申请' }).click();
      await caseRow(s.name).locator('[data-case-state="applied"]').waitFor();
    };
    await apply(a, ['income_below_local_min', 'serious_illness']);
    await apply(b, ['single_parent', 'remote_rural']);

    log('school clerk: the class panel scores both; departing from the score needs a reason');
    const assess = async (s, indicators, level, reason) => {
      const row = caseRow(s.name);
      await row.locator('summary', { hasText: '班级评议' }).click();
      for (const i of indicators) await row.locator(`input[value="${i}"]`).check();
      await row.getByLabel('班主任').fill('王老师');
      await row.getByLabel('学生代表（逗号分隔）').fill('李同学,赵同学');
      await row.getByLabel('认定等级').selectOption(level);
      if (reason) await row.getByLabel('理由').fill(reason);
      await row.getByRole('button', { name: '保存评议结果' }).click();
    };
    await assess(a, ['income_below_local_min', 'serious_illness'], 'difficult');
    await caseRow(a.name).locator('[data-case-state="assessed"]').waitFor();
    assert.match(await caseRow(a.name).innerText(), /45/);
    await assess(b, ['single_parent', 'remote_rural'], 'generally');  // 15 points: 不认定 by score
    await page.getByText('须说明理由').first().waitFor();
    await caseRow(b.name).getByLabel('理由').fill('母亲独自抚养三个孩子');
    await caseRow(b.name).getByRole('button', { name: '保存评议结果' }).click();
    await caseRow(b.name).locator('[data-case-state="assessed"]').waitFor();
    await screenshot('assessed');
    await logout();

    log('school approver: the second person decides both');
    await login('head', PW.head);
    await page.goto(base + '/console/#/ident/' + round);
    for (const s of [a, b]) {
      await caseRow(s.name).getByRole('button', { name: '审核通过' }).click();
      await caseRow(s.name).locator('[data-case-state="decided"]').waitFor();
    }
    await screenshot('decided');
    await logout();

    log('school clerk: the notice (name, class, level only), an objection during it');
    await login('clerk', PW.clerk);
    await page.goto(base + '/console/#/ident/' + round);
    await page.getByRole('button', { name: '发布校内公示' }).click();
    await page.getByText(/公示 \d+：\d+ 名学生，至 2026-09-1\d/).waitFor();
    const lines = await page.locator('[data-table="ident-notice-lines"] thead').innerText();
    assert.ok(!/身份证|账号|收入/.test(lines), 'the notice shows name, class and level only: ' + lines);
    await screenshot('notice');
    await page.reload();
    await caseRow(a.name).locator('summary', { hasText: '提出异议' }).click();
    await caseRow(a.name).getByLabel('异议内容').fill('同学反映其家中新购置了轿车');
    await caseRow(a.name).getByRole('button', { name: '记录异议' }).click();
    await page.locator('[data-table="ident-objections"] tbody tr').filter({ hasText: '新购置了轿车' }).waitFor();
    await page.getByRole('button', { name: '公示期满，归档上报' }).click();
    await page.getByText('异议未处理').first().waitFor();
    await logout();

    log('school approver: the objection resolved after a home visit');
    await login('head', PW.head);
    await page.goto(base + '/console/#/ident/' + round);
    const objection = page.locator('[data-table="ident-objections"] tbody tr').first();
    await objection.getByLabel('理由').fill('班主任家访：车辆为亲戚借用，情况属实');
    await objection.getByRole('button', { name: '处理异议' }).click();
    await page.locator('[data-table="ident-objections"] tbody tr').filter({ hasText: '异议不成立' }).waitFor();
    await logout();

    log('after the notice period (5 working days): the school files; the county reviews and spot-checks');
    await stopService(service);
    service = await startService(port, '2026-09-15');
    await login('clerk', PW.clerk);
    await page.goto(base + '/console/#/ident/' + round);
    await page.getByRole('button', { name: '公示期满，归档上报' }).click();
    await page.locator('[data-round-status="submitted"]').waitFor();
    await screenshot('filed');
    await logout();

    await login('officer', PW.officer);
    await page.getByRole('link', { name: '认定复核' }).click();
    await page.locator('[data-table="ident-county"] tbody tr').first().waitFor();
    await screenshot('county');
    await page.locator('[data-table="ident-county"]').getByRole('link').first().click();
    await page.locator('[data-round-status="submitted"]').waitFor();
    await page.getByRole('button', { name: '复核通过' }).click();
    await page.locator('[data-round-status="accepted"]').waitFor();
    await page.getByLabel('随机种子').fill('20260915');
    await page.getByLabel('抽查比例（%）').fill('100');
    await page.getByRole('button', { name: '抽取样本' }).click();
    const spotB = page.locator('[data-table="ident-spot"] tbody tr').filter({ hasText: b.name });
    await spotB.waitFor();
    await spotB.getByLabel('核实结果').selectOption('false_information');
    await spotB.getByLabel('核实情况').fill('家访发现家庭经营养殖场，收入远高于申报');
    await spotB.getByRole('button', { name: '记录结果' }).click();
    await page.locator('[data-spot-outcome="false_information"]').waitFor();
    const spotA = page.locator('[data-table="ident-spot"] tbody tr').filter({ hasText: a.name });
    await spotA.getByRole('button', { name: '记录结果' }).click();
    await page.locator('[data-spot-outcome="confirmed"]').waitFor();
    await caseRow(b.name).locator('[data-case-state="revoked"]').waitFor();
    await screenshot('spot-checks');
    await logout();

    log('the entitlement run uses the identified levels');
    edupay(['entitle', '--term', '2026-autumn', '--as', 'officer'], { EDUPAY_PASSWORD: PW.officer });
    const explainA = edupay(['explain', a.rid, '--term', '2026-autumn', '--lang', 'both']);
    assert.match(explainA, /家庭经济困难寄宿生生活补助[^\n]*应享受/, 'the boarder identified as 困难 gets the allowance');
    assert.match(explainA, /assessed difficult, identified \(identification \d+ from 2026-09-01; score 45[^)]*notice 2026-09-07\.\.2026-09-1\d[^)]*spot check confirmed/);
    const explainB = edupay(['explain', b.rid, '--term', '2026-autumn', '--lang', 'both']);
    assert.match(explainB, /家庭经济困难寄宿生生活补助[^\n]*不符合/, 'the revoked level pays nothing');
    assert.match(explainB, /not identified in the school's identification/);
    assert.deepEqual([...new Set(english)], [], 'every page in Chinese shows no English sentence');
    assert.deepEqual(pageErrors, [], 'no script errors');
    console.log(`[web-identify] passed; screenshots in ${SHOTS}`);
  } finally {
    await browser.close();
    await stopService(service);
  }
}

main().catch(e => {
  console.error('[web-identify] FAILED:', e && e.stack ? e.stack : e);
  process.exit(1);
});
