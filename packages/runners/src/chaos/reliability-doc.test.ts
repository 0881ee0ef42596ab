import { expect } from 'chai';
import { handWrittenPart, reliabilityMarkdown } from './reliability-doc.js';

describe('docs/RELIABILITY.md', () => {
  const result = {
    rows: [],
    violations: [],
    elapsedMs: 60_000,
    loadAverage: { start: 1, end: 2 },
    files: 3,
    rowsPublished: 600,
    republishedAdds: 0,
    calls: { made: 10, answeredCards: 6, saved: 5, reworked: 1, operators: 8 },
  };
  const run = { command: 'pnpm chaos', date: new Date(0), cores: 2, loadNow: [1, 2, 3] };

  it('keeps the hand-written part of the previous file, from its first second-level heading', () => {
    const previous = `${reliabilityMarkdown(result, run)}\n## Other runs\n\nWritten by hand.\n`;
    expect(handWrittenPart(previous)).to.equal('## Other runs\n\nWritten by hand.\n');
    const next = reliabilityMarkdown(result, run, handWrittenPart(previous));
    expect(next.endsWith('\n## Other runs\n\nWritten by hand.\n')).to.equal(true);
    expect(handWrittenPart(next)).to.equal(handWrittenPart(previous));
  });

  it('has no hand-written part when the file has no second-level heading', () => {
    expect(handWrittenPart(reliabilityMarkdown(result, run))).to.equal('');
  });
});
