import { z } from 'zod';

/** A list written either as YAML list or as one comma-separated string (`request-statuses: registered, scored`). */
export const commaList = z.union([
  z.string().transform((s) =>
    s
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  ),
  z.array(z.string().trim().min(1)),
]);

/** A positive duration in milliseconds. */
export const millis = z.number().int().min(0);
