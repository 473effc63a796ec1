// Finds English sentences on a page the console shows in Chinese. Identifiers (user names,
// references, file names, codes with digits or underscores), numbers, codes in parentheses and the
// language switch (marked lang="en") are not sentences; three or more English words in a row are.
'use strict';

const IDENTIFIERS = new Set(['edupay', 'CSV', 'Excel', 'ISO', 'XML', 'HTML', 'PDF', 'ID', 'QR', 'SHA',
  'HTTPS', 'HTTP', 'API', 'JSON', 'GBK', 'UTF', 'pain', 'camt']);

/** The English sentences in `lines` (each a text a person reads), as they appear. */
function englishSentences(lines) {
  const found = [];
  for (const raw of lines) {
    const line = raw
      .replace(/（[^（）]*）/g, ' ').replace(/\([^()]*\)/g, ' ')
      .replace(/https?:\/\/\S+/g, ' ').replace(/\S+@\S+/g, ' ')
      .replace(/[\w.\-/]*[\d_/][\w.\-/]*/g, ' ')
      .split(/\s+/).filter(w => !IDENTIFIERS.has(w.replace(/[^\w]/g, ''))).join(' ');
    if (/[A-Za-z]{2,}(?:[ ,;:'’]+[A-Za-z]{2,}){2,}/.test(line)) found.push(raw.trim());
  }
  return found;
}

/** The visible texts of the page (one per text node), outside elements marked lang="en". */
async function visibleTexts(page) {
  return page.evaluate(() => {
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || !n.textContent.trim()) continue;
      if (el.closest('[lang="en"], script, style, [hidden], code, kbd, samp')) continue;
      if (!el.getClientRects().length) continue;  // not displayed
      out.push(n.textContent);
    }
    // Form fields a person reads too: placeholders and the chosen option.
    for (const f of document.querySelectorAll('input[placeholder], textarea[placeholder]'))
      if (f.getClientRects().length) out.push(f.placeholder);
    return out;
  });
}

module.exports = { englishSentences, visibleTexts };
