'use strict';
// Peer benchmark: one pain.001.001.09 credit-transfer document with the npm library sepa 3.0.0.
// usage: node sepa.js PAYMENTS.csv OUT.xml   (run.sh sets NODE_PATH to its node_modules)
// stdout: exactly one line "PEER_RESULT sepa <count> <seconds>"; seconds from after the CSV is
// read (and the synthetic IBANs derived) to after the XML file is written.
//
// Currency: the library takes a per-transaction currency, so the amounts are CNY as in our file.
// Accounts: the library validates IBANs (mod 97) and requires the BIC's country to match the
// IBAN's, so each account is replaced by a deterministic synthetic German IBAN (see common.js)
// and the BICs are fixed DE ones.
// Amounts: the library wants a number with at most 2 decimals; amount_fen / 100 is exactly the
// double nearest the decimal value, which is what its check compares against. Its control sum is
// a float sum, checked against the exact one after the timed window (a warning on stderr only).

const fs = require('fs');
const common = require('./common');
const SEPA = require('sepa');

common.usage('sepa.js');
const [csvPath, outPath] = process.argv.slice(2);
const payments = common.readPayments(csvPath);

const start = common.now();

const doc = new SEPA.Document('pain.001.001.09');
doc.grpHdr.id = common.MESSAGE_ID;
doc.grpHdr.created = new Date();
doc.grpHdr.initiatorName = common.DEBTOR_NAME;

const info = doc.createPaymentInfo();
info.requestedExecutionDate = new Date();
info.debtorName = common.DEBTOR_NAME;
info.debtorIBAN = common.DEBTOR_IBAN;
info.debtorBIC = common.DEBTOR_BIC;
doc.addPaymentInfo(info); // before the transactions: their InstrId is prefixed with the PmtInfId

for (const p of payments) {
  const tx = info.createTransaction();
  tx.end2endId = p.reference;
  tx.creditorName = p.holder;
  tx.creditorIBAN = p.iban;
  tx.creditorBIC = common.CREDITOR_BIC;
  tx.amount = p.fen / 100;
  tx.currency = 'CNY';
  tx.remittanceInfo = common.REMITTANCE;
  info.addTransaction(tx);
}

fs.writeFileSync(outPath, doc.toString()); // toString validates every field and throws on error
const count = info.transactionCount;
common.result('sepa', count, start);

const expected = common.totalYuan(payments);
if (doc.grpHdr.controlSum.toFixed(2) !== expected) {
  process.stderr.write('sepa: CtrlSum ' + doc.grpHdr.controlSum.toFixed(2) + ' != exact ' + expected + '\n');
}
