// The console's side of the families' channel: county officers list, assign, note and close
// complaints and act on confirmed ones; approvers and auditors read them and the report; schools
// print the slips that tell families where to look. Loaded after app.js; adds its pages, menu
// entries and texts. Complaint text is shown as text only: nothing typed becomes a link.
'use strict';

Object.assign(I18N, {
  'nav.complaints': { zh: '投诉举报', en: 'Complaints' },
  'nav.slips': { zh: '查询告知单', en: 'Family slips' },
  'complaints.title': { zh: '家长投诉、举报', en: "Families' complaints" },
  'complaints.help': { zh: '逾期未办结的排在最前。办结期限按工作日计算（节假日顺延）。', en: 'Overdue first. Due dates count working days on the holiday calendar.' },
  'complaints.report': { zh: '统计', en: 'Report' },
  'complaints.report_line': { zh: '共 {0} 件，未办结 {1} 件（逾期 {2} 件），已办结 {3} 件，平均 {4} 天办结', en: '{0} in all, {1} open ({2} overdue), {3} closed, {4} days to close on average' },
  'complaint.title': { zh: '投诉 #{0}', en: 'Complaint #{0}' },
  'complaint.text': { zh: '投诉内容', en: 'What was reported' },
  'complaint.contact': { zh: '联系方式', en: 'Contact' },
  'complaint.anonymous': { zh: '匿名', en: 'anonymous' },
  'complaint.assign': { zh: '分派', en: 'Assign' },
  'complaint.assign_to': { zh: '分派给（经办人用户名）', en: 'Assign to (officer user name)' },
  'complaint.note': { zh: '核查记录', en: 'Investigation note' },
  'complaint.add_note': { zh: '添加记录', en: 'Add note' },
  'complaint.outcome': { zh: '办理结果', en: 'Outcome' },
  'complaint.outcome_text': { zh: '答复投诉人（投诉人凭查询码可见）', en: 'Answer to the complainant (shown by tracking code)' },
  'complaint.close': { zh: '办结', en: 'Close' },
  'complaint.notes': { zh: '核查记录', en: 'Notes' },
  'complaint.links': { zh: '已采取的措施', en: 'Actions taken' },
  'complaint.act': { zh: '对属实的投诉采取措施', en: 'Act on a confirmed complaint' },
  'complaint.hold': { zh: '暂停发放该生未发的资助', en: "Hold the child's open entitlements" },
  'complaint.flag': { zh: '在发放批次上标记疑点', en: 'Flag the payment in its batch' },
  'complaint.objection': { zh: '登记异议', en: 'Open an objection' },
  'complaint.done': { zh: '已保存', en: 'Saved' },
  'outcome.confirmed': { zh: '属实', en: 'Confirmed' },
  'outcome.not_confirmed': { zh: '不属实', en: 'Not confirmed' },
  'outcome.referred': { zh: '转交其他部门', en: 'Referred' },
  'cstatus.open': { zh: '待分派', en: 'Open' },
  'cstatus.assigned': { zh: '核查中', en: 'Assigned' },
  'cstatus.closed': { zh: '已办结', en: 'Closed' },
  'complaint.overdue': { zh: '逾期', en: 'overdue' },
  'ccat.not_paid': { zh: '应发未发', en: 'not paid' },
  'ccat.wrong_account': { zh: '发到了别人的账户', en: 'paid to a wrong account' },
  'ccat.amount_wrong': { zh: '金额不对', en: 'amount wrong' },
  'ccat.ineligible_paid': { zh: '不符合条件的人领取', en: 'someone ineligible paid' },
  'ccat.school_charged': { zh: '学校收费或截留', en: 'charged by the school' },
  'ccat.other': { zh: '其他', en: 'other' },
  'col.due': { zh: '办结期限', en: 'Due' },
  'col.filed': { zh: '受理日期', en: 'Filed' },
  'col.county': { zh: '县（市、区）', en: 'County' },
  'col.kind': { zh: '类别', en: 'Kind' },
  'col.student': { zh: '学生（脱敏）', en: 'Student (masked)' },
  'col.assignee': { zh: '经办人', en: 'Assigned to' },
  'col.outcome': { zh: '结果', en: 'Outcome' },
  'slips.title': { zh: '学生资助查询告知单', en: 'Slips for families' },
  'slips.help': { zh: '每名学生一张，印有查询网址和二维码（不含学生信息），随公示一并发给家长。', en: 'One slip per student with the page address and a QR code (no personal data in the link), to hand out with the notice.' },
  'slips.open': { zh: '打开可打印的告知单', en: 'Open the printable slips' },
});

NAV.bureau_officer.push(['complaints', 'nav.complaints']);
NAV.bureau_approver.push(['complaints', 'nav.complaints']);
NAV.auditor.push(['complaints', 'nav.complaints']);
NAV.school_admin.push(['slips', 'nav.slips']);

function complaintBadge(c) {
  return h('span', {}, h('span.badge.' + c.status, {}, t('cstatus.' + c.status)),
    c.overdue ? h('span.badge.rejected', {}, t('complaint.overdue')) : null);
}

PAGES.complaints = async function complaintsPage(main) {
  const list = await api('GET', '/api/v1/complaints');
  const r = await api('GET', '/api/v1/reports/complaints');
  main.append(h('h1', {}, t('complaints.title')), h('p.muted', {}, t('complaints.help')),
    h('div.card', { 'data-report': 'complaints' }, h('h2', {}, t('complaints.report')),
      h('p', {}, t('complaints.report_line', r.total, r.open, r.overdue, r.closed, Number(r.mean_days_to_close).toFixed(1))),
      h('p.muted', {}, Object.entries(r.by_category).map(([k, v]) => `${t('ccat.' + k)}：${v}`).join(' · '))),
    table([
      { render: c => h('a', { href: '#/complaint/' + c.id }, '#' + c.id), label: 'col.id' },
      { render: c => t('ccat.' + c.category), label: 'col.kind' },
      { key: 'region', label: 'col.county' },
      { key: 'student', label: 'col.student' },
      { key: 'filed_on', label: 'col.filed' },
      { key: 'due_on', label: 'col.due' },
      { render: complaintBadge, label: 'col.status' },
      { key: 'assigned_to', label: 'col.assignee' },
      { render: c => c.outcome ? t('outcome.' + c.outcome) : '', label: 'col.outcome' },
    ], list.complaints, { name: 'complaints' }));
};

PAGES.complaint = async function complaintPage(main, id) {
  const c = await api('GET', '/api/v1/complaints/' + encodeURIComponent(id));
  const box = h('div', { id: 'complaint-result' });
  const reload = () => route();
  main.append(h('h1', {}, t('complaint.title', c.id), ' ', complaintBadge(c)),
    h('div.card', {},
      h('p', {}, t('ccat.' + c.category), ' · ', c.region, c.school ? ' · ' + c.school : '', c.student ? ' · ' + c.student : ''),
      h('p', {}, t('col.filed'), '：', c.filed_on, ' · ', t('col.due'), '：', c.due_on),
      h('h2', {}, t('complaint.text')),
      h('p.complaint-text', { style: 'white-space: pre-wrap' }, c.text),
      h('p.muted', {}, t('complaint.contact'), '：', c.anonymous ? t('complaint.anonymous') : c.contact),
      c.outcome ? h('p', {}, t('complaint.outcome'), '：', t('outcome.' + c.outcome), ' — ', c.outcome_text) : null));
  main.append(h('h2', {}, t('complaint.notes')),
    h('ul', { id: 'complaint-notes' }, c.notes.map(n => h('li', {}, `${n.at} ${n.author}：`, n.text))));
  if (c.links.length) {
    main.append(h('h2', {}, t('complaint.links')), table([
      { key: 'kind', label: 'col.kind' }, { key: 'programme', label: 'col.programme' }, { key: 'term', label: 'col.term' },
      { render: l => l.flag ? 'flag ' + l.flag : (l.objection ? 'objection ' + l.objection : 'entitlement ' + l.entitlement), label: 'col.id' },
      { key: 'status', label: 'col.status' },
    ], c.links, { name: 'links' }));
  }
  main.append(box);
  if (state.user.role !== 'bureau_officer') return;
  if (c.status !== 'closed') {
    const to = input('to', { value: state.user.name, required: true });
    const assign = h('button', { type: 'submit' }, t('complaint.assign'));
    const note = h('textarea', { name: 'note', required: true, maxlength: 2000 });
    const addNote = h('button', { type: 'submit' }, t('complaint.add_note'));
    const outcome = select('outcome', [['confirmed', t('outcome.confirmed')], ['not_confirmed', t('outcome.not_confirmed')], ['referred', t('outcome.referred')]], 'confirmed');
    const answer = h('textarea', { name: 'outcome_text', required: true, maxlength: 2000 });
    const close = h('button', { type: 'submit' }, t('complaint.close'));
    main.append(
      h('form.card', { id: 'assign-form', onsubmit: async (ev) => { ev.preventDefault(); if (await attempt(box, assign, () => api('POST', `/api/v1/complaints/${c.id}/assign`, { to: to.value }))) reload(); } },
        h('div.row', {}, field('complaint.assign_to', to), assign)),
      h('form.card', { id: 'note-form', onsubmit: async (ev) => { ev.preventDefault(); if (await attempt(box, addNote, () => api('POST', `/api/v1/complaints/${c.id}/notes`, { text: note.value }))) reload(); } },
        h('div.row', {}, field('complaint.note', note), addNote)),
      h('form.card', { id: 'close-form', onsubmit: async (ev) => { ev.preventDefault(); if (await attempt(box, close, () => api('POST', `/api/v1/complaints/${c.id}/close`, { outcome: outcome.value, text: answer.value }))) reload(); } },
        h('div.row', {}, field('complaint.outcome', outcome), field('complaint.outcome_text', answer), close)));
  } else if (c.outcome === 'confirmed' && c.student) {
    const programme = await programmeSelect();
    const term = termField();
    const act = (kind) => async (ev) => {
      const r = await attempt(box, ev.target, () => api('POST', `/api/v1/complaints/${c.id}/actions`, { kind, programme: programme.value, term: term.value }));
      if (r) reload();
    };
    main.append(h('div.card', { id: 'act-form' }, h('h2', {}, t('complaint.act')),
      h('div.row', {}, h('button', { type: 'button', onclick: act('hold') }, t('complaint.hold'))),
      h('div.row', {}, field('col.programme', programme), field('col.term', term),
        h('button.secondary', { type: 'button', onclick: act('flag') }, t('complaint.flag')),
        h('button.secondary', { type: 'button', onclick: act('objection') }, t('complaint.objection')))));
  }
};

PAGES.slips = async function slipsPage(main) {
  const code = state.user.scope;
  main.append(h('h1', {}, t('slips.title')), h('div.card', {}, h('p.muted', {}, t('slips.help')),
    h('a', { href: '/api/v1/schools/' + encodeURIComponent(code) + '/slips', target: '_blank', rel: 'noopener', id: 'slips-link' }, t('slips.open'))));
};
