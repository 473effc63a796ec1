'use strict';
// Peer benchmark: one pain.001.001.03 credit-transfer document with the npm library sepa-xml 0.6.0.
// usage: node sepa-xml.js PAYMENTS.csv OUT.xml   (run.sh sets NODE_PATH to its node_modules)
// stdout: exactly one line "PEER_RESULT sepa-xml <count> <seconds>"; seconds from after the CSV
// is read (and the synthetic IBANs derived) to after the XML file is written.
//
// Currency: sepa-xml 0.6.0 has no currency option; its pain.001.001.03 template hard-codes
// <InstdAmt Ccy="EUR">, so the amounts (amount_fen / 100, exact 2-decimal strings) come out as EUR
// instead of CNY. The file is otherwise the same payments and is valid against the XSD.
// Accounts: the library only accepts IBANs (checked with the `iban` package), so each payment's
// account is replaced by a deterministic synthetic German IBAN (see common.js).

const fs = require('fs');
const common = require('./common');
const SepaXML = require('sepa-xml');

// The library renders the whole document into one JS string (Handlebars); past V8's string
// limit (buffer.constants.MAX_STRING_LENGTH, 2^29 - 24 chars in Node 20, about 850,000 payments
// at ~630 chars each) it throws "Invalid string length" from inside its own callback.
process.on('uncaughtException', (e) => {
  process.stderr.write('sepa-xml: ' + (e && e.stack || e) + '\n');
  if (e instanceof RangeError) {
    process.stderr.write('sepa-xml: the document is one JS string, at most ' +
      require('buffer').constants.MAX_STRING_LENGTH + ' chars; use fewer payments\n');
  }
  process.exit(1);
});

common.usage('sepa-xml.js');
const [csvPath, outPath] = process.argv.slice(2);
const payments = common.readPayments(csvPath);

const start = common.now();

const doc = new SepaXML('pain.001.001.03');
doc.setHeaderInfo({
  messageId: common.MESSAGE_ID,
  initiator: common.DEBTOR_NAME,
});
doc.setPaymentInfo({
  id: common.MESSAGE_ID,
  method: 'TRF',
  when: new Date(),
  senderName: common.DEBTOR_NAME,
  senderIBAN: common.DEBTOR_IBAN,
  bic: common.DEBTOR_BIC,
  batchBooking: false,
});
for (const p of payments) {
  // addTransaction returns false (and adds nothing) when a field is missing or the IBAN is invalid.
  const rejected = doc.addTransaction({
    id: p.reference,
    amount: p.yuan,
    name: p.holder,
    iban: p.iban,
    bic: common.CREDITOR_BIC,
    description: common.REMITTANCE,
  }) === false;
  if (rejected) {
    process.stderr.write('sepa-xml rejected payment ' + p.reference + ' (IBAN ' + p.iban + ')\n');
    process.exit(1);
  }
}

doc.compile((err, xml) => {
  if (err) {
    process.stderr.write('sepa-xml: ' + (Array.isArray(err) ? err.join(' ') : String(err)) + '\n');
    process.exit(1);
  }
  fs.writeFileSync(outPath, xml);
  const count = doc._payments.transactions.length;
  common.result('sepa-xml', count, start);
  // Cheap self-check outside the timed window (the library sums with big.js, so this must hold).
  const expected = common.totalYuan(payments);
  if (doc._header.transactionControlSum !== expected) {
    process.stderr.write('sepa-xml: CtrlSum ' + doc._header.transactionControlSum + ' != exact ' + expected + '\n');
  }
});
