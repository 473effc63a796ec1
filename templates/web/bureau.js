// The county bureau's pages beyond batches: objections (异议), budgets (预算), the decisions
// that pay nothing with their reasons (暂缓与不符合), and, on a batch, the payee list the
// approver checks (收款人名单) with a confirmation that restates count and amount.
// Loaded after app.js; uses its helpers (h, t, api, table, attempt, upload, ...).
'use strict';

Object.assign(I18N, {
  'nav.objections': { zh: '异议处理', en: 'Objections' },
  'nav.budgets': { zh: '预算', en: 'Budgets' },
  'nav.decisions': { zh: '暂缓与不符合', en: 'Held and refused' },
  'objections.title': { zh: '公示异议', en: 'Objections to notices' },
  'objections.add': { zh: '登记异议', en: 'Record an objection' },
  'objections.resident_id': { zh: '学生身份证号', en: "Student's resident ID" },
  'objections.text': { zh: '异议内容', en: 'What the objection says' },
  'objections.added': { zh: '已登记异议 {0}；该生的发放暂停，直至处理完毕。', en: 'Objection {0} recorded; the payment is held until it is resolved.' },
  'objections.resolve': { zh: '处理', en: 'Resolve' },
  'objections.decision': { zh: '处理结果', en: 'Decision' },
  'objections.upheld': { zh: '异议成立（不予发放）', en: 'Upheld (not paid)' },
  'objections.dismissed': { zh: '异议不成立（继续发放）', en: 'Dismissed (paid)' },
  'objections.reason': { zh: '处理理由', en: 'Reason' },
  'objections.holds': { zh: '暂停批次', en: 'Holds batch' },
  'objections.raised': { zh: '提出日期', en: 'Raised on' },
  'objections.resolution': { zh: '处理情况', en: 'Resolution' },
  'status.upheld': { zh: '异议成立', en: 'upheld' },
  'status.dismissed': { zh: '异议不成立', en: 'dismissed' },
  'status.failed': { zh: '支付失败', en: 'failed' },
  'budgets.title': { zh: '资助资金预算', en: 'Aid budgets' },
  'budgets.year': { zh: '预算年度', en: 'Fiscal year' },
  'budgets.import': { zh: '导入预算文件（CSV）', en: 'Import a budget file (CSV)' },
  'budgets.file': { zh: '预算文件', en: 'Budget file' },
  'budgets.imported': { zh: '已导入 {0} 条预算。', en: '{0} budget line(s) imported.' },
  'budgets.format': { zh: '文件各列依次为资助项目、区县、年度、资金来源（central 中央 / provincial 省级 / county 县级）、预算金额（元），表头：', en: 'Columns: programme, county, fiscal year, source (central / provincial / county), amount in yuan; the header:' },
  'budgets.returned': { zh: '已退回', en: 'Returned' },
  'col.source': { zh: '资金来源', en: 'Source' },
  'nav.payers': { zh: '付款账户', en: 'Paying accounts' },
  'payers.title': { zh: '资助专户（付款账户）', en: "The bureau's paying accounts" },
  'payers.help': { zh: '每家代发银行一个付款账户，写入该行的每个支付文件；未登记付款账户的银行不能导出支付文件。', en: 'One paying account per paying bank, written into every payment file for it; a bank without one cannot be sent a payment file.' },
  'payers.bank': { zh: '代发银行', en: 'Bank' },
  'payers.account': { zh: '付款账号', en: 'Account number' },
  'payers.name': { zh: '户名（银行登记的单位名称）', en: 'Name (as the bank registered it)' },
  'payers.whose': { zh: '登记于', en: 'Recorded for' },
  'payers.inherited': { zh: '{0}（上级统一登记）', en: '{0} (recorded above the county)' },
  'payers.none': { zh: '未登记', en: 'none' },
  'payers.save': { zh: '保存', en: 'Save' },
  'payers.change': { zh: '登记或更改', en: 'Record or change' },
  'payers.saved': { zh: '已保存：{0} 的付款账户 {1}（{2}）。', en: 'Saved: {0} pays from {1} ({2}).' },
  'decisions.title': { zh: '暂缓与不符合的资助认定', en: 'Decisions that pay nothing' },
  'decisions.help': { zh: '暂缓：符合条件但缺少账户、名单核对等，处理后下次资格计算即可发放；不符合：未满足的首要条件。', en: 'Held: eligible but waiting for an account or a roster check, paid once that is settled; not eligible: the first condition not met.' },
  'decisions.total': { zh: '共 {0} 条', en: '{0} in all' },
  'col.count': { zh: '人数', en: 'Students' },
  'payees.title': { zh: '收款人名单', en: 'Payees' },
  'payees.search': { zh: '按姓名、户名、学校或参考号查找', en: 'Find by name, holder, school or reference' },
  'payees.more': { zh: '加载更多', en: 'Load more' },
  'payees.download': { zh: '下载名单（CSV）', en: 'Download the list (CSV)' },
  'payees.students': { zh: '{0} 名学生', en: '{0} students' },
  'col.seq': { zh: '序号', en: 'No.' },
  'col.reference': { zh: '参考号', en: 'Reference' },
  'col.resident_id': { zh: '身份证号（脱敏）', en: 'Resident ID (masked)' },
  'confirm.approve': { zh: '确认审批：批次 {0}，共 {1} 笔，合计 {2}。审批后将占用预算，不能撤回。', en: 'Confirm approval: batch {0}, {1} payments, {2} in all. Approval commits the budget and cannot be undone.' },
  'confirm.yes': { zh: '确认', en: 'Confirm' },
  'confirm.no': { zh: '取消', en: 'Cancel' },
});

const BUREAU = ['bureau_officer', 'bureau_approver', 'auditor'];
NAV.bureau_officer.push(['objections', 'nav.objections'], ['budgets', 'nav.budgets'], ['payers', 'nav.payers'], ['decisions', 'nav.decisions']);
NAV.bureau_approver.push(['objections', 'nav.objections'], ['budgets', 'nav.budgets'], ['payers', 'nav.payers'], ['decisions', 'nav.decisions']);
NAV.auditor.push(['payers', 'nav.payers'], ['decisions', 'nav.decisions']);

/** A select of `[value, label key]` pairs. */
function choice(name, pairs, value) {
  const s = h('select', { name });
  pairs.forEach(([v, k]) => s.append(h('option', { value: v, selected: v === value }, t(k))));
  return s;
}

async function objectionsPage(main) {
  const status = choice('status', [['open', 'status.open'], ['upheld', 'status.upheld'], ['dismissed', 'status.dismissed'], ['', 'all']], 'open');
  const box = h('div', { id: 'objection-message' });
  const list = h('div', { id: 'objection-list' });
  await programmesLoaded();
  const officer = state.user.role === 'bureau_officer';
  const resolveForm = (o) => {
    const decision = choice('decision', [['dismissed', 'objections.dismissed'], ['upheld', 'objections.upheld']], 'dismissed');
    const reason = input('reason', { required: true, minlength: 5, 'aria-label': t('objections.reason') + ' #' + o.id, placeholder: t('objections.reason') });
    const button = h('button.secondary', { type: 'submit' }, t('objections.resolve'));
    return h('form', {
      onsubmit: async (ev) => {
        ev.preventDefault();
        const r = await attempt(box, button, () => api('POST', `/api/v1/objections/${o.id}/resolve`, { decision: decision.value, reason: reason.value }));
        if (r) load();
      },
    }, decision, ' ', reason, ' ', button);
  };
  const load = async () => {
    const q = status.value ? '?status=' + status.value : '';
    const r = await attempt(box, null, () => api('GET', '/api/v1/objections' + q));
    if (!r) return;
    list.replaceChildren(table([
      { key: 'id', label: 'col.id', num: true },
      { render: o => `${o.student} ${o.resident_id}`, label: 'col.name' },
      { render: o => programmeName(o.programme), label: 'col.programme' },
      { render: o => termName(o.term), label: 'col.term' },
      { render: o => o.school_name || o.school, label: 'col.school' },
      { key: 'raised_on', label: 'objections.raised' },
      { render: o => h('div.reason', {}, o.text), label: 'objections.text' },
      { render: o => o.holds_batch ? h('a', { href: '#/batch/' + o.holds_batch }, '#' + o.holds_batch) : '', label: 'objections.holds' },
      { render: o => badge(o.status), label: 'col.status' },
      { render: o => o.status === 'open' ? (officer ? resolveForm(o) : '') : `${o.resolved_by}：${o.resolution}`, label: 'objections.resolution' },
    ], r.objections, { name: 'objections' }));
  };
  main.append(h('h1', {}, t('objections.title')));
  main.append(h('form.card', { onsubmit: (ev) => { ev.preventDefault(); load(); } },
    h('div.row', {}, field('col.status', status), h('button.secondary', { type: 'submit' }, t('show'))), box));
  if (officer) {
    const rid = input('resident_id', { required: true, autocomplete: 'off', pattern: '[0-9Xx]{15,18}' });
    const programme = await programmeSelect('compulsory_nonboarding_allowance');
    const term = termField();
    const text = input('text', { required: true, minlength: 5 });
    const abox = h('div', { id: 'objection-added' });
    const add = h('button', { type: 'submit' }, t('objections.add'));
    main.append(h('form.card', {
      onsubmit: async (ev) => {
        ev.preventDefault();
        const r = await attempt(abox, add, () => api('POST', '/api/v1/objections', { resident_id: rid.value.trim(), programme: programme.value, term: term.value, text: text.value }));
        if (r) { abox.append(message('ok', t('objections.added', r.objection))); rid.value = ''; text.value = ''; load(); }
      },
    }, h('h2', {}, t('objections.add')), h('div.row', {}, field('objections.resident_id', rid), field('col.programme', programme), field('col.term', term), field('objections.text', text), add), abox));
  }
  main.append(list);
  await load();
}

async function budgetsPage(main) {
  const year = input('year', { value: state.term.slice(0, 4), pattern: '[0-9]{4}', required: true });
  const box = h('div', { id: 'budget-message' });
  const list = h('div', { id: 'budget-list' });
  await programmesLoaded();
  const load = async () => {
    const r = await attempt(box, null, () => api('GET', '/api/v1/budgets?year=' + encodeURIComponent(year.value)));
    if (!r) return;
    list.replaceChildren(table([
      { render: l => programmeName(l.programme), label: 'col.programme' },
      { key: 'region', label: 'col.region' },
      { render: l => t('funding.' + l.source), label: 'col.source' },
      { render: l => yuan(l.allocated), label: 'budget.allocated', num: true },
      { render: l => yuan(l.committed), label: 'budget.committed', num: true },
      { render: l => yuan(l.paid), label: 'budget.paid', num: true },
      { render: l => yuan(l.returned), label: 'budgets.returned', num: true },
      { render: l => yuan(l.available), label: 'budget.available', num: true },
    ], r.budgets, { name: 'budgets' }));
  };
  main.append(h('h1', {}, t('budgets.title')));
  main.append(h('form.card', { onsubmit: (ev) => { ev.preventDefault(); load(); } },
    h('div.row', {}, field('budgets.year', year), h('button.secondary', { type: 'submit' }, t('show'))), box));
  if (state.user.role === 'bureau_officer') {
    const file = h('input', { type: 'file', name: 'file', accept: '.csv,text/csv', required: true });
    const ibox = h('div', { id: 'budget-import' });
    const send = h('button', { type: 'submit' }, t('budgets.import'));
    main.append(h('form.card', {
      onsubmit: async (ev) => {
        ev.preventDefault();
        const r = await upload('/api/v1/budgets', file, ibox, send);
        if (r) { ibox.append(message('ok', t('budgets.imported', r.lines))); load(); }
      },
    }, h('h2', {}, t('budgets.import')), h('p.muted', {}, t('budgets.format'), ' ', h('code', {}, 'programme,region,fiscal_year,source,allocated')), h('div.row', {}, field('budgets.file', file), send), ibox));
  }
  main.append(list);
  await load();
}

async function payersPage(main) {
  const box = h('div', { id: 'payer-message' });
  const list = h('div', { id: 'payer-list' });
  const officer = state.user.role === 'bureau_officer';
  const form = (p) => {
    const account = input('account', { required: true, value: p.inherited ? '' : p.account, inputmode: 'numeric', autocomplete: 'off', 'aria-label': t('payers.account') + ' ' + p.bank_code });
    const name = input('name', { required: true, value: p.inherited ? '' : p.name, 'aria-label': t('payers.name') + ' ' + p.bank_code });
    const save = h('button.secondary', { type: 'submit' }, t('payers.save'));
    return h('form', {
      'data-bank': p.bank_code,
      onsubmit: async (ev) => {
        ev.preventDefault();
        const r = await attempt(box, save, () => api('PUT', '/api/v1/payers/' + encodeURIComponent(p.bank_code), { account: account.value, name: name.value }));
        if (r) { await load(); box.append(message('ok', t('payers.saved', `${r.bank_name}（${r.bank_code}）`, r.account, r.name))); }
      },
    }, account, ' ', name, ' ', save);
  };
  const load = async () => {
    const r = await attempt(box, null, () => api('GET', '/api/v1/payers'));
    if (!r) return;
    box.replaceChildren();
    const whose = p => !p.account ? t('payers.none') : p.inherited ? t('payers.inherited', p.region) : p.region;
    const columns = [
      { render: p => `${p.bank_name}（${p.bank_code}）`, label: 'payers.bank' },
      { render: p => p.account || t('payers.none'), label: 'payers.account' },
      { render: p => p.name, label: 'payers.name' },
      { render: whose, label: 'payers.whose' },
    ];
    if (officer) columns.push({ render: form, label: 'payers.change' });
    list.replaceChildren(scrollBox(table(columns, r.payers, { name: 'payers' })));
  };
  main.append(h('h1', {}, t('payers.title')), h('p.muted', {}, t('payers.help')), box, list);
  await load();
}

async function decisionsPage(main) {
  const term = termField();
  const status = choice('status', [['held', 'status.held'], ['excluded', 'status.excluded']], 'held');
  const box = h('div', { id: 'decision-message' });
  const list = h('div', { id: 'decision-list' });
  await programmesLoaded();
  const load = async () => {
    const q = `?term=${encodeURIComponent(term.value)}&status=${status.value}`;
    const r = await attempt(box, null, () => api('GET', '/api/v1/decisions' + q));
    if (!r) return;
    list.replaceChildren(h('p', {}, t('decisions.total', r.total)), table([
      { render: d => programmeName(d.programme), label: 'col.programme' },
      { render: d => h('div.reason', {}, d.reason), label: 'col.reason' },
      { key: 'count', label: 'col.count', num: true },
    ], r.reasons, { name: 'decisions' }));
  };
  main.append(h('h1', {}, t('decisions.title')), h('p.muted', {}, t('decisions.help')));
  main.append(h('form.card', { onsubmit: (ev) => { ev.preventDefault(); load(); } },
    h('div.row', {}, field('col.term', term), field('col.status', status), h('button.secondary', { type: 'submit' }, t('show'))), box));
  main.append(list);
  await load();
}

/** The payees of batch `b`, 50 at a time, searchable, downloadable as CSV. */
async function batchPayeesSection(main, b) {
  if (!BUREAU.includes(state.user.role)) return;
  const search = input('search', { type: 'search', placeholder: t('payees.search'), 'aria-label': t('payees.search') });
  const box = h('div');
  const list = h('div', { id: 'payee-list' });
  let rows = [];
  let after = 0;
  const more = h('button.secondary', { type: 'button', hidden: true }, t('payees.more'));
  const columns = [
    { key: 'seq', label: 'col.seq', num: true },
    { render: p => p.payee === 'school' ? `${p.name}（${t('payees.students', p.students)}）` : p.name, label: 'col.name' },
    { key: 'resident_id', label: 'col.resident_id' },
    { render: p => p.school_name || p.school, label: 'col.school' },
    { key: 'holder', label: 'col.holder' }, { key: 'account', label: 'col.account' },
    { render: p => yuan(p.amount), label: 'col.amount', num: true },
    { render: p => badge(p.state), label: 'col.status' },
    { render: p => h('code', {}, p.reference), label: 'col.reference' },
  ];
  const fetchPage = async (from) => {
    const q = `?limit=50&after=${from}` + (search.value ? '&search=' + encodeURIComponent(search.value) : '');
    return attempt(box, more, () => api('GET', `/api/v1/batches/${b.id}/payees${q}`));
  };
  const draw = (r) => {
    rows = rows.concat(r.payees);
    after = r.next_after || 0;
    more.hidden = !r.next_after;
    list.replaceChildren(table(columns, rows, { name: 'payees', pageSize: 50 }));
  };
  const reload = async () => { rows = []; const r = await fetchPage(0); if (r) draw(r); };
  more.onclick = async () => { const r = await fetchPage(after); if (r) draw(r); };
  const download = h('button.secondary', {
    type: 'button',
    onclick: async () => {
      let all = [], from = 0;
      for (;;) {
        const r = await attempt(box, null, () => api('GET', `/api/v1/batches/${b.id}/payees?limit=1000&after=${from}`));
        if (!r) return;
        all = all.concat(r.payees);
        if (!r.next_after) break;
        from = r.next_after;
      }
      // Spreadsheet programs read a leading = + - @ as a formula: such a cell gets a quote first.
      const cell = v => { let s = String(v === undefined ? '' : v); if (/^[=+\-@\t\r]/.test(s)) s = "'" + s; return '"' + s.replace(/"/g, '""') + '"'; };
      const head = ['col.seq', 'col.name', 'col.resident_id', 'col.school', 'col.holder', 'col.account', 'col.amount', 'col.status', 'col.reference'].map(k => t(k));
      const lines = [head.map(cell).join(',')].concat(all.map(p => [p.seq, p.name, p.resident_id, p.school_name || p.school, p.holder, p.account, p.amount, t('status.' + p.state), p.reference].map(cell).join(',')));
      const blob = new Blob(['\ufeff' + lines.join('\r\n') + '\r\n'], { type: 'text/csv;charset=utf-8' });
      const a = h('a', { href: URL.createObjectURL(blob), download: `batch-${b.id}-payees.csv` });
      document.body.append(a);
      a.click();
      a.remove();
    },
  }, t('payees.download'));
  main.append(h('h2', {}, t('payees.title')),
    h('form.row', { onsubmit: (ev) => { ev.preventDefault(); reload(); } }, search, h('button.secondary', { type: 'submit' }, t('show')), download),
    box, list, more);
  await reload();
}

/** Approving restates what is approved; the approval is sent only after the second click. */
function confirmApproval(b, box, send) {
  const yes = h('button', { type: 'button', onclick: (ev) => send(ev.target) }, t('confirm.yes'));
  const no = h('button.secondary', { type: 'button', onclick: () => box.replaceChildren() }, t('confirm.no'));
  box.replaceChildren(h('div.card.confirm', { role: 'alertdialog', 'aria-label': t('batch.approve') },
    h('p', {}, t('confirm.approve', b.id, b.payments, yuan(b.total))), h('div.row', {}, yes, no)));
  yes.focus();
}

Object.assign(PAGES, { objections: objectionsPage, budgets: budgetsPage, payers: payersPage, decisions: decisionsPage });
