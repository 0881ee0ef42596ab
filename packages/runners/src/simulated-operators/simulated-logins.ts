import { randomBytes } from 'node:crypto';
import type { SeedOperator } from '../security/security.js';

/** Simulated operators (`pnpm demo`, `pnpm chaos`): `sim-01`, `sim-02`, ... with passwords drawn for this run. */
export function simulatedOperators(count: number): SeedOperator[] {
  return Array.from({ length: count }, (_, i) => ({
    login: `sim-${String(i + 1).padStart(2, '0')}`,
    password: randomBytes(12).toString('base64url'),
    firstName: 'Симулятор',
    lastName: `Оператор ${i + 1}`,
  }));
}
