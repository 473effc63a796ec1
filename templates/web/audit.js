// The auditor's oversight pages: the operation log (操作日志) with filters and pages, the upload
// histories (上传记录) on the school's roll page and the bank operator's result page, and the
// trace by student (按学生追溯) on the trace page. Loaded after app.js; uses its helpers.
'use strict';

Object.assign(I18N, {
  'nav.audit': { zh: '操作日志', en: 'Operation log' },
  'oplog.title': { zh: '操作日志', en: 'Operation log' },
  'oplog.help': { zh: '按操作人、操作类型、对象和日期筛选；最新的在前。审计人员只看到本辖区对象的操作。', en: 'Filter by user, action, object and date; newest first. Auditors see the actions on objects of their region.' },
  'oplog.user': { zh: '操作人', en: 'User' },
  'oplog.action': { zh: '操作类型', en: 'Action' },
  'oplog.all_actions': { zh: '全部操作', en: 'Every action' },
  'oplog.object': { zh: '操作对象（如 batch:12）', en: 'Object (e.g. batch:12)' },
  'oplog.from': { zh: '开始日期', en: 'From' },
  'oplog.to': { zh: '结束日期', en: 'To' },
  'oplog.search': { zh: '查询', en: 'Search' },
  'oplog.object_col': { zh: '对象', en: 'Object' },
  'oplog.change': { zh: '记录内容（变更前 → 变更后）', en: 'Record (before → after)' },
  'oplog.before': { zh: '变更前：', en: 'Before: ' },
  'oplog.after': { zh: '变更后：', en: 'After: ' },
  'oplog.page': { zh: '第 {0} 页', en: 'Page {0}' },
  'oplog.prev': { zh: '上一页', en: 'Previous' },
  'oplog.next': { zh: '下一页', en: 'Next' },
  'oplog.none': { zh: '没有符合条件的操作记录。', en: 'No action matches.' },
  'uploads.title': { zh: '上传记录', en: 'Upload history' },
  'uploads.outcome': { zh: '结果', en: 'Outcome' },
  'uploads.unchanged': { zh: '无变化', en: 'No change' },
  'uploads.refused': { zh: '已退回，未导入：共 {0} 行，{1} 行有问题', en: 'Refused, nothing imported: {0} rows, {1} with problems' },
  'uploads.unreadable': { zh: '已退回，未导入：{0}', en: 'Refused, nothing imported: {0}' },
  'uploads.imported': { zh: '已导入', en: 'Imported' },
  'uploads.roll_outcome': { zh: '共 {0} 行，导入 {1} 行，问题 {2} 行；新增学生 {3}，变更 {4}', en: '{0} rows, {1} imported, {2} with problems; {3} new students, {4} changed' },
  'uploads.result_outcome': { zh: '成功 {0} 笔（{1} 元），退回 {2} 笔（{3} 元），待处理 {4}，已处理过 {5}', en: '{0} paid ({1}), {2} returned ({3}), {4} pending, {5} answered before' },
  'uploads.bank': { zh: '银行', en: 'Bank' },
  'uploads.school': { zh: '学校', en: 'School' },
  'strace.title': { zh: '按学生追溯', en: 'Trace a student' },
  'strace.query': { zh: '学生姓名、身份证号或全国学籍号', en: "Student's name, resident ID or student number" },
  'strace.none': { zh: '本辖区内没有找到该学生。', en: 'No such student in your scope.' },
  'strace.student': { zh: '{0}（身份证号 {1}）', en: '{0} (ID {1})' },
  'strace.schools': { zh: '就读学校', en: 'Schools' },
  'strace.entitlements': { zh: '资助资格与发放', en: 'Entitlements and payments' },
  'strace.result': { zh: '银行回盘', en: 'Bank answer' },
  'strace.no_payment': { zh: '未发放', en: 'Not paid yet' },
  'strace.share': { zh: '本生金额', en: "This student's share" },
});

/** The Chinese (or English) words for an action code, from the API's catalogue. */
const ACTION_NAMES = {};
function actionWords(code, name) {
  if (name) ACTION_NAMES[code] = name;
  const words = ACTION_NAMES[code] || code;
  return state.lang === 'zh' ? words : `${words} (${code})`;
}

/** An event's time as people read it: `2026-09-01 10:00:00` (UTC+8, as recorded). */
function when(at) { return String(at).slice(0, 19).replace('T', ' '); }

/** A table that scrolls sideways inside its own box on a narrow screen. */
function scrollBox(child) { return h('div.scroll', {}, child); }

async function operationLog(main) {
  const user = input('user', { autocomplete: 'off' });
  const action = h('select', { name: 'action' }, h('option', { value: '' }, t('oplog.all_actions')));
  const object = input('object', { autocomplete: 'off' });
  const from = input('from', { type: 'date' });
  const to = input('to', { type: 'date' });
  const button = h('button', { type: 'submit' }, t('oplog.search'));
  const box = h('div');
  const out = h('div', { id: 'oplog' });
  let page = 1;
  const load = async () => {
    const q = new URLSearchParams({ page: String(page) });
    for (const [k, el] of [['user', user], ['action', action], ['object', object], ['from', from], ['to', to]]) {
      if (el.value.trim()) q.set(k, el.value.trim());
    }
    const r = await attempt(box, button, () => api('GET', '/api/v1/audit/events?' + q));
    if (!r) return;
    if (action.options.length === 1) {
      for (const a of r.actions) action.append(h('option', { value: a.code }, actionWords(a.code, a.name)));
    }
    // What the event recorded, in the reader's words (the API renders the chain's record).
    const record = (text) => h('span.record', {}, text);
    const change = (e) => e.before
      ? h('div', {}, h('div.before', {}, t('oplog.before'), record(e.before)), h('div.after', {}, t('oplog.after'), record(e.after)))
      : record(e.summary);
    const prev = h('button.secondary', { type: 'button', disabled: page === 1, onclick: () => { page--; load(); } }, t('oplog.prev'));
    const next = h('button.secondary', { type: 'button', disabled: !r.more, onclick: () => { page++; load(); } }, t('oplog.next'));
    out.replaceChildren(
      r.events.length ? scrollBox(table([
        { render: x => when(x.at), label: 'col.at' }, { key: 'user', label: 'col.user' },
        { render: e => h('span', { 'data-action': e.action }, actionWords(e.action, e.action_name)), label: 'oplog.action' },
        { key: 'object', label: 'oplog.object_col' }, { render: change, label: 'oplog.change' },
      ], r.events, { name: 'oplog', pageSize: 50 })) : h('p.muted', {}, t('oplog.none')),
      h('div.pager', {}, prev, h('span', { 'data-page': String(page) }, t('oplog.page', page)), next));
  };
  main.append(h('h1', {}, t('oplog.title')), h('form.card', {
    onsubmit: (ev) => { ev.preventDefault(); page = 1; load(); },
  }, h('p.muted', {}, t('oplog.help')),
  h('div.row', {}, field('oplog.user', user), field('oplog.action', action), field('oplog.object', object),
    field('oplog.from', from), field('oplog.to', to), button), box), out);
  await load();
}

/** The upload history of rolls or result files, newest first, for the page's own user. */
async function uploadHistory(kind) {
  const box = h('section', { id: 'uploads-' + kind }, h('h2', {}, t('uploads.title')));
  try {
    const r = await api('GET', '/api/v1/uploads?kind=' + kind);
    const outcome = (u) => u.outcome === 'refused' && u.reason ? t('uploads.unreadable', u.reason)
      : u.outcome === 'refused' ? t('uploads.refused', u.rows, u.rows_bad)
      : u.outcome === 'unchanged' ? t('uploads.unchanged')
      : kind === 'roll' ? t('uploads.roll_outcome', u.rows, u.rows_ok, u.rows_bad, u.students_new, u.students_changed)
        : t('uploads.result_outcome', u.paid, u.paid_total, u.returned, u.returned_total, u.pending, u.unchanged_lines);
    box.append(scrollBox(table([
      { render: x => when(x.at), label: 'col.at' }, { key: 'user', label: 'col.user' }, { key: 'file_name', label: 'col.file' },
      kind === 'roll' ? { key: 'school', label: 'uploads.school' } : { key: 'bank', label: 'uploads.bank' },
      { render: outcome, label: 'uploads.outcome' },
    ], r.uploads, { name: 'uploads-' + kind })));
  } catch (e) {
    box.append(message('bad', e.message));
  }
  return box;
}

async function studentTrace(main, query) {
  const q = input('student', { value: query || '', required: true, autocomplete: 'off' });
  const box = h('div');
  const out = h('div', { id: 'student-trace' });
  const button = h('button', { type: 'submit' }, t('trace.go'));
  main.append(h('h1', {}, t('strace.title')), h('form.card', {
    onsubmit: (ev) => { ev.preventDefault(); location.hash = '#/trace/student:' + encodeURIComponent(q.value.trim()); },
  }, h('div.row', {}, field('strace.query', q), button), box), out);
  if (!query) return;
  const r = await attempt(box, button, () => api('GET', '/api/v1/trace?student=' + encodeURIComponent(query)));
  if (!r) return;
  if (!r.students.length) { out.append(message('info', t('strace.none'))); return; }
  await programmesLoaded();
  for (const s of r.students) {
    const rows = [];
    for (const e of s.entitlements) {
      const pays = e.payments.length ? e.payments : [null];
      for (const p of pays) rows.push({ e, p });
    }
    out.append(h('h2', {}, t('strace.student', s.name, s.resident_id || s.student_no)),
      h('p.muted', {}, t('strace.schools') + '：' + s.schools.map(x => `${x.name}（${x.code}）`).join('，')),
      scrollBox(table([
        { render: x => programmeName(x.e.programme), label: 'col.programme' }, { render: x => termName(x.e.term), label: 'col.term' },
        { render: x => badge(x.e.status), label: 'col.status' }, { render: x => yuan(x.e.amount), label: 'col.amount', num: true },
        { render: x => x.p ? h('a', { href: '#/trace/' + encodeURIComponent(x.p.reference) }, x.p.reference) : t('strace.no_payment'), label: 'col.reference' },
        { render: x => x.p ? badge(x.p.state) : '', label: 'col.status' },
        { render: x => x.p ? `${x.p.holder} ${x.p.account}` : '', label: 'col.account' },
        { render: x => x.p && x.p.result ? [x.p.result.settled_on, x.p.result.reason_code, x.p.result.reason_text, x.p.result.file].filter(Boolean).join(' ') : '', label: 'strace.result' },
      ], rows, { name: 'student-trace' })));
  }
}

const paymentTracePage = PAGES.trace;
PAGES.trace = async (main, arg) => {
  const student = arg && arg.startsWith('student:') ? arg.slice(8) : '';
  await studentTrace(main, student);
  await paymentTracePage(main, student ? '' : arg);
};

const verifyPage = PAGES.audit;
PAGES.audit = async (main) => {
  await operationLog(main);
  await verifyPage(main);
};

const rollUploadPage = PAGES.roll;
PAGES.roll = async (main) => {
  await rollUploadPage(main);
  main.append(await uploadHistory('roll'));
};

const resultUploadPage = PAGES.results;
PAGES.results = async (main) => {
  await resultUploadPage(main);
  main.append(await uploadHistory('result'));
};
