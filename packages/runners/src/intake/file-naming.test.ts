import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { candidateNames, freeName, isInProgressName, reportNameOf } from './file-naming.js';

describe('intake file naming', () => {
  it('never picks up names in progress: *.tmp, *.part (any case) and names starting with a dot', () => {
    for (const name of ['a.csv.tmp', 'a.TMP', 'a.csv.part', 'x.Part', '.a.csv', '.a.csv.Xyz12']) {
      expect(isInProgressName(name), name).to.equal(true);
    }
    for (const name of ['a.csv', 'tmp.csv', 'part', 'a.partial', 'a.csv.1', 'a.tmp.csv']) {
      expect(isInProgressName(name), name).to.equal(false);
    }
  });

  it('tries NAME, then BASE.1.EXT, BASE.2.EXT ..., and NAME.1 for a name without extension', () => {
    const take = (name: string, n: number) => {
      const out: string[] = [];
      for (const c of candidateNames(name)) {
        out.push(c);
        if (out.length === n) break;
      }
      return out;
    };
    expect(take('apps.csv', 3)).to.deep.equal(['apps.csv', 'apps.1.csv', 'apps.2.csv']);
    expect(take('apps.2024.csv', 2)).to.deep.equal(['apps.2024.csv', 'apps.2024.1.csv']);
    expect(take('apps', 2)).to.deep.equal(['apps', 'apps.1']);
    expect(take('.hidden', 2)).to.deep.equal(['.hidden', '.hidden.1']);
  });

  describe('freeName', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'tm-names-'));
    });
    afterEach(() => rm(dir, { recursive: true, force: true }));

    it('keeps the name when it is free and never reuses a taken one', async () => {
      expect(await freeName(dir, 'a.csv')).to.equal('a.csv');
      await writeFile(join(dir, 'a.csv'), '1');
      await writeFile(join(dir, 'a.1.csv'), '2');
      expect(await freeName(dir, 'a.csv')).to.equal('a.2.csv');
    });

    it('in error/, treats a name as taken when its report is there even without the file', async () => {
      await writeFile(join(dir, reportNameOf('b.csv')), 'report of an earlier file');
      const withReport = (c: string) => [c, reportNameOf(c)];
      expect(await freeName(dir, 'b.csv', withReport)).to.equal('b.1.csv');
      expect(reportNameOf('b.1.csv')).to.equal('b.1.csv.errors.txt');
    });
  });
});
