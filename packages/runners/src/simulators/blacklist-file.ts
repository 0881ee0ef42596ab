import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';

/** One blacklisted phone or device, as the BlackList simulator stores it. */
export interface BlacklistEntry {
  readonly id: string;
  readonly phone: string | null;
  readonly deviceId: string | null;
  readonly reason: string;
}

const EntrySchema = z
  .object({
    id: z.union([z.string().min(1), z.number().int()]).optional(),
    phone: z
      .string()
      .regex(/^7\d{10}$/, '11 digits starting with 7')
      .optional(),
    device_id: z.string().min(1).optional(),
    reason: z.string().min(1).default('blacklisted'),
  })
  .strict()
  .refine((e) => e.phone !== undefined || e.device_id !== undefined, 'give a phone, a device_id or both');

const FileSchema = z.object({ records: z.array(EntrySchema).default([]) }).strict();

/** The blacklist file could not be used; `problems` name each bad entry by its index. */
export class BlacklistFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`${file}: ${problems.join('; ')}`);
    this.name = 'BlacklistFileError';
  }
}

/** Parses blacklist YAML text (`records: [{ phone, device_id, reason }]`); ids default to `bl-<index + 1>`. */
export function parseBlacklist(text: string, source = '<blacklist>'): BlacklistEntry[] {
  let raw: unknown;
  try {
    raw = parse(text) ?? {};
  } catch (err) {
    throw new BlacklistFileError(source, [(err as Error).message]);
  }
  const parsed = FileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new BlacklistFileError(
      source,
      parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  return parsed.data.records.map((e, i) => ({
    id: e.id === undefined ? `bl-${i + 1}` : String(e.id),
    phone: e.phone ?? null,
    deviceId: e.device_id ?? null,
    reason: e.reason,
  }));
}

/** Reads and parses a blacklist file. */
export function loadBlacklistFile(file: string): BlacklistEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new BlacklistFileError(file, [`cannot read: ${(err as Error).message}`]);
  }
  return parseBlacklist(text, file);
}
