// The edupay browser console: one page, hash routes, the same /api/v1 the other clients use.
// Every value shown is inserted as text (never as HTML); the session is an HttpOnly cookie and
// every state-changing request carries the CSRF token from its companion cookie.
'use strict';

const state = {
  user: null,
  lang: localStorage.getItem('edupay.lang') || 'zh',
  term: currentTerm(new Date()),
  programmes: null,
};

// ---------- small helpers ----------

function currentTerm(d) {
  const y = d.getFullYear(), m = d.getMonth() + 1;
  if (m === 1) return (y - 1) + '-autumn';
  return m >= 8 ? y + '-autumn' : y + '-spring';
}

function t(key, ...args) {
  const e = I18N[key];
  let s = e ? (e[state.lang] || e.en) : key.slice(key.lastIndexOf('.') + 1);
  args.forEach((a, i) => { s = s.split('{' + i + '}').join(String(a)); });
  return s;
}

/** h('tag.class', {attr: v, onclick: fn}, child...) builds an element; strings become text. */
function h(spec, attrs, ...children) {
  const [tag, ...classes] = spec.split('.');
  const el = document.createElement(tag);
  if (classes.length) el.className = classes.join(' ');
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

let uid = 0;
/** A labelled form control: a real label tied to the control by id. */
function field(labelKey, control) {
  if (!control.id) control.id = 'f' + (++uid);
  return h('div.field', {}, h('label', { for: control.id }, t(labelKey)), control);
}
function input(name, attrs) { return h('input', Object.assign({ name }, attrs || {})); }
function select(name, options, value) {
  const s = h('select', { name });
  for (const [v, label] of options) s.append(h('option', { value: v, selected: v === value }, label));
  return s;
}
function badge(s) { return h('span.badge.' + s, {}, t('status.' + s)); }
/** An amount as the API writes it ("1234.50", yuan) in whole fen, exactly: a BigInt, never a float. */
function fen(text) {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(String(text).trim());
  if (!m) throw new Error('not an amount: ' + text);
  const v = BigInt(m[2]) * 100n + BigInt((m[3] || '').padEnd(2, '0'));
  return m[1] ? -v : v;
}
/** Fen (BigInt) as ¥1,234.50. */
function yuanOfFen(v) {
  const abs = v < 0n ? -v : v;
  const whole = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (v < 0n ? '-¥' : '¥') + whole + '.' + (abs % 100n).toString().padStart(2, '0');
}
function yuan(text) { return yuanOfFen(fen(text)); }
function roleName(r) { return t('role.' + r); }

function csrf() {
  const m = document.cookie.match(/(?:^|; )edupay_csrf=([^;]*)/);
  return m ? decodeURIComponent(m[1]) : '';
}

class ApiError extends Error {
  constructor(status, body) {
    const e = body && body.error ? body.error : { code: 'http_' + status, message: String(body || status), details: [] };
    super(e.message);
    this.status = status;
    this.code = e.code;
    this.details = Array.isArray(e.details) ? e.details : [];
  }
}

async function api(method, path, body) {
  // The service writes its sentences (refusals, row problems, reasons) in the console's language.
  const headers = { Accept: 'application/json', 'Accept-Language': state.lang === 'zh' ? 'zh-CN' : 'en' };
  if (method !== 'GET') headers['X-CSRF-Token'] = csrf();
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  const type = res.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await res.json() : await res.text();
  if (res.status === 401 && path !== '/api/v1/login') {
    state.user = null;
    location.hash = '#/login';
    throw new ApiError(401, data);
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

function message(kind, text) { return h('div.msg.' + kind, { role: kind === 'bad' ? 'alert' : 'status' }, text); }

/** Runs `work`, showing its error (with what to do) in `box`; disables `button` meanwhile. */
async function attempt(box, button, work) {
  box.replaceChildren();
  if (button) button.disabled = true;
  try {
    return await work();
  } catch (e) {
    const items = (e.details || []).filter(d => typeof d === 'string');
    box.append(message('bad', e.message));
    if (items.length) box.append(h('ul', {}, items.slice(0, 20).map(d => h('li', {}, d))));
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

/**
 * Uploads the chosen file as multipart form data; on refusal shows the message (or
 * `rejected(error)`) and the details — row issues or lines — in `box`. Returns the reply or
 * undefined.
 */
async function upload(path, fileInput, box, button, rejected) {
  if (!fileInput.files.length) return undefined;
  const fd = new FormData();
  fd.append('file', fileInput.files[0]);
  box.replaceChildren();
  button.disabled = true;
  try {
    return await api('POST', path, fd);
  } catch (e) {
    box.append(message('bad', rejected ? rejected(e) : e.message));
    const rows = e.details.filter(d => typeof d === 'object');
    const lines = e.details.filter(d => typeof d === 'string');
    if (rows.length) box.append(h('h2', {}, t('roll.errors')), issuesTable(rows));
    if (lines.length) box.append(table([{ render: d => d, label: 'col.problem' }], lines, { name: 'problems' }));
    return undefined;
  } finally {
    button.disabled = false;
  }
}

/**
 * A table with client-side pages. columns: [{key|value(row), label, num, render(row)}].
 */
function table(columns, rows, opts) {
  const size = (opts && opts.pageSize) || 20;
  let page = 0;
  const wrap = h('div.table', { 'data-table': (opts && opts.name) || '' });
  const draw = () => {
    const pages = Math.max(1, Math.ceil(rows.length / size));
    page = Math.min(page, pages - 1);
    const body = rows.slice(page * size, page * size + size).map(r =>
      h('tr', {}, columns.map(c => {
        const v = c.render ? c.render(r) : (c.value ? c.value(r) : r[c.key]);
        return h(c.num ? 'td.num' : 'td', {}, v === undefined ? '' : v);
      })));
    const t1 = h('table', {},
      opts && opts.caption ? h('caption.muted', {}, opts.caption) : null,
      h('thead', {}, h('tr', {}, columns.map(c => h(c.num ? 'th.num' : 'th', { scope: 'col' }, t(c.label))))),
      h('tbody', {}, body.length ? body : h('tr', {}, h('td', { colspan: columns.length }, t('table.empty')))),
      opts && opts.footer ? h('tfoot', {}, opts.footer) : null);
    const prev = h('button.secondary', { type: 'button', disabled: page === 0, onclick: () => { page--; draw(); } }, t('table.prev'));
    const next = h('button.secondary', { type: 'button', disabled: page >= pages - 1, onclick: () => { page++; draw(); } }, t('table.next'));
    wrap.replaceChildren(...[t1, rows.length > size ? h('div.pager', {}, prev, t('table.page', page + 1, pages, rows.length), next) : null].filter(Boolean));
  };
  draw();
  return wrap;
}

/** A decision's reason as labelled checks (a failed check is marked). */
function reasonList(checks, fallback) {
  if (!checks || !checks.length) return h('div.reason', {}, fallback || '');
  return h('ul.reason', {}, checks.map(c => h('li', { class: c.ok ? '' : 'failed' },
    (c.ok ? '' : '✗ ') + (state.lang === 'zh' ? c.label_zh : c.label_en) + '：' + c.fact)));
}

/** A category code (dibao, difficulty:especially, none) in the console's language. */
function categoryName(code) {
  if (code.startsWith('difficulty:')) return t('cat.difficulty', t('level.' + code.slice(11)));
  return t('cat.' + code);
}

// ---------- charts (SVG, drawn here; nothing loaded from elsewhere) ----------

/**
 * Horizontal grouped bars. categories: labels; series: [{name, cls, values}]; values are counts,
 * or amounts as the API writes them when `money` (bar lengths only are computed from them).
 */
function barChart(title, categories, series, money) {
  const fmt = money ? yuan : (v => String(v));
  const size = money ? (v => Number(fen(v))) : Number;
  const NS = 'http://www.w3.org/2000/svg';
  const labelW = 200, barH = 14, gap = 10, width = 560, plotW = width - labelW - 90;
  const groupH = series.length * barH + gap;
  const height = Math.max(40, categories.length * groupH + 10);
  const max = Math.max(1, ...series.flatMap(s => s.values.map(size)));
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('class', 'chart');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('preserveAspectRatio', 'xMinYMin meet');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', title);
  const mk = (tag, attrs, text) => {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    svg.append(e);
    return e;
  };
  categories.forEach((c, i) => {
    const y0 = i * groupH + 4;
    // Long names are shortened to fit; the full name is the label's tooltip.
    const shown = c.length > 14 ? c.slice(0, 13) + '…' : c;
    const label = mk('text', { x: labelW - 6, y: y0 + (series.length * barH) / 2 + 4, 'text-anchor': 'end' }, shown);
    if (shown !== c) { const tip = document.createElementNS(NS, 'title'); tip.textContent = c; label.append(tip); }
    series.forEach((s, j) => {
      const v = size(s.values[i]);
      const w = Math.max(v > 0 ? 1 : 0, Math.round((v / max) * plotW));
      const bar = mk('rect', { x: labelW, y: y0 + j * barH, width: w, height: barH - 2, class: s.cls, 'data-series': s.cls, 'data-category': c, 'data-value': s.values[i] });
      const tip = document.createElementNS(NS, 'title');
      tip.textContent = `${c} · ${s.name}: ${fmt(s.values[i])}`;
      bar.append(tip);
      mk('text', { x: labelW + w + 4, y: y0 + j * barH + barH - 4, 'data-label': s.cls }, fmt(s.values[i]));
    });
  });
  const legend = h('div.legend', {}, series.map(s => h('span', {}, h('i.' + s.cls), s.name)));
  return h('figure', {}, h('figcaption', {}, title), legend, svg);
}

// ---------- shell: navigation, language, login ----------

const NAV = {
  school_admin: [['roll', 'nav.roll'], ['students', 'nav.students'], ['entitled', 'nav.entitled'], ['returned', 'nav.returned']],
  bureau_officer: [['run', 'nav.run'], ['rosters', 'nav.rosters'], ['batches', 'nav.batches'], ['notices', 'nav.notices'], ['returned', 'nav.returned'], ['schoolaccounts', 'nav.schoolaccounts'], ['reports', 'nav.reports']],
  bureau_approver: [['queue', 'nav.queue'], ['batches', 'nav.batches'], ['reports', 'nav.reports']],
  bank_operator: [['files', 'nav.files'], ['results', 'nav.results']],
  auditor: [['reports', 'nav.reports'], ['trace', 'nav.trace'], ['audit', 'nav.audit'], ['batches', 'nav.batches']],
  sysadmin: [['audit', 'nav.audit']],
};

function drawShell(current) {
  document.documentElement.lang = state.lang === 'zh' ? 'zh-CN' : 'en';
  document.title = t('app.title');
  document.getElementById('title').textContent = t('app.subtitle');
  document.getElementById('skip').textContent = t('app.skip');
  const lang = document.getElementById('lang');
  lang.textContent = state.lang === 'zh' ? 'English' : '中文';
  lang.setAttribute('lang', state.lang === 'zh' ? 'en' : 'zh-CN');
  lang.title = t('lang.switch');
  const nav = document.getElementById('nav');
  const who = document.getElementById('who');
  const logout = document.getElementById('logout');
  logout.textContent = t('nav.logout');
  if (!state.user) {
    nav.replaceChildren();
    who.textContent = '';
    logout.hidden = true;
    return;
  }
  logout.hidden = false;
  who.textContent = `${state.user.name} · ${roleName(state.user.role)} · ${state.user.scope}`;
  nav.replaceChildren(...(NAV[state.user.role] || []).map(([r, key]) =>
    h('a', { href: '#/' + r, 'aria-current': current === r ? 'page' : false }, t(key))));
}

async function loginPage(main) {
  const name = input('name', { autocomplete: 'username', required: true, autofocus: true });
  const password = input('password', { type: 'password', autocomplete: 'current-password', required: true });
  const box = h('div');
  const button = h('button', { type: 'submit' }, t('login.submit'));
  const form = h('form.card', {
    onsubmit: async (ev) => {
      ev.preventDefault();
      const r = await attempt(box, button, () => api('POST', '/api/v1/login', { name: name.value, password: password.value }));
      if (r) {
        state.user = r.user;
        location.hash = '#/' + ((NAV[r.user.role] || [['audit']])[0][0]);
      }
    },
  }, h('div.row', {}, field('login.name', name), field('login.password', password), button), box);
  main.append(h('h1', {}, t('login.title')), form, h('p.muted', {}, t('login.hint')));
}

// ---------- school administrator ----------

function issuesTable(details) {
  return table([
    { key: 'line', label: 'col.line', num: true },
    { render: x => (state.lang === 'zh' && x.column_zh) || x.column, label: 'col.column' },
    { key: 'value', label: 'col.value' },
    { render: r => t('severity.' + r.severity), label: 'col.severity' },
    { key: 'reason', label: 'col.reason' },
  ], details.filter(d => typeof d === 'object'), { name: 'issues' });
}

async function rollPage(main) {
  const file = input('file', { type: 'file', accept: '.csv,.xlsx,text/csv', required: true });
  const dry = input('dry_run', { type: 'checkbox' });
  const button = h('button', { type: 'submit' }, t('roll.upload'));
  const out = h('div', { id: 'roll-result' });
  const form = h('form.card', {
    onsubmit: async (ev) => {
      ev.preventDefault();
      const r = await upload('/api/v1/rolls' + (dry.checked ? '?dry_run=1' : ''), file, out, button, (e) => {
        const errors = e.details.filter(d => d.severity === 'error').length;
        return e.status === 422 ? t('roll.rejected', errors, e.details.length - errors) : e.message;
      });
      if (!r) return;
      if (r.committed && r.unchanged) out.append(message('ok', t('roll.unchanged', r.rows)));
      else out.append(message('ok', r.committed ? t('roll.committed', r.rows_ok, r.rows) : t('roll.checked', r.rows_ok, r.rows)));
      if (r.committed && !r.unchanged) {
        const c = r.changes;
        out.append(h('p', { id: 'roll-changes' }, t('roll.changes', c.persons_added, c.persons_updated, c.persons_unchanged, c.transfers, c.accounts_added + c.accounts_replaced)));
      }
      if (r.issues.length) out.append(h('h2', {}, t('roll.warnings', r.issues_total)), issuesTable(r.issues));
    },
  }, h('p.muted', {}, t('roll.help')),
  h('p.muted', { id: 'roll-templates' }, t('roll.templates'), ' ',
    h('a', { href: '/console/templates/sample-gbk-zh.csv', download: 'sample-gbk-zh.csv' }, t('roll.template_gbk')), ' · ',
    h('a', { href: '/console/templates/sample.csv', download: 'sample.csv' }, t('roll.template_utf8'))),
  h('div.row', {}, field('roll.file', file), h('label.inline', { for: dry.id = 'dry' }, dry, ' ' + t('roll.dry')), button));
  main.append(h('h1', {}, t('roll.title')), form, out);
}

async function studentsPage(main) {
  const school = state.user.scope;
  const rid = input('resident_id', { autocomplete: 'off', placeholder: '43012120100101001X' });
  const box = h('div');
  const list = h('div');
  const search = h('button', { type: 'submit' }, t('students.search'));
  main.append(h('h1', {}, t('students.title', school)),
    h('form.card', {
      onsubmit: async (ev) => {
        ev.preventDefault();
        const r = await attempt(box, search, () => api('GET', '/api/v1/students?resident_id=' + encodeURIComponent(rid.value.trim())));
        if (r) location.hash = '#/student/' + r.person_id;
      },
    }, h('div.row', {}, field('students.rid', rid), search), box), list);
  let after = 0;
  const rows = [];
  const more = h('button.secondary', { type: 'button' }, t('students.more'));
  const load = async () => {
    const r = await attempt(box, more, () => api('GET', `/api/v1/schools/${encodeURIComponent(school)}/students?after=${after}&limit=200`));
    if (!r) return;
    rows.push(...r.students);
    if (r.students.length) after = r.students[r.students.length - 1].person_id;
    more.hidden = !r.next;
    list.replaceChildren(table([
      { label: 'col.name', render: s => h('a', { href: '#/student/' + s.person_id }, s.name) },
      { key: 'resident_id', label: 'col.rid' },
      { render: s => t('stage.' + s.stage), label: 'col.stage' },
      { key: 'grade', label: 'col.grade', num: true },
      { key: 'class', label: 'col.class' },
    ], rows, { name: 'students' }), more);
  };
  more.onclick = load;
  await load();
}

async function studentPage(main, id) {
  const s = await api('GET', '/api/v1/students/' + encodeURIComponent(id));
  main.append(h('h1', {}, s.name + ' ', h('span.muted', {}, s.resident_id)));
  const kv = (pairs) => h('dl.kv', {}, pairs.flatMap(([k, v]) => [h('dt', {}, t(k)), h('dd', {}, v || '—')]));
  main.append(h('div.card', {}, kv([['col.student_no', s.student_no], ['col.sex', s.sex], ['col.birth', s.birth_date], ['col.hukou', s.hukou_region]])));
  const sect = (title, cols, rows) => [h('h2', {}, t(title)), table(cols, rows || [])];
  main.append(...sect('student.enrollments', [
    { key: 'school_name', label: 'col.school' }, { render: e => t('stage.' + e.stage), label: 'col.stage' },
    { key: 'grade', label: 'col.grade', num: true }, { key: 'status', label: 'col.status' },
    { key: 'enroll_date', label: 'col.from' }, { key: 'end_date', label: 'col.to' }], s.enrollments));
  main.append(...sect('student.statuses', [
    { key: 'category', label: 'col.category' }, { key: 'source', label: 'col.source' },
    { key: 'valid_from', label: 'col.from' }, { key: 'valid_to', label: 'col.to' }], s.household_status));
  main.append(...sect('student.accounts', [
    { key: 'kind', label: 'col.kind' }, { key: 'holder', label: 'col.holder' }, { key: 'account', label: 'col.account' },
    { key: 'bank_code', label: 'col.bank_code' }, { key: 'valid_from', label: 'col.from' }, { key: 'valid_to', label: 'col.to' }], s.accounts));
  main.append(...sect('student.difficulty', [
    { key: 'academic_year', label: 'col.year', num: true }, { render: d => t('level.' + d.level), label: 'col.level' }], s.difficulty));
  if (state.user.role === 'school_admin' || state.user.role === 'bureau_officer') {
    const year = input('academic_year', { value: state.term.slice(0, 4), inputmode: 'numeric', pattern: '[0-9]{4}', required: true });
    const level = select('level', ['none', 'generally', 'difficult', 'especially'].map(l => [l, t('level.' + l)]), 'difficult');
    const box = h('div');
    const button = h('button', { type: 'submit' }, t('difficulty.record'));
    main.append(h('h2', {}, t('difficulty.title')), h('form.card', {
      onsubmit: async (ev) => {
        ev.preventDefault();
        const r = await attempt(box, button, () => api('POST', `/api/v1/students/${s.person_id}/difficulty`, { academic_year: year.value, level: level.value }));
        if (r) box.append(message('ok', t('difficulty.done', r.academic_year, t('level.' + r.previous), t('level.' + r.level))));
      },
    }, h('div.row', {}, field('col.year', year), field('col.level', level), button), box));
  }
}

/** A term code (`2026-autumn`) in words: 2026年秋季学期 / Autumn 2026. */
function termName(code) {
  const m = /^(\d{4})-(spring|autumn)$/.exec(code || '');
  if (!m) return code || '';
  return state.lang === 'zh' ? `${m[1]}年${m[2] === 'autumn' ? '秋季' : '春季'}学期` : `${m[2] === 'autumn' ? 'Autumn' : 'Spring'} ${m[1]}`;
}
/** A term picked from a list by its name (the API keeps the code): the terms of three years back
 * to the next one, newest first. */
function termField(value) {
  const chosen = value || state.term;
  const m = /^(\d{4})-(spring|autumn)$/.exec(chosen || '');
  const year = m ? Number(m[1]) : new Date().getFullYear();
  const codes = [];
  for (let y = year + 1; y >= year - 3; y--) codes.push(`${y}-autumn`, `${y}-spring`);
  if (chosen && !codes.includes(chosen)) codes.unshift(chosen);
  return select('term', codes.map(c => [c, termName(c)]), chosen);
}

async function entitledPage(main) {
  const school = state.user.scope;
  const term = termField();
  const status = select('status', [['eligible', t('status.eligible')], ['held', t('status.held')], ['excluded', t('status.excluded')], ['', t('all')]], 'eligible');
  const box = h('div');
  const out = h('div');
  const button = h('button', { type: 'submit' }, t('show'));
  const load = async () => {
    const rows = [];
    let path = `/api/v1/schools/${encodeURIComponent(school)}/entitlements?term=${encodeURIComponent(term.value)}&limit=1000` + (status.value ? '&status=' + status.value : '');
    while (path) {
      const r = await attempt(box, button, () => api('GET', path));
      if (!r) return;
      rows.push(...r.entitlements);
      path = r.next;
    }
    const total = rows.reduce((a, r) => a + fen(r.amount), 0n);
    out.replaceChildren(h('p', {}, t('entitled.summary', rows.length, yuanOfFen(total))), table([
      { label: 'col.name', render: r => h('a', { href: '#/student/' + r.person_id }, r.name) },
      { key: 'resident_id', label: 'col.rid' },
      { render: r => programmeName(r.programme), label: 'col.programme' },
      { render: r => badge(r.status), label: 'col.status' },
      { render: r => yuan(r.amount), label: 'col.amount', num: true },
      { render: r => h('div', {}, r.hold_reason ? h('div.reason', {}, r.hold_reason) : null, reasonList(r.checks, r.reason)), label: 'col.why' },
    ], rows, { name: 'entitlements' }));
  };
  main.append(h('h1', {}, t('entitled.title')), h('form.card', { onsubmit: (ev) => { ev.preventDefault(); load(); } },
    h('div.row', {}, field('col.term', term), field('col.status', status), button), box), out);
  await programmesLoaded();
  await load();
}

// Fee waivers are paid to the school's basic account: one amount per school, programme and term.
async function schoolAccountsPage(main) {
  const list = await api('GET', '/api/v1/schools');
  const rows = [];
  for (const sc of list.schools) {
    const a = await api('GET', `/api/v1/schools/${encodeURIComponent(sc.code)}/account`);
    rows.push({ ...sc, ...a });
  }
  main.append(h('h1', {}, t('schoolaccounts.title')), h('p.muted', {}, t('schoolaccounts.help')));
  main.append(table([
    { key: 'code', label: 'col.school_code' }, { render: x => x.name, label: 'col.school' },
    { render: x => x.account || t('schoolaccounts.none'), label: 'col.account' },
    { render: x => x.bank_code || '', label: 'col.bank_code' }, { render: x => x.holder || '', label: 'col.holder' },
    { render: x => x.since || '', label: 'col.from' },
    { render: x => h('button.secondary', { type: 'button', onclick: () => { code.value = x.code; holder.value = x.holder || x.name; account.focus(); } }, t('returned.fix')), label: 'col.action' },
  ], rows, { name: 'schoolaccounts' }));
  const code = input('school', { required: true, pattern: '[0-9]{10}', inputmode: 'numeric' });
  const account = input('account', { required: true, autocomplete: 'off', inputmode: 'numeric' });
  const holder = input('holder', {});
  const bank = input('bank_code', { required: true, pattern: '[0-9]{12}', inputmode: 'numeric' });
  const box = h('div');
  const button = h('button', { type: 'submit' }, t('returned.correct'));
  main.append(h('h2', {}, t('schoolaccounts.form')), h('form.card', {
    onsubmit: async (ev) => {
      ev.preventDefault();
      const x = await attempt(box, button, () => api('PUT', `/api/v1/schools/${encodeURIComponent(code.value.trim())}/account`, { account: account.value.trim(), holder: holder.value.trim(), bank_code: bank.value.trim() }));
      if (x) box.append(message('ok', t('schoolaccounts.done', x.school, x.account, x.released_for_reissue)));
    },
  }, h('div.row', {}, field('col.school_code', code), field('returned.account', account), field('col.holder', holder), field('col.bank_code', bank), button), box));
}

async function returnedPage(main) {
  const r = await api('GET', '/api/v1/returned');
  main.append(h('h1', {}, t('returned.title')));
  main.append(table([
    { key: 'reference', label: 'col.reference' }, { key: 'school_name', label: 'col.school' },
    { key: 'holder', label: 'col.holder' }, { key: 'account', label: 'col.account' },
    { render: x => yuan(x.amount), label: 'col.amount', num: true },
    { render: x => x.reason || `${x.reason_code} ${x.reason_text}`, label: 'col.bank_reason' },
    { render: x => badge(x.status), label: 'col.status' },
    { render: x => x.status === 'awaiting_account' ? h('button.secondary', { type: 'button', onclick: () => { payment.value = x.reference; holder.value = x.holder; account.focus(); } }, t('returned.fix')) : '', label: 'col.action' },
  ], r.returned, { name: 'returned' }));
  const payment = input('payment', { required: true });
  const account = input('account', { required: true, autocomplete: 'off', inputmode: 'numeric' });
  const holder = input('holder', { required: true });
  const bank = input('bank_code', { required: true, pattern: '[0-9]{12}', inputmode: 'numeric' });
  const kind = select('kind', ['student_card', 'one_card', 'passbook', 'social_security'].map(k => [k, t('kind.' + k)]), 'student_card');
  const box = h('div');
  const button = h('button', { type: 'submit' }, t('returned.correct'));
  main.append(h('h2', {}, t('returned.form')), h('form.card', {
    onsubmit: async (ev) => {
      ev.preventDefault();
      const x = await attempt(box, button, () => api('POST', '/api/v1/accounts', { payment: payment.value.trim(), account: account.value.trim(), holder: holder.value.trim(), bank_code: bank.value.trim(), kind: kind.value }));
      if (x) box.append(message('ok', t('returned.done', x.account, x.released_for_reissue)));
    },
  }, h('p.muted', {}, t('returned.help')),
  h('div.row', {}, field('col.reference', payment), field('returned.account', account), field('col.holder', holder), field('col.bank_code', bank), field('col.kind', kind), button), box));
}

// ---------- bureau officer ----------

async function programmesLoaded() {
  if (!state.programmes) {
    try {
      state.programmes = (await api('GET', '/api/v1/programmes')).programmes;
    } catch (e) {
      state.programmes = [];
    }
  }
  return state.programmes;
}
function programmeName(code) {
  const p = (state.programmes || []).find(x => x.code === code);
  return p ? (state.lang === 'zh' ? p.name_zh : p.name_en) : code;
}
async function programmeSelect(value) {
  const ps = await programmesLoaded();
  return select('programme', ps.map(p => [p.code, state.lang === 'zh' ? p.name_zh : p.name_en]), value);
}

async function runPage(main) {
  const term = termField();
  const region = input('region', { value: state.user.scope, required: true });
  const box = h('div');
  const progress = h('div', { id: 'run-progress' });
  const button = h('button', { type: 'submit' }, t('run.start'));
  main.append(h('h1', {}, t('run.title')), h('form.card', {
    onsubmit: async (ev) => {
      ev.preventDefault();
      const job = await attempt(box, button, () => api('POST', '/api/v1/entitlement-runs', { term: term.value, region: region.value }));
      if (!job) return;
      button.disabled = true;
      const bar = h('progress', { max: 100, 'aria-label': t('run.progress') });
      const label = h('span', {}, t('run.running', 0));
      progress.replaceChildren(h('div.card', {}, bar, ' ', label));
      for (;;) {
        await new Promise(r => setTimeout(r, 500));
        let j;
        try { j = await api('GET', job.poll); } catch (e) { progress.append(message('bad', e.message)); break; }
        label.textContent = t('run.running', j.progress);
        if (j.status === 'done') {
          bar.value = 100;
          const r = j.result;
          label.textContent = t('run.running', r.students);
          progress.append(message('ok', t('run.done', r.term, r.students, r.eligible, r.updated)));
          break;
        }
        if (j.status === 'failed') { progress.append(message('bad', j.error)); break; }
      }
      button.disabled = false;
    },
  }, h('p.muted', {}, t('run.help')), h('div.row', {}, field('col.term', term), field('col.region', region), button), box), progress);
}

async function rostersPage(main) {
  const source = select('source', ['poverty', 'civil_affairs', 'disabled', 'orphan'].map(s => [s, t('source.' + s)]), 'poverty');
  const file = input('file', { type: 'file', accept: '.csv,text/csv', required: true });
  const box = h('div');
  const button = h('button', { type: 'submit' }, t('rosters.upload'));
  main.append(h('h1', {}, t('rosters.title')), h('form.card', {
    onsubmit: async (ev) => {
      ev.preventDefault();
      const r = await upload('/api/v1/rosters?source=' + source.value, file, box, button);
      if (r) box.append(message('ok', t('rosters.done', r.rows)));
    },
  }, h('div.row', {}, field('col.source', source), field('roll.file', file), button), box));
}

async function noticesPage(main) {
  const term = termField();
  const programme = await programmeSelect('compulsory_nonboarding_allowance');
  const schools = (await api('GET', '/api/v1/schools')).schools || [];
  const box = h('div', { id: 'notice-result' });
  const published = [];
  const list = h('div');
  const drawList = () => list.replaceChildren(table([
    { key: 'school', label: 'col.school' }, { key: 'entries', label: 'col.entries', num: true },
    { render: r => yuan(r.total), label: 'col.amount', num: true }, { key: 'window_ends', label: 'notices.window' },
    { render: r => h('span', {}, h('a', { href: '/api/v1/notices/' + encodeURIComponent(r.html), target: '_blank', rel: 'noopener' }, t('notices.print')), ' · ', h('a', { href: '/api/v1/notices/' + encodeURIComponent(r.csv) }, 'CSV')), label: 'col.files' },
  ], published, { name: 'notices' }));
  const publish = async (code, button) => {
    const r = await attempt(box, button, () => api('POST', '/api/v1/notices', { programme: programme.value, term: term.value, school: code }));
    if (r) { published.push(r); drawList(); box.append(message('ok', t('notices.done', r.school, r.entries, r.window_ends))); }
  };
  const all = h('button', {
    type: 'button',
    onclick: async () => {
      all.disabled = true;
      box.replaceChildren();
      const skipped = [];
      for (const s of schools) {
        try {
          const r = await api('POST', '/api/v1/notices', { programme: programme.value, term: term.value, school: s.code });
          published.push(r);
          drawList();
        } catch (e) {
          if (e.status === 401) break;
          skipped.push(`${s.code} ${s.name}: ${e.message}`);
        }
      }
      box.append(message('ok', t('notices.all_done', published.length, skipped.length)));
      if (skipped.length) box.append(h('details', {}, h('summary', {}, t('notices.skipped', skipped.length)), h('ul', {}, skipped.map(x => h('li', {}, x)))));
      all.disabled = false;
    },
  }, t('notices.all'));
  main.append(h('h1', {}, t('notices.title')), h('div.card', {}, h('p.muted', {}, t('notices.help')),
    h('div.row', {}, field('col.term', term), field('col.programme', programme), all), box),
  table([
    { key: 'code', label: 'col.code' }, { key: 'name', label: 'col.school' },
    { render: s => h('button.secondary', { type: 'button', onclick: (ev) => publish(s.code, ev.target) }, t('notices.publish')), label: 'col.action' },
  ], schools, { name: 'schools' }), h('h2', {}, t('notices.published')), list);
  drawList();
  // Objections
  const rid = input('resident_id', { required: true, autocomplete: 'off' });
  const text = h('textarea', { name: 'text', required: true });
  const obox = h('div');
  const obutton = h('button', { type: 'submit' }, t('objection.record'));
  main.append(h('h2', {}, t('objection.title')), h('form.card', {
    onsubmit: async (ev) => {
      ev.preventDefault();
      const r = await attempt(obox, obutton, () => api('POST', '/api/v1/objections', { resident_id: rid.value.trim(), programme: programme.value, term: term.value, text: text.value }));
      if (r) obox.append(message('ok', t('objection.done', r.objection)));
    },
  }, h('div.row', {}, field('col.rid', rid), field('objection.text', text), obutton), obox));
}

async function batchesPage(main, statusFilter) {
  const term = termField();
  const box = h('div');
  const list = h('div', { id: 'batch-list' });
  const load = async () => {
    const q = `?term=${encodeURIComponent(term.value)}` + (statusFilter ? '&status=' + statusFilter : '');
    const r = await attempt(box, null, () => api('GET', '/api/v1/batches' + q));
    if (!r) return;
    // The approver's queue: what still waits for this approver (not their own, not approved by them).
    const me = state.user.name;
    const rows = statusFilter === 'submitted'
      ? r.batches.filter(b => b.prepared_by !== me && !(b.actions || []).some(a => a.user === me && a.action === 'approve'))
      : r.batches;
    list.replaceChildren(table([
      { render: b => h('a', { href: '#/batch/' + b.id }, '#' + b.id), label: 'col.batch' },
      { render: b => programmeName(b.programme), label: 'col.programme' },
      { key: 'paying_region', label: 'col.region' }, { key: 'bank', label: 'col.bank' },
      { render: b => badge(b.status), label: 'col.status' },
      { key: 'payments', label: 'col.payments', num: true },
      { render: b => yuan(b.total), label: 'col.amount', num: true },
      { render: b => `${b.approvals}/${b.required_approvals}`, label: 'col.approvals', num: true },
    ], rows, { name: 'batches' }));
  };
  await programmesLoaded();
  main.append(h('h1', {}, t(statusFilter === 'submitted' ? 'queue.title' : 'batches.title')));
  main.append(h('form.card', { onsubmit: (ev) => { ev.preventDefault(); load(); } },
    h('div.row', {}, field('col.term', term), h('button.secondary', { type: 'submit' }, t('show'))), box));
  if (state.user.role === 'bureau_officer') {
    const programme = await programmeSelect('compulsory_nonboarding_allowance');
    const region = input('region', { value: state.user.scope, required: true });
    const bbox = h('div', { id: 'build-result' });
    const build = h('button', { type: 'submit' }, t('batches.build'));
    main.append(h('form.card', {
      onsubmit: async (ev) => {
        ev.preventDefault();
        const r = await attempt(bbox, build, () => api('POST', '/api/v1/batches', { programme: programme.value, term: term.value, region: region.value }));
        if (r) { bbox.append(message('ok', t('batches.built', r.batches.length, r.payments, yuan(r.total), r.flags))); load(); }
      },
    }, h('h2', {}, t('batches.build_title')), h('div.row', {}, field('col.programme', programme), field('col.region', region), build), bbox));
  }
  main.append(list);
  await load();
}

async function batchPage(main, id) {
  const b = await api('GET', '/api/v1/batches/' + encodeURIComponent(id));
  await programmesLoaded();
  const role = state.user.role;
  const box = h('div', { id: 'batch-message' });
  main.append(h('h1', {}, t('batch.title', b.id, programmeName(b.programme)), ' ', badge(b.status)));
  main.append(h('div.card', {}, h('dl.kv', {}, [
    ['col.term', b.term], ['col.region', b.paying_region], ['col.bank', b.bank], ['col.payments', String(b.payments)],
    ['col.amount', yuan(b.total)], ['funding.central', yuan(b.central)], ['funding.provincial', yuan(b.provincial)],
    ['funding.county', yuan(b.county)], ['col.approvals', `${b.approvals}/${b.required_approvals}`], ['batch.prepared_by', b.prepared_by],
  ].flatMap(([k, v]) => [h('dt', {}, t(k)), h('dd', { 'data-field': k }, v)]))));
  const act = async (path, body, button) => {
    const r = await attempt(box, button, () => api('POST', `/api/v1/batches/${b.id}/${path}`, body));
    if (r) { route(); }
  };
  const actions = h('div.row');
  if (role === 'bureau_officer' && b.status === 'draft') actions.append(h('button', { type: 'button', onclick: (ev) => act('submit', {}, ev.target) }, t('batch.submit')));
  if (role === 'bureau_officer' && b.status === 'approved') actions.append(h('button', { type: 'button', onclick: (ev) => act('export', {}, ev.target) }, t('batch.export')));
  if (role === 'bureau_officer' && (b.status === 'settled' || b.status === 'partially_settled')) actions.append(h('button.secondary', { type: 'button', onclick: (ev) => act('close', {}, ev.target) }, t('batch.close')));
  if (role === 'bureau_approver' && b.status === 'submitted') {
    const reason = input('reason', { placeholder: t('batch.reject_reason') });
    actions.append(h('button', { type: 'button', onclick: () => confirmApproval(b, box, (button) => act('approve', {}, button)) }, t('batch.approve')),
      field('batch.reject_reason', reason),
      h('button.danger', { type: 'button', onclick: (ev) => { if (!reason.value.trim()) { box.replaceChildren(message('bad', t('batch.reason_needed'))); reason.focus(); return; } act('reject', { reason: reason.value }, ev.target); } }, t('batch.reject')));
  }
  main.append(actions, box);
  if (b.budget && b.budget.length) {
    main.append(h('h2', {}, t('batch.budget')), table([
      { render: l => t('funding.' + l.source), label: 'col.source' },
      { render: l => yuan(l.allocated), label: 'budget.allocated', num: true },
      { render: l => yuan(l.committed), label: 'budget.committed', num: true },
      { render: l => yuan(l.paid), label: 'budget.paid', num: true },
      { render: l => yuan(l.available), label: 'budget.available', num: true },
      { render: l => yuan(b[l.source] || 0), label: 'budget.this_batch', num: true },
    ], b.budget, { name: 'budget' }));
  }
  if (b.flags) {
    const open = b.flags.filter(f => f.status === 'open').length;
    main.append(h('h2', {}, t('batch.flags', b.flags.length, open)), table([
      { key: 'id', label: 'col.id', num: true }, { render: f => t('flag.' + f.kind), label: 'col.kind' },
      { render: f => h('div.reason', {}, f.evidence), label: 'col.evidence' }, { render: f => badge(f.status), label: 'col.status' },
      { render: f => f.status === 'open' && role === 'bureau_officer' ? clearFlagForm(f, box) : (f.cleared_by ? `${f.cleared_by}: ${f.reason}` : ''), label: 'col.action' },
    ], b.flags, { name: 'flags' }));
  }
  if (b.files && b.files.length) {
    main.append(h('h2', {}, t('batch.files')), filesTable(b));
  }
  if (b.actions && b.actions.length) {
    main.append(h('h2', {}, t('batch.history')), table([
      { key: 'at', label: 'col.at' }, { key: 'user', label: 'col.user' }, { render: a => t('action.' + a.action), label: 'col.action' }, { key: 'reason', label: 'col.reason' },
    ], b.actions, { name: 'actions' }));
  }
  await batchPayeesSection(main, b);
}

function clearFlagForm(f, box) {
  const reason = input('reason', { required: true, 'aria-label': t('flag.reason') + ' #' + f.id, placeholder: t('flag.reason') });
  return h('form', {
    onsubmit: async (ev) => {
      ev.preventDefault();
      const r = await attempt(box, null, () => api('POST', `/api/v1/flags/${f.id}/clear`, { reason: reason.value }));
      if (r) route();
    },
  }, reason, ' ', h('button.secondary', { type: 'submit' }, t('flag.clear')));
}

function filesTable(b) {
  const link = (name, label) => h('a', { href: `/api/v1/batches/${b.id}/files/${encodeURIComponent(name)}`, download: name }, label);
  return table([
    { render: f => link(f.name, f.name), label: 'col.file' }, { key: 'layout', label: 'col.layout' },
    { key: 'count', label: 'col.payments', num: true }, { render: f => yuan(f.total), label: 'col.amount', num: true },
    { render: f => h('span', {}, link(f.name + '.manifest.json', t('files.manifest')), ' · ', link(f.name + '.manifest.sig', t('files.signature'))), label: 'col.files' },
    { render: f => h('code', {}, f.sha256.slice(0, 16) + '…'), label: 'SHA-256' },
  ], b.files, { name: 'files' });
}

// ---------- bank operator ----------

async function filesPage(main) {
  const r = await api('GET', '/api/v1/batches');
  main.append(h('h1', {}, t('files.title', state.user.scope)));
  if (!r.batches.length) main.append(h('p.muted', {}, t('files.none')));
  for (const summary of r.batches) {
    const b = await api('GET', '/api/v1/batches/' + summary.id);
    main.append(h('h2', {}, t('batch.title', b.id, b.programme), ' ', badge(b.status), ' ', h('span.muted', {}, `${b.payments} · ${yuan(b.total)}`)), filesTable(b));
  }
}

async function resultsPage(main) {
  const file = input('file', { type: 'file', required: true });
  const box = h('div', { id: 'result-outcome' });
  const button = h('button', { type: 'submit' }, t('results.upload'));
  main.append(h('h1', {}, t('results.title')), h('form.card', {
    onsubmit: async (ev) => {
      ev.preventDefault();
      const r = await upload('/api/v1/results', file, box, button);
      if (!r) return;
      box.append(message('ok', r.already_imported ? t('results.again') : t('results.done', r.lines, r.paid, r.returned)));
      box.append(h('dl.kv', {}, [['results.paid_amount', yuan(r.paid_total)], ['results.returned_amount', yuan(r.returned_total)], ['results.batches', (r.batches || []).map(b => `#${b.id} ${t('status.' + b.status)}`).join(', ')]]
        .flatMap(([k, v]) => [h('dt', {}, t(k)), h('dd', { 'data-field': k }, v)])));
    },
  }, h('p.muted', {}, t('results.help')), h('div.row', {}, field('results.file', file), button), box));
}

// ---------- auditor and bureau reports ----------

async function reportsPage(main) {
  const term = termField();
  const by = select('by', [['programme', t('dim.programme')], ['region', t('dim.region')], ['stage', t('dim.stage')], ['category', t('dim.category')], ['term', t('dim.term')]], 'programme');
  const allTerms = input('all_terms', { type: 'checkbox' });
  const out = h('div', { id: 'report' });
  const box = h('div');
  const button = h('button', { type: 'submit' }, t('show'));
  await programmesLoaded();
  const label = (dim, v) => dim === 'programme' ? programmeName(v) : dim === 'stage' ? t('stage.' + v) : dim === 'category' ? categoryName(v) : v;
  const load = async () => {
    const q = `by=${by.value}` + (allTerms.checked ? '' : `&term=${encodeURIComponent(term.value)}`);
    const [r, trend, budgets] = await Promise.all([
      attempt(box, button, () => api('GET', '/api/v1/reports?' + q)),
      api('GET', '/api/v1/reports?by=term').catch(() => null),
      api('GET', '/api/v1/budgets').catch(() => null),
    ]);
    if (!r) return;
    const dim = by.value;
    const cats = r.rows.map(x => label(dim, x[dim]));
    const charts = h('div.charts', {},
      barChart(t('chart.amount', t('dim.' + dim)), cats, [
        { name: t('rep.entitled'), cls: 'entitled', values: r.rows.map(x => x.entitled) },
        { name: t('rep.paid'), cls: 'paid', values: r.rows.map(x => x.paid) }], true),
      barChart(t('chart.count', t('dim.' + dim)), cats, [
        { name: t('rep.entitled_n'), cls: 'entitled', values: r.rows.map(x => x.entitled_count) },
        { name: t('rep.paid_n'), cls: 'paid', values: r.rows.map(x => x.paid_count) }], false));
    if (trend) {
      charts.append(barChart(t('chart.trend'), trend.rows.map(x => x.term), [
        { name: t('rep.paid'), cls: 'paid', values: trend.rows.map(x => x.paid) },
        { name: t('rep.returned'), cls: 'returned', values: trend.rows.map(x => x.returned) }], true));
    }
    if (budgets && budgets.budgets.length) {
      const lines = budgets.budgets;
      charts.append(barChart(t('chart.budget'), lines.map(l => `${t('funding.' + l.source)} · ${programmeName(l.programme)}`), [
        { name: t('budget.allocated'), cls: 'entitled', values: lines.map(l => l.allocated) },
        { name: t('budget.committed'), cls: 'committed', values: lines.map(l => l.committed) },
        { name: t('budget.paid'), cls: 'paid', values: lines.map(l => l.paid) }], true));
    }
    const tot = r.total;
    const q2 = `/api/v1/reports?${q}&format=`;
    out.replaceChildren(
      h('p', {}, h('a', { href: q2 + 'csv', download: '' }, t('rep.csv')), ' · ', h('a', { href: q2 + 'xlsx&lang=' + state.lang, download: '' }, t('rep.xlsx'))),
      table([
        { render: x => label(dim, x[dim]), label: 'dim.' + dim },
        { key: 'entitled_count', label: 'rep.entitled_n', num: true }, { render: x => yuan(x.entitled), label: 'rep.entitled', num: true },
        { key: 'paid_count', label: 'rep.paid_n', num: true }, { render: x => yuan(x.paid), label: 'rep.paid', num: true },
        { key: 'returned_count', label: 'rep.returned_n', num: true }, { render: x => yuan(x.returned), label: 'rep.returned', num: true },
      ], r.rows, {
        name: 'report',
        footer: h('tr', {}, h('td', {}, t('rep.total')), h('td.num', {}, String(tot.entitled_count)), h('td.num', {}, yuan(tot.entitled)),
          h('td.num', {}, String(tot.paid_count)), h('td.num', { 'data-total': 'paid' }, yuan(tot.paid)), h('td.num', {}, String(tot.returned_count)), h('td.num', {}, yuan(tot.returned))),
      }),
      charts);
  };
  main.append(h('h1', {}, t('reports.title')), h('form.card', { onsubmit: (ev) => { ev.preventDefault(); load(); } },
    h('div.row', {}, field('col.term', term), h('label.inline', { for: allTerms.id = 'allterms' }, allTerms, ' ' + t('reports.all_terms')), field('reports.by', by), button), box), out);
  await load();
}

async function tracePage(main, ref) {
  const input1 = input('reference', { value: ref || '', required: true });
  const box = h('div');
  const out = h('div');
  const button = h('button', { type: 'submit' }, t('trace.go'));
  main.append(h('h1', {}, t('trace.title')), h('form.card', {
    onsubmit: (ev) => { ev.preventDefault(); location.hash = '#/trace/' + encodeURIComponent(input1.value.trim()); },
  }, h('div.row', {}, field('col.reference', input1), button), box), out);
  if (!ref) return;
  const r = await attempt(box, button, () => api('GET', '/api/v1/payments/' + encodeURIComponent(ref)));
  if (!r) return;
  await programmesLoaded();
  const kv = (pairs) => h('dl.kv', {}, pairs.flatMap(([k, v]) => [h('dt', {}, t(k)), h('dd', {}, v === undefined || v === '' ? '—' : v)]));
  out.append(h('h2', {}, t('trace.payment')), h('div.card', {}, kv([
    ['col.reference', r.payment.reference], ['col.status', badge(r.payment.state)], ['col.amount', yuan(r.payment.amount)],
    ['col.holder', r.payment.holder], ['col.account', r.payment.account], ['col.bank_reason', r.payment.bank_reason || ''],
    ['trace.settled_on', r.payment.settled_on], ['trace.attempt', String(r.payment.attempt)]])));
  out.append(h('h2', {}, t('trace.entitlement')), h('div.card', {}, kv([
    ['col.name', `${r.student.name} (${r.student.resident_id})`], ['col.programme', programmeName(r.entitlement.programme)], ['col.term', r.entitlement.term],
    ['col.why', reasonList(r.entitlement.checks, r.entitlement.reason)], ['trace.decided_on', r.entitlement.decided_on],
    ['trace.policy', `${r.policy.name} (sha256 ${r.policy.sha256.slice(0, 12)}…, ${r.policy.activated_on})`]])));
  out.append(h('h2', {}, t('trace.roster')), table([
    { key: 'category', label: 'col.category' }, { key: 'source', label: 'col.source' }, { key: 'source_ref', label: 'trace.source_ref' },
    { key: 'valid_from', label: 'col.from' }, { key: 'valid_to', label: 'col.to' }], r.household_statuses));
  if (r.batch) {
    out.append(h('h2', {}, t('trace.batch', r.batch.id)), h('p', {}, t('batch.prepared_by') + ': ' + r.batch.prepared_by, ' · ', h('a', { href: '#/batch/' + r.batch.id }, t('trace.open_batch'))),
      table([{ key: 'at', label: 'col.at' }, { key: 'user', label: 'col.user' }, { render: a => t('action.' + a.action), label: 'col.action' }, { key: 'reason', label: 'col.reason' }], r.batch.actions));
  }
}

async function auditPage(main) {
  const box = h('div', { id: 'audit-result' });
  const button = h('button', { type: 'button' }, t('audit.verify'));
  button.onclick = async () => {
    const r = await attempt(box, button, () => api('GET', '/api/v1/audit/verify'));
    if (r) box.append(r.intact ? message('ok', t('audit.intact', r.events)) : message('bad', t('audit.broken', r.broken_seq, r.problem)));
  };
  main.append(h('h1', {}, t('audit.title')), h('div.card', {}, h('p.muted', {}, t('audit.help')), button, box));
}

// ---------- router ----------

const PAGES = {
  login: loginPage, roll: rollPage, students: studentsPage, student: studentPage, entitled: entitledPage,
  returned: returnedPage, schoolaccounts: schoolAccountsPage, run: runPage, rosters: rostersPage, notices: noticesPage,
  batches: (m) => batchesPage(m), queue: (m) => batchesPage(m, 'submitted'), batch: batchPage,
  files: filesPage, results: resultsPage, reports: reportsPage, trace: tracePage, audit: auditPage,
};

let routeSeq = 0;

/** Draws the page of the current hash into a fresh view; a later navigation wins over a slower one. */
async function route() {
  const my = ++routeSeq;
  const main = document.getElementById('main');
  const [name, arg] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (!state.user && name !== 'login') {
    try {
      state.user = (await api('GET', '/api/v1/me')).user;
    } catch (e) {
      location.hash = '#/login';
      return;
    }
  }
  const page = PAGES[name] ? name : (state.user ? (NAV[state.user.role] || [['audit']])[0][0] : 'login');
  if (page !== name) { location.hash = '#/' + page; return; }
  const view = h('div', { 'data-view': page });
  try {
    await PAGES[page](view, arg);
  } catch (e) {
    view.append(message('bad', e.message));
  }
  if (my !== routeSeq) return;
  drawShell(page);
  main.replaceChildren(view);
  main.setAttribute('data-page', page);
  const first = view.querySelector('[autofocus]');
  (first || main).focus();
}

document.addEventListener('DOMContentLoaded', () => {
  document.getElementById('lang').addEventListener('click', () => {
    state.lang = state.lang === 'zh' ? 'en' : 'zh';
    localStorage.setItem('edupay.lang', state.lang);
    route();
  });
  document.getElementById('logout').addEventListener('click', async () => {
    try { await api('POST', '/api/v1/logout'); } catch (e) { /* the session may already be gone */ }
    state.user = null;
    location.hash = '#/login';
  });
  window.addEventListener('hashchange', route);
  route();
});
