'use strict';
// Shared by sepa-xml.js and sepa.js: reads the payments CSV, derives the synthetic IBANs the
// libraries insist on, and prints the one result line. Everything here runs before the timer
// starts (reading, parsing, IBAN derivation) or after it stops (the result line), so the timed
// window covers only the library building the document and the file being written.

const fs = require('fs');

// Fixed debtor: the county's student-aid account. The name is the real one; the IBAN is synthetic
// (German format, BBAN built from the county code), the BIC is made up but well-formed, and its
// country (DE) matches the IBAN's as the `sepa` library checks.
const DEBTOR_NAME = '长沙县教育局学生资助专户';
const DEBTOR_BIC = 'EDUPDEFFXXX';
const CREDITOR_BIC = 'EDUCDEFFXXX';
const REMITTANCE = '雨露计划2026秋';
// Same shape as our exporter's GrpHdr/MsgId (EDUPAY-B<batch>-P<part>).
const MESSAGE_ID = 'EDUPAY-B000001-P01';

function mod97(digits) {
  let r = 0;
  for (let i = 0; i < digits.length; i++) r = (r * 10 + (digits.charCodeAt(i) - 48)) % 97;
  return r;
}

// German IBAN DEkk + 18-digit BBAN with correct ISO 13616 mod-97 check digits.
// The BBAN is the account's digits, left-padded with zeros to 18, or its last 18 digits if
// longer (a 19-digit UnionPay card number loses its leading digit; collisions do not matter here).
function syntheticIban(account) {
  let digits = '';
  for (let i = 0; i < account.length; i++) {
    const c = account.charCodeAt(i);
    if (c >= 48 && c <= 57) digits += account[i];
  }
  if (digits.length > 18) digits = digits.slice(digits.length - 18);
  const bban = digits.padStart(18, '0');
  // Move "DE00" to the end, letters as numbers (D=13, E=14).
  const check = 98 - mod97(bban + '131400');
  return 'DE' + String(check).padStart(2, '0') + bban;
}

const DEBTOR_IBAN = syntheticIban('430121000000000001');

// Returns [{reference, account, holder, fen, yuan, iban}], yuan as an exact "123.45" string.
function readPayments(file) {
  let text = fs.readFileSync(file, 'utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split('\n');
  const header = lines[0].replace(/\r$/, '');
  if (header !== 'reference,account,holder,amount_fen') {
    throw new Error(file + ': unexpected header "' + header + '"');
  }
  const out = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (line === '') continue;
    const f = line.split(',');
    if (f.length !== 4) throw new Error(file + ':' + (i + 1) + ': expected 4 fields');
    if (!/^[1-9][0-9]*$/.test(f[3])) throw new Error(file + ':' + (i + 1) + ': bad amount_fen');
    const fen = Number(f[3]);
    const yuan = Math.floor(fen / 100) + '.' + String(fen % 100).padStart(2, '0');
    out.push({ reference: f[0], account: f[1], holder: f[2], fen, yuan, iban: syntheticIban(f[1]) });
  }
  return out;
}

function totalYuan(payments) {
  let fen = 0; // exact while below 2^53 fen
  for (const p of payments) fen += p.fen;
  return Math.floor(fen / 100) + '.' + String(fen % 100).padStart(2, '0');
}

function now() {
  return process.hrtime.bigint();
}

function result(library, count, start) {
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  process.stdout.write('PEER_RESULT ' + library + ' ' + count + ' ' + seconds.toFixed(3) + '\n');
}

function usage(script) {
  if (process.argv.length !== 4) {
    process.stderr.write('usage: node ' + script + ' PAYMENTS.csv OUT.xml\n');
    process.exit(2);
  }
}

module.exports = {
  DEBTOR_NAME, DEBTOR_IBAN, DEBTOR_BIC, CREDITOR_BIC, REMITTANCE, MESSAGE_ID,
  syntheticIban, readPayments, totalYuan, now, result, usage,
};
