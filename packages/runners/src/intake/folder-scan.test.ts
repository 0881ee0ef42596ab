import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { oldestFirst, scanStreamFolder } from './folder-scan.js';

describe('stream folder scan', () => {
  it('orders oldest first by creation time, then mtime, then name', () => {
    const f = (name: string, createdMs: number, mtimeMs: number) => ({ name, createdMs, mtimeMs });
    const sorted = oldestFirst([f('c', 3, 0), f('b', 1, 9), f('a', 1, 9), f('d', 1, 5), f('e', 2, 0)]);
    expect(sorted.map((x) => x.name)).to.deep.equal(['d', 'a', 'b', 'e', 'c']);
  });

  describe('on disk', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'tm-scan-'));
    });
    afterEach(() => rm(dir, { recursive: true, force: true }));

    it('lists regular files only, skipping names in progress and the success/ and error/ folders', async () => {
      await mkdir(join(dir, 'success'));
      await mkdir(join(dir, 'error'));
      for (const name of ['a.csv', 'b.csv.tmp', 'c.part', '.d.csv', 'e.txt'])
        await writeFile(join(dir, name), 'x');
      const files = await scanStreamFolder(dir);
      expect(files.map((f) => f.name).sort()).to.deep.equal(['a.csv', 'e.txt']);
      expect(files[0]).to.include({ size: 1 });
    });

    it('has no files when the folder does not exist yet', async () => {
      expect(await scanStreamFolder(join(dir, 'missing'))).to.deep.equal([]);
    });
  });
});
