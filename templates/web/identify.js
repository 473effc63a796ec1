// The identification of needy students (资助对象认定) in the console: the school's pages
// (applications, class assessment, review, notice, spot checks) and the county's (review,
// outliers). Loaded after app.js; it adds its pages, menu entries and words to the console's.
'use strict';

Object.assign(I18N, {
  'role.school_approver': { zh: '学校认定审核人', en: 'School approver' },
  'nav.ident': { zh: '困难认定', en: 'Identification' },
  'nav.identcounty': { zh: '认定复核', en: 'Identification review' },
  'id.title': { zh: '家庭经济困难学生认定', en: 'Identifying students in financial difficulty' },
  'id.county_title': { zh: '认定结果复核与抽查', en: 'County review and spot checks' },
  'id.open': { zh: '开始本学年认定', en: 'Open the year\'s identification' },
  'id.year': { zh: '学年（起始年）', en: 'Academic year (first year)' },
  'id.date': { zh: '认定基准日', en: 'Identification date' },
  'id.rounds': { zh: '认定批次', en: 'Rounds' },
  'id.apply': { zh: '录入认定申请', en: 'Enter an application' },
  'id.rid': { zh: '学生身份证号', en: 'Student resident ID' },
  'id.members': { zh: '家庭人口', en: 'Household members' },
  'id.income': { zh: '家庭人均收入档次', en: 'Income band' },
  'id.details': { zh: '家庭情况说明（加密保存）', en: 'Family situation (stored encrypted)' },
  'id.commitment': { zh: '承诺书签署日期', en: 'Commitment signed on' },
  'id.notes': { zh: '佐证材料说明', en: 'Evidence notes' },
  'id.indicators': { zh: '认定指标', en: 'Indicators' },
  'id.submit_apply': { zh: '保存申请', en: 'Save application' },
  'id.change': { zh: '动态调整（学年中家庭情况变化）', en: 'Change during the year' },
  'id.from': { zh: '调整生效日期', en: 'Effective from' },
  'id.change_reason': { zh: '调整原因', en: 'Reason for the change' },
  'id.cases': { zh: '认定名单', en: 'Cases' },
  'id.assess': { zh: '班级评议', en: 'Class assessment' },
  'id.teacher': { zh: '班主任', en: 'Class teacher' },
  'id.reps': { zh: '学生代表（逗号分隔）', en: 'Student representatives (comma-separated)' },
  'id.level': { zh: '认定等级', en: 'Level' },
  'id.reason': { zh: '理由', en: 'Reason' },
  'id.save_assess': { zh: '保存评议结果', en: 'Save assessment' },
  'id.approve': { zh: '审核通过', en: 'Approve' },
  'id.decide_other': { zh: '改定等级', en: 'Decide another level' },
  'id.notice': { zh: '发布校内公示', en: 'Publish the notice' },
  'id.notice_done': { zh: '公示 {0}：{1} 名学生，至 {2}（仅姓名、班级、等级）', en: 'Notice {0}: {1} students until {2} (name, class, level only)' },
  'id.file': { zh: '公示期满，归档上报', en: 'File after the notice' },
  'id.object': { zh: '记录异议', en: 'Record an objection' },
  'id.object_open': { zh: '提出异议', en: 'Object' },
  'id.objection_text': { zh: '异议内容', en: 'Objection' },
  'id.objections': { zh: '异议', en: 'Objections' },
  'id.resolve': { zh: '处理异议', en: 'Resolve' },
  'id.upheld': { zh: '异议成立', en: 'Upheld' },
  'id.dismissed': { zh: '异议不成立', en: 'Dismissed' },
  'id.notices': { zh: '公示记录', en: 'Notices' },
  'id.spot': { zh: '抽查核实', en: 'Spot checks' },
  'id.seed': { zh: '随机种子', en: 'Seed' },
  'id.percent': { zh: '抽查比例（%）', en: 'Share (%)' },
  'id.draw': { zh: '抽取样本', en: 'Draw the sample' },
  'id.outcome': { zh: '核实结果', en: 'Outcome' },
  'id.note': { zh: '核实情况', en: 'What the visit found' },
  'id.record': { zh: '记录结果', en: 'Record' },
  'id.accept': { zh: '复核通过', en: 'Accept' },
  'id.send_back': { zh: '退回学校', en: 'Send back' },
  'id.outliers': { zh: '异常提示', en: 'Outliers' },
  'id.county_load': { zh: '查看', en: 'Show' },
  'idc.class': { zh: '班级', en: 'Class' },
  'idc.kind': { zh: '类型', en: 'Kind' },
  'idc.state': { zh: '状态', en: 'State' },
  'idc.score': { zh: '得分', en: 'Score' },
  'idc.proposed': { zh: '评议等级', en: 'Panel' },
  'idc.level': { zh: '认定等级', en: 'Level' },
  'idc.school_name': { zh: '学校', en: 'School' },
  'idc.enrolled': { zh: '在校生', en: 'Enrolled' },
  'idc.identified': { zh: '认定人数', en: 'Identified' },
  'idc.special': { zh: '特殊群体', en: 'Special groups' },
  'idc.share': { zh: '认定比例', en: 'Share' },
  'idc.case': { zh: '认定记录', en: 'Case' },
  'idc.year': { zh: '学年', en: 'Year' },
  'idc.text': { zh: '内容', en: 'Text' },
  'idc.window': { zh: '公示截止', en: 'Window ends' },
  'id.kind.special': { zh: '特殊群体（免申请）', en: 'Special group (no application)' },
  'id.kind.application': { zh: '个人申请', en: 'Application' },
  'id.kind.change': { zh: '动态调整', en: 'Change during the year' },
  'id.state.applied': { zh: '待评议', en: 'Applied' },
  'id.state.assessed': { zh: '待审核', en: 'Assessed' },
  'id.state.decided': { zh: '待公示', en: 'Decided' },
  'id.state.noticed': { zh: '公示中', en: 'Noticed' },
  'id.state.filed': { zh: '已归档', en: 'Filed' },
  'id.state.revoked': { zh: '已撤销', en: 'Revoked' },
  'id.round.open': { zh: '认定中', en: 'Open' },
  'id.round.submitted': { zh: '已上报', en: 'Submitted' },
  'id.round.accepted': { zh: '复核通过', en: 'Accepted' },
  'id.round.sent_back': { zh: '已退回', en: 'Sent back' },
  'id.lv.none': { zh: '不认定', en: 'Not identified' },
  'id.lv.generally': { zh: '一般困难', en: 'Generally difficult' },
  'id.lv.difficult': { zh: '困难', en: 'Difficult' },
  'id.lv.especially': { zh: '特别困难', en: 'Especially difficult' },
  'id.out.confirmed': { zh: '情况属实', en: 'Confirmed' },
  'id.out.level_changed': { zh: '调整等级', en: 'Level changed' },
  'id.out.false_information': { zh: '信息虚假（撤销认定）', en: 'False information (revoked)' },
});

NAV.school_admin.push(['ident', 'nav.ident']);
NAV.school_approver = [['ident', 'nav.ident']];
NAV.bureau_officer.push(['identcounty', 'nav.identcounty']);
NAV.bureau_approver.push(['identcounty', 'nav.identcounty']);
NAV.auditor.push(['identcounty', 'nav.identcounty']);

const ID_LEVELS = ['none', 'generally', 'difficult', 'especially'];
function lvName(l) { return l ? t('id.lv.' + l) : ''; }
function levelSelect(name, value) { return select(name, ID_LEVELS.map(l => [l, lvName(l)]), value); }
function academicYear(d) { const y = d.getFullYear(); return d.getMonth() + 1 >= 8 ? y : y - 1; }

async function identPage(main, arg) {
  if (arg) return identRoundPage(main, Number(arg));
  main.append(h('h1', {}, t('id.title')));
  const box = h('div');
  if (state.user.role === 'school_admin') {
    const year = input('year', { value: String(academicYear(new Date())), inputmode: 'numeric', required: true });
    const date = input('date', { type: 'date', value: academicYear(new Date()) + '-09-01', required: true });
    const button = h('button', { type: 'submit' }, t('id.open'));
    main.append(h('form.card', {
      'data-form': 'ident-open',
      onsubmit: async (ev) => {
        ev.preventDefault();
        const r = await attempt(box, button, () => api('POST', '/api/v1/identification/rounds',
          { school: state.user.scope, academic_year: Number(year.value), identification_date: date.value }));
        if (r) location.hash = '#/ident/' + r.id;
      },
    }, h('div.row', {}, field('id.year', year), field('id.date', date), button), box));
  }
  const r = await api('GET', '/api/v1/identification/rounds');
  main.append(h('h2', {}, t('id.rounds')), table([
    { label: 'idc.year', render: x => h('a', { href: '#/ident/' + x.id }, x.academic_year + '–' + (x.academic_year + 1)) },
    { label: 'idc.school_name', key: 'school_name' },
    { label: 'id.date', key: 'identification_date' },
    { label: 'idc.state', render: x => t('id.round.' + x.status) },
  ], r.rounds, { name: 'ident-rounds' }));
}

function indicatorBoxes(indicators, name, checked) {
  return h('fieldset.indicators', {},
    h('legend', {}, t('id.indicators')),
    indicators.map(i => h('label.check', {},
      h('input', { type: 'checkbox', name, value: i.code, checked: checked && checked.includes(i.code) }),
      ` ${state.lang === 'zh' ? i.name_zh : (i.name_en || i.name_zh)}（${i.points}）`)));
}
function checkedCodes(form, name) {
  return Array.from(form.querySelectorAll(`input[name="${name}"]:checked`)).map(x => x.value);
}

async function identRoundPage(main, id) {
  const r = await api('GET', '/api/v1/identification/rounds/' + id);
  const role = state.user.role;
  const reload = () => route();
  main.append(h('h1', {}, `${t('id.title')} · ${r.school_name} ${r.academic_year}–${r.academic_year + 1}`),
    h('p', { 'data-round-status': r.status }, `${t('idc.state')}：${t('id.round.' + r.status)} · ${t('id.date')}：${r.identification_date}`,
      r.review_reason ? ` · ${r.review_reason}` : ''));
  const top = h('div');
  main.append(top);
  const indicators = r.indicators || [];

  if (role === 'school_admin') {
    // Before filing: an application; after: a change during the year (动态调整) from a date.
    const change = !(r.status === 'open' || r.status === 'sent_back');
    const box = h('div');
    const from = input('effective_from', { type: 'date', required: change });
    const why = input('change_reason', { required: change });
    const rid = input('resident_id', { required: true, autocomplete: 'off' });
    const members = input('members', { inputmode: 'numeric', required: true, value: '4' });
    const income = input('income_band', {});
    const details = h('textarea', { name: 'details', rows: 2 });
    const commitment = input('commitment_date', { type: 'date', required: true });
    const notes = input('notes', {});
    const button = h('button', { type: 'submit' }, t('id.submit_apply'));
    const form = h('form.card', {
      'data-form': 'ident-apply',
      onsubmit: async (ev) => {
        ev.preventDefault();
        const ok = await attempt(box, button, () => api('POST', `/api/v1/identification/rounds/${id}/applications`, {
          resident_id: rid.value.trim(), members: Number(members.value), income_band: income.value,
          indicators: checkedCodes(form, 'apply-ind'), details: details.value,
          commitment_date: commitment.value, notes: notes.value,
          kind: change ? 'change' : 'application', effective_from: from.value, change_reason: why.value }));
        if (ok) reload();
      },
    }, h('h2', {}, t(change ? 'id.change' : 'id.apply')),
    h('div.row', {}, field('id.rid', rid), field('id.members', members), field('id.income', income), field('id.commitment', commitment)),
    change ? h('div.row', {}, field('id.from', from), field('id.change_reason', why)) : null,
    indicatorBoxes(indicators, 'apply-ind'), field('id.details', details), field('id.notes', notes), button, box);
    main.append(form);
  }

  const caseAction = (c) => {
    const cell = h('div.actions');
    const box = h('div');
    if (role === 'school_admin' && c.kind !== 'special' && (c.state === 'applied' || c.state === 'assessed')) {
      const teacher = input('teacher', { value: c.panel_teacher || '' });
      const reps = input('representatives', { value: c.panel_representatives ? c.panel_representatives.split('、').join(',') : '' });
      const level = levelSelect('level', c.proposed_level || 'none');
      const reason = input('reason', { value: c.panel_reason || '' });
      const button = h('button', { type: 'submit' }, t('id.save_assess'));
      const form = h('form.inline', {
        'data-form': 'ident-assess-' + c.id,
        onsubmit: async (ev) => {
          ev.preventDefault();
          const ok = await attempt(box, button, () => api('POST', `/api/v1/identification/cases/${c.id}/assessment`, {
            indicators: checkedCodes(form, 'as-ind-' + c.id), class_teacher: teacher.value,
            representatives: reps.value, level: level.value, reason: reason.value }));
          if (ok) reload();
        },
      }, h('details', {}, h('summary', {}, t('id.assess')), indicatorBoxes(indicators, 'as-ind-' + c.id),
        h('div.row', {}, field('id.teacher', teacher), field('id.reps', reps), field('id.level', level), field('id.reason', reason), button)), box);
      cell.append(form);
    }
    if (role === 'school_approver' && c.state === 'assessed') {
      const approve = h('button', { type: 'button', 'data-action': 'approve-' + c.id,
        onclick: async (ev) => { if (await attempt(box, ev.target, () => api('POST', `/api/v1/identification/cases/${c.id}/decision`, {}))) reload(); } }, t('id.approve'));
      const level = levelSelect('level', c.proposed_level);
      const reason = input('reason', {});
      const other = h('button.secondary', { type: 'button',
        onclick: async (ev) => { if (await attempt(box, ev.target, () => api('POST', `/api/v1/identification/cases/${c.id}/decision`, { level: level.value, reason: reason.value }))) reload(); } }, t('id.decide_other'));
      cell.append(approve, h('details', {}, h('summary', {}, t('id.level') + '…'), h('div.row', {}, field('id.level', level), field('id.reason', reason), other)));
    }
    if ((role === 'school_admin' || role === 'school_approver') && (c.state === 'noticed' || c.state === 'filed')) {
      const text = input('text', {});
      const button = h('button.secondary', { type: 'submit' }, t('id.object'));
      cell.append(h('form.inline', {
        'data-form': 'ident-object-' + c.id,
        onsubmit: async (ev) => {
          ev.preventDefault();
          if (await attempt(box, button, () => api('POST', `/api/v1/identification/cases/${c.id}/objections`, { text: text.value }))) reload();
        },
      }, h('details', {}, h('summary', {}, t('id.object_open')), h('div.row', {}, field('id.objection_text', text), button))));
    }
    cell.append(box);
    return cell;
  };
  main.append(h('h2', {}, t('id.cases')), table([
    { label: 'col.name', key: 'name' },
    { label: 'idc.class', key: 'class' },
    { label: 'idc.kind', render: c => t('id.kind.' + c.kind) + (c.category ? `（${c.category}）` : '') },
    { label: 'idc.state', render: c => h('span', { 'data-case-state': c.state }, t('id.state.' + c.state)) },
    { label: 'idc.score', num: true, render: c => c.score === undefined ? '' : String(c.score) },
    { label: 'idc.proposed', render: c => lvName(c.proposed_level) + (c.panel_reason ? `（${c.panel_reason}）` : '') },
    { label: 'idc.level', render: c => h('span', { 'data-case-level': c.level || '' }, lvName(c.level)) },
    { label: 'col.action', render: caseAction },
  ], r.cases, { name: 'ident-cases', pageSize: 50 }));

  // Objections and their resolution (the approver).
  const objRows = r.objections || [];
  main.append(h('h2', {}, t('id.objections')), table([
    { label: 'idc.case', key: 'case' },
    { label: 'idc.text', key: 'text' },
    { label: 'idc.state', render: o => t('id.' + (o.status === 'open' ? 'objections' : o.status)) + (o.resolution ? `：${o.resolution}` : '') },
    { label: 'col.action', render: o => {
      if (role !== 'school_approver' || o.status !== 'open') return '';
      const box = h('div');
      const decision = select('decision', [['dismissed', t('id.dismissed')], ['upheld', t('id.upheld')]], 'dismissed');
      const level = levelSelect('level', 'none');
      const reason = input('reason', { required: true });
      const button = h('button', { type: 'submit' }, t('id.resolve'));
      return h('form.inline', {
        'data-form': 'ident-resolve-' + o.id,
        onsubmit: async (ev) => {
          ev.preventDefault();
          if (await attempt(box, button, () => api('POST', `/api/v1/identification/objections/${o.id}/resolve`,
            { decision: decision.value, level: level.value, reason: reason.value }))) reload();
        },
      }, h('div.row', {}, field('id.outcome', decision), field('id.level', level), field('id.reason', reason), button), box);
    } },
  ], objRows, { name: 'ident-objections' }));

  // The notice and the filing (the school's administrator).
  if (role === 'school_admin') {
    const box = h('div');
    const notice = h('button', { type: 'button', 'data-action': 'ident-notice',
      onclick: async (ev) => {
        const n = await attempt(box, ev.target, () => api('POST', `/api/v1/identification/rounds/${id}/notice`));
        if (n) {
          box.append(message('ok', t('id.notice_done', n.notice, n.entries, n.window_ends)),
            table([{ label: 'col.name', key: 'name' }, { label: 'idc.class', key: 'class' }, { label: 'idc.level', key: 'level' }], n.lines, { name: 'ident-notice-lines' }));
        }
      } }, t('id.notice'));
    const file = h('button', { type: 'button', 'data-action': 'ident-file',
      onclick: async (ev) => { if (await attempt(box, ev.target, () => api('POST', `/api/v1/identification/rounds/${id}/file`))) reload(); } }, t('id.file'));
    top.append(h('div.card', {}, notice, ' ', file, box));
  }
  main.append(h('h2', {}, t('id.notices')), table([
    { label: 'id.notices', key: 'id' },
    { label: 'id.date', key: 'published_on' },
    { label: 'idc.window', key: 'window_ends' },
    { label: 'idc.identified', key: 'entries', num: true },
  ], r.notices || [], { name: 'ident-notices' }));
  main.append(h('h2', {}, t('id.spot')), spotTable(r, reload));
}

function spotTable(r, reload) {
  const role = state.user.role;
  const byCase = Object.fromEntries((r.cases || []).map(c => [c.id, c]));
  return table([
    { label: 'idc.case', render: s => byCase[s.case] ? `${byCase[s.case].name}（${byCase[s.case].class}）` : String(s.case) },
    { label: 'id.seed', key: 'seed' },
    { label: 'id.outcome', render: s => h('span', { 'data-spot-outcome': s.outcome || '' }, s.outcome ? t('id.out.' + s.outcome) + (s.note ? `：${s.note}` : '') : '') },
    { label: 'col.action', render: s => {
      if (role !== 'bureau_officer' || s.outcome) return '';
      const box = h('div');
      const outcome = select('outcome', ['confirmed', 'level_changed', 'false_information'].map(o => [o, t('id.out.' + o)]), 'confirmed');
      const level = levelSelect('level', 'none');
      const note = input('note', {});
      const button = h('button', { type: 'submit' }, t('id.record'));
      return h('form.inline', {
        'data-form': 'ident-spot-' + s.id,
        onsubmit: async (ev) => {
          ev.preventDefault();
          if (await attempt(box, button, () => api('POST', `/api/v1/identification/spot-checks/${s.id}`,
            { outcome: outcome.value, level: level.value, note: note.value }))) reload();
        },
      }, h('div.row', {}, field('id.outcome', outcome), field('id.level', level), field('id.note', note), button), box);
    } },
  ], r.spot_checks || [], { name: 'ident-spot' });
}

async function identCountyPage(main, arg) {
  const role = state.user.role;
  if (arg) {
    const r = await api('GET', '/api/v1/identification/rounds/' + Number(arg));
    const reload = () => route();
    main.append(h('h1', {}, `${t('id.county_title')} · ${r.school_name} ${r.academic_year}`),
      h('p', { 'data-round-status': r.status }, t('id.round.' + r.status)));
    main.append(table([
      { label: 'col.name', key: 'name' },
      { label: 'idc.class', key: 'class' },
      { label: 'idc.kind', render: c => t('id.kind.' + c.kind) },
      { label: 'idc.score', num: true, render: c => c.score === undefined ? '' : String(c.score) },
      { label: 'idc.level', render: c => h('span', { 'data-case-level': c.level || '' }, lvName(c.level)) },
      { label: 'idc.state', render: c => h('span', { 'data-case-state': c.state }, t('id.state.' + c.state)) },
    ], r.cases, { name: 'ident-cases', pageSize: 50 }));
    if (role === 'bureau_officer') {
      const box = h('div');
      const reason = input('reason', {});
      const accept = h('button', { type: 'button', 'data-action': 'ident-accept', onclick: async (ev) => {
        if (await attempt(box, ev.target, () => api('POST', `/api/v1/identification/rounds/${r.id}/review`, { decision: 'accept' }))) reload(); } }, t('id.accept'));
      const back = h('button.secondary', { type: 'button', onclick: async (ev) => {
        if (await attempt(box, ev.target, () => api('POST', `/api/v1/identification/rounds/${r.id}/review`, { decision: 'send_back', reason: reason.value }))) reload(); } }, t('id.send_back'));
      const seed = input('seed', { inputmode: 'numeric', value: String(Date.now() % 100000) });
      const percent = input('percent', { inputmode: 'numeric', value: '10' });
      const draw = h('button', { type: 'button', 'data-action': 'ident-draw', onclick: async (ev) => {
        if (await attempt(box, ev.target, () => api('POST', `/api/v1/identification/rounds/${r.id}/spot-checks`, { seed: seed.value, percent: Number(percent.value) }))) reload(); } }, t('id.draw'));
      main.append(h('div.card', {}, h('div.row', {}, field('id.reason', reason), accept, back),
        h('div.row', {}, field('id.seed', seed), field('id.percent', percent), draw), box));
    }
    main.append(h('h2', {}, t('id.spot')), spotTable(r, reload));
    return;
  }
  main.append(h('h1', {}, t('id.county_title')));
  const year = input('year', { value: String(academicYear(new Date())), inputmode: 'numeric' });
  const out = h('div');
  const show = async () => {
    out.replaceChildren();
    const [c, rounds] = await Promise.all([
      api('GET', '/api/v1/identification/county?year=' + encodeURIComponent(year.value)),
      api('GET', '/api/v1/identification/rounds?year=' + encodeURIComponent(year.value))]);
    const byCode = Object.fromEntries(rounds.rounds.map(x => [x.school, x]));
    out.append(table([
      { label: 'idc.school_name', render: s => byCode[s.school] ? h('a', { href: '#/identcounty/' + byCode[s.school].id }, s.name) : s.name },
      { label: 'idc.enrolled', key: 'enrolled', num: true },
      { label: 'idc.identified', key: 'identified', num: true },
      { label: 'idc.special', key: 'special', num: true },
      { label: 'idc.share', num: true, render: s => (s.identified_permille / 10).toFixed(1) + '%' },
      { label: 'idc.state', render: s => byCode[s.school] ? t('id.round.' + byCode[s.school].status) : '' },
      { label: 'id.outliers', render: s => h('span', { 'data-outliers': s.outliers.length }, s.outliers.join('；')) },
    ], c.schools, { name: 'ident-county' }));
  };
  const button = h('button', { type: 'button', onclick: show }, t('id.county_load'));
  main.append(h('div.card', {}, h('div.row', {}, field('id.year', year), button)), out);
  await show();
}

PAGES.ident = identPage;
PAGES.identcounty = identCountyPage;
