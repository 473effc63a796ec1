// The families' page: look a child's aid up, file a complaint, follow it by tracking code.
// No login. Every value is inserted as text (never as HTML), so nothing anyone typed becomes a
// link or markup here.
'use strict';

const family = { ticket: '', child: '' };

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v; else e.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function msg(kind, text) { return el('div', { class: 'msg ' + kind, role: kind === 'bad' ? 'alert' : 'status' }, text); }

async function post(path, body) {
  const res = await fetch(path, {
    method: 'POST', credentials: 'omit',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'Accept-Language': 'zh-CN' },
    body: JSON.stringify(body),
  });
  return { status: res.status, data: await res.json().catch(() => ({})) };
}

async function get(path) {
  const res = await fetch(path, { credentials: 'omit', headers: { Accept: 'application/json', 'Accept-Language': 'zh-CN' } });
  return { status: res.status, data: await res.json().catch(() => ({})) };
}

function errorText(r) {
  if (r.status === 429) return (r.data.error && r.data.error.message) || '操作太频繁，请稍后再试';
  if (r.data && r.data.error) {
    const m = r.data.error.message || '';
    const zh = m.split(' / ')[0];
    return zh || m;
  }
  return '出错了，请稍后再试';
}

const DECISION = { eligible: '享受', held: '暂缓发放', not_eligible: '不享受' };

function renderRecord(r) {
  const body = document.getElementById('result-body');
  const parts = [];
  parts.push(el('p', {}, '学校：', r.school || '—', '　', r.county ? '所在县：' + r.county : ''));
  if (!r.terms.length) parts.push(msg('warn', '孩子目前还没有资助认定结果。'));
  for (const term of r.terms) {
    parts.push(el('h3', {}, term.term_zh));
    for (const p of term.programmes) {
      const dl = el('dl', {});
      const row = (k, v) => { if (v) dl.append(el('dt', {}, k), el('dd', {}, v)); };
      if (p.decision !== 'not_eligible') {
        row('金额', p.amount + ' 元');
        row('发放情况', p.payment);
        row('到账日期', p.paid_on);
        row('收款银行', p.bank);
        row('账号后四位', p.account_last4);
      }
      row(p.decision === 'held' ? '暂缓原因' : '主要原因', p.reason);
      parts.push(el('div', { class: 'aid', 'data-programme': p.programme, 'data-paid': p.paid ? '1' : '0' },
        el('span', { class: 'name' }, p.programme_name),
        el('span', { class: 'tag ' + p.decision }, DECISION[p.decision] || p.decision), dl));
    }
  }
  const c = r.contact || {};
  parts.push(el('h3', {}, '有疑问请联系'));
  parts.push(el('p', {}, c.school ? '孩子就读学校：' + c.school : '', c.school && c.county ? '；' : '', c.county ? c.county : ''));
  body.replaceChildren(...parts);
  document.getElementById('result').hidden = false;
}

function complaintAbout(name) {
  const about = document.getElementById('complaint-about');
  const county = document.getElementById('c-county-field');
  if (name) {
    about.textContent = '关于 ' + name + ' 的资助发放，如有应发未发、发到别人账户、金额不对、学校收费等问题，请在这里反映（将转给孩子所在县核查）。可以匿名。';
    county.hidden = true;
  } else {
    county.hidden = false;
  }
}

async function loadCounties() {
  const r = await get('/api/v1/public/counties');
  if (r.status !== 200) return;
  const s = document.getElementById('c-county');
  for (const c of r.data.counties) s.append(el('option', { value: c.code }, c.name));
}

document.addEventListener('DOMContentLoaded', () => {
  loadCounties();
  const lookup = document.getElementById('lookup');
  lookup.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const box = document.getElementById('lookup-box');
    const button = document.getElementById('l-submit');
    box.replaceChildren(msg('ok', '正在查询…'));
    button.disabled = true;
    document.getElementById('result').hidden = true;
    family.ticket = '';
    complaintAbout('');
    try {
      const name = document.getElementById('l-name').value;
      const r = await post('/api/v1/public/lookup', {
        name, id: document.getElementById('l-id').value, birth_date: document.getElementById('l-birth').value,
      });
      if (r.status !== 200) { box.replaceChildren(msg('bad', errorText(r))); return; }
      if (!r.data.found) { box.replaceChildren(msg('warn', r.data.message.split(' / ')[0])); return; }
      box.replaceChildren();
      family.ticket = r.data.complaint_ticket || '';
      family.child = name;
      renderRecord(r.data);
      complaintAbout(name);
    } catch (e) {
      box.replaceChildren(msg('bad', '网络不通，请稍后再试'));
    } finally {
      button.disabled = false;
    }
  });

  const text = document.getElementById('c-text');
  text.addEventListener('input', () => { document.getElementById('c-count').textContent = [...text.value].length + ' / 1000'; });
  document.getElementById('complaint').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const box = document.getElementById('complaint-box');
    const button = document.getElementById('c-submit');
    button.disabled = true;
    try {
      const body = {
        category: document.getElementById('c-category').value,
        text: text.value,
        contact_name: document.getElementById('c-name').value,
        contact_phone: document.getElementById('c-phone').value,
      };
      if (family.ticket) body.complaint_ticket = family.ticket;
      else body.county = document.getElementById('c-county').value;
      const r = await post('/api/v1/public/complaints', body);
      if (r.status !== 201) { box.replaceChildren(msg('bad', errorText(r))); return; }
      box.replaceChildren(
        msg('ok', '投诉已受理，将在 ' + r.data.due_on + ' 前办结。请记下查询码，凭查询码查看办理结果：'),
        el('p', { class: 'code', id: 'tracking-code' }, r.data.tracking_code),
        r.data.contact ? el('p', { class: 'muted' }, '受理单位：' + r.data.contact) : null);
      document.getElementById('t-code').value = r.data.tracking_code;
      document.getElementById('complaint').reset();
      document.getElementById('c-count').textContent = '0 / 1000';
    } catch (e) {
      box.replaceChildren(msg('bad', '网络不通，请稍后再试'));
    } finally {
      button.disabled = false;
    }
  });

  document.getElementById('track').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const box = document.getElementById('track-box');
    const code = document.getElementById('t-code').value.trim();
    const r = await get('/api/v1/public/complaints/' + encodeURIComponent(code));
    if (r.status !== 200) { box.replaceChildren(msg('bad', errorText(r))); return; }
    const d = r.data;
    const dl = el('dl', {});
    const row = (k, v) => { if (v) dl.append(el('dt', {}, k), el('dd', {}, v)); };
    row('问题类别', d.category_zh);
    row('办理状态', d.status_zh);
    row('受理日期', d.filed_on);
    row('办结期限', d.due_on);
    row('办理结果', d.outcome_zh);
    row('处理说明', d.outcome_text);
    row('办结日期', d.closed_on);
    box.replaceChildren(el('div', { class: 'aid', id: 'track-result', 'data-status': d.status }, dl));
  });
});
